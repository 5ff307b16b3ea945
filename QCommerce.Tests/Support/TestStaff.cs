using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Identity;

namespace QCommerce.Tests.Support;

/// <summary>Members of staff for service tests: an admin who sees every store, and Ops scoped to one store each.</summary>
public static class TestStaff
{
    public static readonly StaffActor Admin = new("staff-admin", "admin@qcommerce.test", true, null);

    public static StaffActor ScopedTo(int storeId, string email = "picker@qcommerce.test") => new($"staff-{email}", email, false, new HashSet<int> { storeId });

    public static StaffActor Named(string email) => new($"staff-{email}", email, true, null);

    /// <summary>A colleague made through the staff use case on the real app (Ops, scoped to <paramref name="stores"/>), signed in to the API with the password it printed once.</summary>
    public static async Task<(ApiShopper Client, string UserId)> ColleagueAsync(QCommerceApp app, params int[] stores)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<StaffService>()
            .CreateAsync(Admin, $"colleague-{Guid.NewGuid():N}@qcommerce.test", "Pat Colleague", Roles.Ops, stores);
        return (await ApiShopper.SignInAsync(app, created.Member.Email, created.OneTimePassword), created.Member.UserId);
    }
}
