using System.Security.Claims;
using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Identity;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;

namespace QCommerce.Web.Identity;

/// <summary>The signed-in user is staff right now, in one of the roles allowed: by the staff directory, not by what their cookie or token claims.</summary>
public sealed class CurrentStaffRequirement(params StaffRole[] allowed) : IAuthorizationRequirement
{
    public IReadOnlySet<StaffRole> Allowed { get; } = allowed.ToHashSet();
}

/// <summary>
/// The portal's policies, each named for the least role it admits: <c>Picker</c> (the fulfilment board and pick lists:
/// pickers, Ops, admins), <c>Support</c> (customers, orders, refunds: Support, Ops, admins), <c>Ops</c> (running the stores:
/// Ops, admins), <c>Admin</c>; and <c>Staff</c>, anyone on the floor (the pages every role opens, such as the dashboard).
/// </summary>
public static class StaffPolicies
{
    public const string Staff = "Staff";

    public static readonly IReadOnlyDictionary<string, StaffRole[]> All = new Dictionary<string, StaffRole[]>
    {
        [Staff] = [StaffRole.Picker, StaffRole.Support, StaffRole.Ops, StaffRole.Admin],
        [Roles.Picker] = [StaffRole.Picker, StaffRole.Ops, StaffRole.Admin],
        [Roles.Support] = [StaffRole.Support, StaffRole.Ops, StaffRole.Admin],
        [Roles.Ops] = [StaffRole.Ops, StaffRole.Admin],
        [Roles.Admin] = [StaffRole.Admin],
    };
}

/// <summary>
/// Who acts, checked once: the <c>Ops</c> and <c>Admin</c> policies of every <c>/ops</c> page and <c>/v1/ops</c> route read the
/// staff member from the staff directory for each request (roles, stores, lock), so a colleague locked, demoted or moved
/// to other stores is refused at once on every route, reads included, whatever their cookie or bearer token still says.
/// </summary>
public sealed class CurrentStaffHandler(StaffDirectory directory) : AuthorizationHandler<CurrentStaffRequirement>
{
    protected override async Task HandleRequirementAsync(AuthorizationHandlerContext context, CurrentStaffRequirement requirement)
    {
        var staff = await StaffAccess.FindAsync(directory, context.User, context.Resource as HttpContext);
        if (staff is not null && requirement.Allowed.Contains(staff.Role)) context.Succeed(requirement);
    }
}

public static class StaffAccess
{
    private static readonly object Key = new();

    /// <summary>The staff member as the directory says now, read once per request (the policy's read is the route's).</summary>
    public static async Task<StaffActor?> FindAsync(StaffDirectory directory, ClaimsPrincipal user, HttpContext? http, CancellationToken ct = default)
    {
        if (http is not null && http.Items.TryGetValue(Key, out var read)) return (StaffActor?)read;
        var staff = await directory.FindAsync(user.FindFirstValue(ClaimTypes.NameIdentifier), ct, Stamp(user));
        if (http is not null) http.Items[Key] = staff;
        return staff;
    }

    /// <summary>The security stamp the cookie or bearer token was issued with (Identity puts it in every principal it signs in).</summary>
    private static string? Stamp(ClaimsPrincipal user) => user.FindFirstValue(new IdentityOptions().ClaimsIdentity.SecurityStampClaimType);

    /// <summary>
    /// The member of staff a route acts as: the one the staff policy read for this request. Outside the policy (never, for a
    /// route under /ops or /v1/ops) it is read here; a shopper, or staff locked or demoted, is refused (403).
    /// </summary>
    public static async Task<StaffActor> StaffAsync(this HttpContext http, CancellationToken ct = default) =>
        await FindAsync(http.RequestServices.GetRequiredService<StaffDirectory>(), http.User, http, ct)
        ?? throw new AccessDeniedException("This account may not act as staff: it is locked, or no longer staff.");

    /// <summary>The member of staff a page of the portal acts as, read fresh for each action.</summary>
    public static async Task<StaffActor> RequireAsync(this StaffDirectory directory, ClaimsPrincipal user, CancellationToken ct = default) =>
        await directory.FindAsync(user.FindFirstValue(ClaimTypes.NameIdentifier), ct, Stamp(user))
        ?? throw new AccessDeniedException("This account may not act as staff: it is locked, or no longer staff.");
}
