using Microsoft.AspNetCore.Identity;

namespace QCommerce.Core.Identity;

/// <summary>A shopper or a staff member. Staff are told apart by role, not by type.</summary>
public sealed class AppUser : IdentityUser
{
    public string DisplayName { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
}

public static class Roles
{
    public const string Ops = "Ops";
    public const string Admin = "Admin";

    public static readonly IReadOnlyList<string> All = [Ops, Admin];
}
