using QCommerce.Core.Data;

namespace QCommerce.Core.Identity;

/// <summary>
/// Who a signed-in user is as staff, read fresh on every action: roles, assigned stores, and whether the account is
/// locked. A token or cookie issued before a lock, a demotion or a change of stores therefore stops working for
/// staff actions at once, not when it expires; one issued before a lock stays dead after the unlock too (its security
/// stamp is the old one).
/// </summary>
public sealed class StaffDirectory(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock)
{
    /// <summary>
    /// The staff member, or null when the user is not staff (a shopper), is unknown, is locked out, or signed in before their
    /// security stamp last changed (<paramref name="securityStamp"/>: the one their cookie or token carries, when it carries one).
    /// </summary>
    public async Task<StaffActor?> FindAsync(string? userId, CancellationToken ct = default, string? securityStamp = null)
    {
        if (string.IsNullOrEmpty(userId)) return null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var user = await db.Users.AsNoTracking().Where(u => u.Id == userId)
            .Select(u => new { u.Id, u.Email, u.LockoutEnd, u.SecurityStamp }).FirstOrDefaultAsync(ct);
        if (user is null || user.LockoutEnd > clock.GetUtcNow()) return null;
        if (securityStamp is not null && securityStamp != user.SecurityStamp) return null; // signed in before a lock (or a reset)
        var roles = await (from ur in db.UserRoles
                           join r in db.Roles on ur.RoleId equals r.Id
                           where ur.UserId == userId
                           select r.Name).ToListAsync(ct);
        if (Roles.Of(roles) is not { } role) return null;
        var isAdmin = role == Roles.Admin;
        var stores = isAdmin ? null : await db.Set<StaffStore>().Where(s => s.UserId == userId).Select(s => s.StoreId).ToListAsync(ct);
        // An admin sees every store; anyone else exactly their stores (none when none are given: never "all" by omission).
        return new StaffActor(user.Id, user.Email ?? "", isAdmin, isAdmin ? null : stores!.ToHashSet(), Roles.ToStaffRole(role));
    }
}
