namespace QCommerce.Tests.Support;

/// <summary>Members of staff for service tests: an admin who sees every store, and Ops scoped to one store each.</summary>
public static class TestStaff
{
    public static readonly StaffActor Admin = new("staff-admin", "admin@qcommerce.test", true, null);

    public static StaffActor ScopedTo(int storeId, string email = "picker@qcommerce.test") => new($"staff-{email}", email, false, new HashSet<int> { storeId });

    public static StaffActor Named(string email) => new($"staff-{email}", email, true, null);
}
