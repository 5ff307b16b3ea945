using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Identity;

namespace QCommerce.Tests.Support;

/// <summary>Members of staff for service tests: an admin who sees every store, and Ops scoped to one store each.</summary>
public static class TestStaff
{
    public static readonly StaffActor Admin = new("staff-admin", "admin@qcommerce.test", true, null);

    public static StaffActor ScopedTo(int storeId, string email = "picker@qcommerce.test") => new($"staff-{email}", email, false, new HashSet<int> { storeId });

    public static StaffActor Named(string email) => new($"staff-{email}", email, true, null);

    /// <summary>
    /// A colleague made through the staff use case on the real app (Ops, scoped to <paramref name="stores"/>), who chose their
    /// password from the invitation, signed in to the API.
    /// </summary>
    public static Task<(ApiShopper Client, string UserId)> ColleagueAsync(QCommerceApp app, params int[] stores) => ColleagueAsync(app, Roles.Ops, stores);

    /// <summary>A colleague in <paramref name="role"/> (Picker, Support, Ops) for <paramref name="stores"/>, signed in to the API.</summary>
    public static async Task<(ApiShopper Client, string UserId)> ColleagueAsync(QCommerceApp app, string role, params int[] stores)
    {
        var created = await InvitedAsync(app, $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@qcommerce.test", $"Pat {role}", role, stores);
        await Inbox.AcceptInvitationAsync(app, created.Member.Email);
        return (await ApiShopper.SignInAsync(app, created.Member.Email, Inbox.ColleaguePassword), created.Member.UserId);
    }

    /// <summary>A colleague created and invited as the staff page does it (their invitation queued, no password yet).</summary>
    public static async Task<StaffCreated> InvitedAsync(QCommerceApp app, string email, string name, string role, params int[] stores)
    {
        await using var scope = app.Services.CreateAsyncScope();
        var created = await scope.ServiceProvider.GetRequiredService<StaffService>().CreateAsync(Admin, email, name, role, stores);
        await scope.ServiceProvider.GetRequiredService<QCommerce.Core.Messages.AccountMail>().SendStaffInvitationAsync(created.Member.UserId);
        return created;
    }
}
