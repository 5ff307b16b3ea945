using System.Security.Claims;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;

namespace QCommerce.Web.Ops;

public static class StaffAccess
{
    /// <summary>
    /// The signed-in member of staff, read fresh (roles, stores, lock) for each action; a shopper, or staff locked or
    /// demoted since their cookie or token was issued, is refused (403) even though the role check let them in.
    /// </summary>
    public static async Task<StaffActor> RequireAsync(this StaffDirectory directory, ClaimsPrincipal user, CancellationToken ct = default) =>
        await directory.FindAsync(user.FindFirstValue(ClaimTypes.NameIdentifier), ct)
        ?? throw new AccessDeniedException("This account may not act as staff: it is locked, or no longer staff.");
}
