using Microsoft.AspNetCore.Identity;
using QCommerce.Core.Data;

namespace QCommerce.Core.Identity;

/// <summary>A member of staff as the staff page lists them.</summary>
public sealed record StaffMemberView(string UserId, string Email, string DisplayName, string Role, IReadOnlyList<int> StoreIds, bool Locked, DateTime CreatedAtUtc);

/// <summary>A new member of staff, with no password yet: they choose it from their invitation.</summary>
public sealed record StaffCreated(StaffMemberView Member);

/// <summary>
/// Staff accounts, for admins only: create (the colleague chooses a password from an invitation), give a role (<c>Picker</c>, <c>Support</c>, <c>Ops</c> or <c>Admin</c>) and
/// stores, lock and unlock. The last admin who can sign in can be neither locked nor made Ops, so the portal never
/// locks everyone out. Each change and its audit row commit together (Identity's stores write through the same context).
/// </summary>
public sealed partial class StaffService(UserManager<AppUser> users, QCommerceDbContext db, TimeProvider clock, ILogger<StaffService> logger)
{
    public async Task<IReadOnlyList<StaffMemberView>> ListAsync(StaffActor admin, CancellationToken ct = default)
    {
        RequireAdmin(admin);
        var rows = await (from u in db.Users.AsNoTracking()
                          join ur in db.UserRoles on u.Id equals ur.UserId
                          join r in db.Roles on ur.RoleId equals r.Id
                          where Roles.All.Contains(r.Name!)
                          select new { u.Id, u.Email, u.DisplayName, Role = r.Name, u.LockoutEnd, u.CreatedAtUtc }).ToListAsync(ct);
        var stores = await db.StaffStores.AsNoTracking().ToListAsync(ct);
        var now = clock.GetUtcNow();
        return rows.GroupBy(r => r.Id).Select(g =>
        {
            var u = g.First();
            var role = Roles.Of(g.Select(r => r.Role))!;
            return new StaffMemberView(u.Id, u.Email ?? "", u.DisplayName, role, stores.Where(s => s.UserId == u.Id).Select(s => s.StoreId).Order().ToList(),
                u.LockoutEnd > now, u.CreatedAtUtc);
        }).OrderBy(m => m.Email, StringComparer.OrdinalIgnoreCase).ToList();
    }

    /// <summary>One colleague as the staff page lists them.</summary>
    public async Task<StaffMemberView> FindAsync(StaffActor admin, string userId, CancellationToken ct = default)
    {
        RequireAdmin(admin);
        return await ViewAsync(await StaffUserAsync(userId, ct), ct);
    }

    public async Task<StaffCreated> CreateAsync(StaffActor admin, string? email, string? displayName, string? role, IReadOnlyList<int>? storeIds,
        CancellationToken ct = default)
    {
        RequireAdmin(admin);
        var problems = new ProblemList();
        var address = email?.Trim() ?? "";
        // The shopper's rule: a bare address ("Ops Person <x@y>" or "a b@y" would be shown as is, and never reached).
        if (AccountService.EmailProblem(address) is not null) problems.Add("email", "Enter the colleague's work email, such as sam@yourshop.com.");
        var name = displayName?.Trim() ?? "";
        if (name.Length == 0) problems.Add("displayName", "Enter their name, as colleagues know them.");
        else if (TextRules.Problem(name, AccountService.MaxDisplayNameLength, "A name") is { } bad) problems.Add("displayName", bad);
        var chosen = CheckRole(role, problems);
        var stores = await CheckStoresAsync(chosen, storeIds, problems, ct);
        problems.ThrowIfAny();

        var now = clock.UtcNow();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        // No password: nobody but the colleague ever knows one (their invitation's link sets it, and confirms the address).
        var user = new AppUser { UserName = address, Email = address, DisplayName = name, CreatedAtUtc = now };
        var created = await users.CreateAsync(user);
        if (!created.Succeeded)
        {
            if (created.Errors.Any(e => e.Code is nameof(IdentityErrorDescriber.DuplicateUserName) or nameof(IdentityErrorDescriber.DuplicateEmail)))
                problems.Add("email", $"{TextRules.Excerpt(address)} already has an account.");
            else foreach (var e in created.Errors) problems.Add(e.Code, e.Description);
            problems.ThrowIfAny();
        }
        await Check(users.AddToRolesAsync(user, Roles.Held(chosen)));
        db.StaffStores.AddRange(stores.Select(s => new StaffStore(user.Id, s)));
        Audit.Record(db, admin, AuditActions.StaffCreate, "staff", address, null, null, new { role = chosen, stores }, null, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        LogCreated(logger, address, admin.UserId, chosen);
        return new StaffCreated(new StaffMemberView(user.Id, address, name, chosen, stores, false, now));
    }

    /// <summary>Sets a member's role and the stores it applies to: an Ops colleague names theirs (at least one); an admin has every store.</summary>
    public async Task ChangeAsync(StaffActor admin, string userId, string? role, IReadOnlyList<int>? storeIds, CancellationToken ct = default)
    {
        RequireAdmin(admin);
        var problems = new ProblemList();
        var chosen = CheckRole(role, problems);
        var stores = await CheckStoresAsync(chosen, storeIds, problems, ct);
        problems.ThrowIfAny();
        var user = await StaffUserAsync(userId, ct);
        var before = await ViewAsync(user, ct);
        var now = clock.UtcNow();
        await SerializableAsync(async () =>
        {
            if (before.Role == Roles.Admin && chosen != Roles.Admin) await EnsureAnotherAdminAsync(user, $"made {chosen}", ct);
            var held = (await users.GetRolesAsync(user)).Where(Roles.All.Contains).ToList();
            var wanted = Roles.Held(chosen);
            if (held.Except(wanted).ToList() is { Count: > 0 } dropped) await Check(users.RemoveFromRolesAsync(user, dropped));
            if (wanted.Except(held).ToList() is { Count: > 0 } added) await Check(users.AddToRolesAsync(user, added));
            await db.StaffStores.Where(s => s.UserId == user.Id).ExecuteDeleteAsync(ct);
            db.StaffStores.AddRange(stores.Select(s => new StaffStore(user.Id, s)));
            Audit.Record(db, admin, AuditActions.StaffChange, "staff", user.Email ?? user.Id, null, new { role = before.Role, stores = before.StoreIds },
                new { role = chosen, stores }, null, now);
        }, ct);
    }

    /// <summary>
    /// An admin sends a colleague a link to choose a password (audited): an invitation again if they never chose one, else a
    /// reset. Returns whether they have a password, so the caller sends the right message.
    /// </summary>
    public async Task<bool> PasswordLinkAsync(StaffActor admin, string userId, CancellationToken ct = default)
    {
        RequireAdmin(admin);
        var user = await StaffUserAsync(userId, ct);
        var hasPassword = await users.HasPasswordAsync(user);
        Audit.Record(db, admin, AuditActions.StaffPasswordLink, "staff", user.Email ?? user.Id, null, null, new { invitation = !hasPassword }, null, clock.UtcNow());
        await db.SaveChangesAsync(ct);
        return hasPassword;
    }

    public async Task LockAsync(StaffActor admin, string userId, CancellationToken ct = default)
    {
        RequireAdmin(admin);
        if (userId == admin.UserId) throw new ConflictException("You cannot lock yourself out; ask another admin.");
        var user = await StaffUserAsync(userId, ct);
        var isAdmin = (await ViewAsync(user, ct)).Role == Roles.Admin;
        await SetLockAsync(admin, user, DateTimeOffset.MaxValue, AuditActions.StaffLock, ct,
            isAdmin ? () => EnsureAnotherAdminAsync(user, "locked", ct) : null);
        LogLocked(logger, user.Email ?? "", admin.UserId);
    }

    public async Task UnlockAsync(StaffActor admin, string userId, CancellationToken ct = default)
    {
        RequireAdmin(admin);
        var user = await StaffUserAsync(userId, ct);
        await SetLockAsync(admin, user, null, AuditActions.StaffUnlock, ct);
    }

    private async Task SetLockAsync(StaffActor admin, AppUser user, DateTimeOffset? until, string action, CancellationToken ct, Func<Task>? check = null)
    {
        var now = clock.UtcNow();
        await SerializableAsync(async () =>
        {
            if (check is not null) await check();
            await Check(users.SetLockoutEnabledAsync(user, true));
            await Check(users.SetLockoutEndDateAsync(user, until));
            // Signs them out everywhere: cookies and tokens carry the old security stamp.
            await Check(users.UpdateSecurityStampAsync(user));
            Audit.Record(db, admin, action, "staff", user.Email ?? user.Id, null, null, new { locked = until is not null }, null, now);
        }, ct);
    }

    /// <summary>
    /// One serializable transaction: two admins demoting or locking each other at once cannot both pass the "another admin"
    /// check (the second is a serialization failure, told as a conflict to retry). Identity's own saves run inside it.
    /// </summary>
    private async Task SerializableAsync(Func<Task> body, CancellationToken ct)
    {
        try
        {
            await using var tx = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.Serializable, ct);
            await body();
            await db.SaveChangesAsync(ct);
            await tx.CommitAsync(ct);
        }
        catch (Exception ex) when (IsSerializationFailure(ex))
        {
            throw new ConflictException("Another admin changed staff at the same moment; reload the page and try again.");
        }
    }

    private static bool IsSerializationFailure(Exception ex) =>
        ex is System.Data.Common.DbException { SqlState: "40001" } || (ex.InnerException is { } inner && IsSerializationFailure(inner));

    private async Task EnsureAnotherAdminAsync(AppUser user, string what, CancellationToken ct)
    {
        var now = clock.GetUtcNow();
        // Lockout ends are compared here, not in SQL: SQLite cannot compare the DateTimeOffset Identity stores them as.
        var admins = await (from u in db.Users
                            join ur in db.UserRoles on u.Id equals ur.UserId
                            join r in db.Roles on ur.RoleId equals r.Id
                            where r.Name == Roles.Admin && u.Id != user.Id
                            select new { u.Id, u.LockoutEnd }).ToListAsync(ct);
        var others = admins.Any(a => a.LockoutEnd is null || a.LockoutEnd <= now);
        if (!others) throw new ConflictException($"{user.Email} is the last admin who can sign in; they cannot be {what}. Make someone else an admin first.");
    }

    private async Task<AppUser> StaffUserAsync(string userId, CancellationToken ct)
    {
        var user = await users.FindByIdAsync(userId);
        if (user is null || Roles.Of(await users.GetRolesAsync(user)) is null) throw new NotFoundException("Staff member", userId);
        ct.ThrowIfCancellationRequested();
        return user;
    }

    private async Task<StaffMemberView> ViewAsync(AppUser user, CancellationToken ct)
    {
        var roles = await users.GetRolesAsync(user);
        var stores = await db.StaffStores.AsNoTracking().Where(s => s.UserId == user.Id).Select(s => s.StoreId).ToListAsync(ct);
        return new StaffMemberView(user.Id, user.Email ?? "", user.DisplayName, Roles.Of(roles)!, stores,
            user.LockoutEnd > clock.GetUtcNow(), user.CreatedAtUtc);
    }

    private static string CheckRole(string? role, ProblemList problems)
    {
        if (role is not null && Roles.All.Contains(role)) return role;
        problems.Add("role", "Choose Picker, Support, Ops or Admin.");
        return Roles.Ops;
    }

    /// <summary>
    /// The stores a role applies to, said every time (never "every store" by leaving it empty): an Ops colleague at least one,
    /// all of them named if they work for all; an admin none, since an admin sees every store.
    /// </summary>
    private async Task<List<int>> CheckStoresAsync(string role, IReadOnlyList<int>? storeIds, ProblemList problems, CancellationToken ct)
    {
        var wanted = (storeIds ?? []).Distinct().ToList();
        if (role == Roles.Admin)
        {
            if (wanted.Count > 0) problems.Add("stores", "An admin sees every store: send no stores with the Admin role.");
            return [];
        }
        if (wanted.Count == 0) problems.Add("stores", $"Choose the stores they work for: a colleague in {role} sees only their stores.");
        var known = await db.Stores.AsNoTracking().Where(s => wanted.Contains(s.Id)).Select(s => s.Id).ToListAsync(ct);
        foreach (var missing in wanted.Except(known)) problems.Add("stores", $"There is no store {PublicId.Format(PublicId.Store, missing)}.");
        return known.Order().ToList();
    }

    private static void RequireAdmin(StaffActor staff)
    {
        if (!staff.IsAdmin) throw new AccessDeniedException("Only an admin manages staff.");
    }

    private static async Task Check(Task<IdentityResult> step)
    {
        var result = await step;
        if (!result.Succeeded) throw new InvalidOperationException(string.Join(" ", result.Errors.Select(e => e.Description)));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Staff account {Email} created by {StaffId} as {Role}")]
    private static partial void LogCreated(ILogger logger, [Personal] string email, string staffId, string role);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Staff account {Email} locked by {StaffId}")]
    private static partial void LogLocked(ILogger logger, [Personal] string email, string staffId);
}
