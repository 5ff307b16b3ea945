using QCommerce.Core.Data;

namespace QCommerce.Core.Identity;

/// <summary>
/// An account's security stamp as it is now, for the web project to compare with the one a cookie or token was issued
/// with: a reset, a new password or address, or a staff lock changes it. One primary-key read.
/// </summary>
public sealed class SecurityStamps(IDbContextFactory<QCommerceDbContext> contexts)
{
    public async Task<string?> CurrentAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Users.AsNoTracking().Where(u => u.Id == userId).Select(u => u.SecurityStamp).FirstOrDefaultAsync(ct);
    }
}
