using Microsoft.AspNetCore.Identity;

namespace QCommerce.Core.Identity;

/// <summary>A shopper or a staff member. Staff are told apart by role, not by type.</summary>
public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
}

/// <summary>
/// The roles of the floor, each a name in Identity's role table: <c>Picker</c> (the fulfilment board and pick lists of their
/// stores), <c>Support</c> (customers, orders, notes, refunds up to a limit), <c>Ops</c> (everything of their stores) and
/// <c>Admin</c> (every store, staff, integrations). A colleague holds one of them; an admin holds Ops too.
/// </summary>
public static class Roles
{
    public const string Picker = "Picker";
    public const string Support = "Support";
    public const string Ops = "Ops";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Picker, Support, Ops, Admin];

    /// <summary>The role names an account holds for the role it is given.</summary>
    public static IReadOnlyList<string> Held(string role) => role == Admin ? [Ops, Admin] : [role];

    /// <summary>The role an account's role names amount to (the highest), or null for a shopper.</summary>
    public static string? Of(IEnumerable<string?> held)
    {
        var names = held.ToHashSet();
        return All.LastOrDefault(names.Contains);
    }

    public static StaffRole ToStaffRole(string role) => role switch
    {
        Admin => StaffRole.Admin,
        Ops => StaffRole.Ops,
        Support => StaffRole.Support,
        _ => StaffRole.Picker,
    };
}
