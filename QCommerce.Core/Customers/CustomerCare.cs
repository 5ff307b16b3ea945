using QCommerce.Core.Data;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;

namespace QCommerce.Core.Customers;

public sealed record CustomerAddress(string Label, string Line1, string? Line2, string City, string Zip, bool IsDefault);

public sealed record CustomerOrder(int OrderId, int StoreId, OrderStatus Status, PaymentMethod PaymentMethod, Money Total, DateTime CreatedAtUtc);

public sealed record CustomerRefund(int RefundId, Money Amount, RefundStatus Status, string Reason, DateTime CreatedAtUtc);

public sealed record CustomerPayment(int PaymentId, int OrderId, PaymentStatus Status, Money Amount, Money Captured, Money Refunded, IReadOnlyList<CustomerRefund> Refunds);

public sealed record CustomerNoteView(string Text, string StaffEmail, DateTime AtUtc);

/// <summary>Who locked an account, when and why (from the audit log), so a colleague about to unlock it knows.</summary>
public sealed record CustomerLock(string StaffEmail, DateTime AtUtc, string? Reason);

/// <summary>A customer's page for support: the account, addresses, orders, payments and refunds (at the colleague's stores), and staff notes.</summary>
public sealed record CustomerDetail(string UserId, string Name, string Email, bool EmailConfirmed, string? Phone, DateTime CreatedAtUtc, bool Locked,
    IReadOnlyList<CustomerAddress> Addresses, IReadOnlyList<CustomerOrder> Orders, IReadOnlyList<CustomerPayment> Payments, IReadOnlyList<CustomerNoteView> Notes,
    CustomerLock? Lock = null);

/// <summary>
/// Support's view of one customer and what they do for them: notes only staff read, and locking the account (the shopper
/// is signed out everywhere at once) or unlocking it. The customer is the chain's, so any colleague in Support finds them;
/// the orders, payments and refunds shown are those of the colleague's stores. Each look and each action is audited,
/// under the account's id (never its e-mail, which the audit log would then keep).
/// </summary>
public sealed class CustomerCare(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock, ILogger<CustomerCare> logger)
{
    public async Task<CustomerDetail> ReadAsync(StaffActor staff, string userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var user = await CustomerAsync(db, userId, ct);
        var scope = staff.StoreIds?.ToList();
        var addresses = await db.SavedAddresses.AsNoTracking().Where(a => a.UserId == userId).OrderByDescending(a => a.IsDefault).ThenBy(a => a.Label)
            .Select(a => new CustomerAddress(a.Label, a.Line1, a.Line2, a.City, a.Zip, a.IsDefault)).ToListAsync(ct);
        var orders = await db.Orders.AsNoTracking().IgnoreAutoIncludes().Where(o => o.UserId == userId && (scope == null || scope.Contains(o.StoreId)))
            .OrderByDescending(o => o.Id).Take(100)
            .Select(o => new { o.Id, o.StoreId, o.Status, o.PaymentMethod, o.Currency, o.TotalMinor, o.CreatedAtUtc }).ToListAsync(ct);
        var orderIds = orders.Select(o => o.Id).ToList();
        var payments = await db.Payments.AsNoTracking().Include(p => p.Refunds).Where(p => orderIds.Contains(p.OrderId)).OrderByDescending(p => p.Id).ToListAsync(ct);
        var notes = await db.Set<CustomerNote>().AsNoTracking().Where(n => n.UserId == userId).OrderByDescending(n => n.AtUtc).Take(100)
            .Select(n => new CustomerNoteView(n.Text, n.StaffEmail, n.AtUtc)).ToListAsync(ct);

        var locked = user.LockoutEnd > clock.GetUtcNow();
        var lockRow = locked
            ? await db.AuditLog.AsNoTracking().Where(a => a.EntityType == "customer" && a.EntityId == userId && a.Action == AuditActions.CustomerLock)
                .OrderByDescending(a => a.AtUtc).Select(a => new CustomerLock(a.StaffEmail, a.AtUtc, a.Note)).FirstOrDefaultAsync(ct)
            : null;
        Audit.Record(db, staff, AuditActions.CustomerView, "customer", userId, null, null, null, null, clock.UtcNow());
        await db.SaveChangesAsync(ct);
        return new CustomerDetail(user.Id, user.DisplayName, user.Email ?? "", user.EmailConfirmed, user.PhoneNumber, user.CreatedAtUtc, user.LockoutEnd > clock.GetUtcNow(),
            addresses,
            orders.Select(o => new CustomerOrder(o.Id, o.StoreId, o.Status, o.PaymentMethod, new Money(o.Currency, o.TotalMinor), o.CreatedAtUtc)).ToList(),
            payments.Select(p => new CustomerPayment(p.Id, p.OrderId, p.Status, new Money(p.Currency, p.AmountMinor), new Money(p.Currency, p.CapturedMinor),
                new Money(p.Currency, p.RefundedMinor),
                p.Refunds.OrderByDescending(r => r.Id).Select(r => new CustomerRefund(r.Id, new Money(p.Currency, r.AmountMinor), r.Status, r.Reason, r.CreatedAtUtc)).ToList()))
                .ToList(),
            notes, lockRow);
    }

    public async Task AddNoteAsync(StaffActor staff, string userId, string? text, CancellationToken ct = default)
    {
        // A note may run over several lines (a call, then what was promised); other control characters are refused.
        var clean = (text ?? "").Replace("\r\n", "\n").Replace('\r', '\n').Trim();
        var problem = clean.Length == 0 ? "Write the note." : TextRules.Problem(clean.Replace('\n', ' '), CustomerNote.MaxLength, "A note");
        if (problem is not null) throw new RequestRejectedException(new Dictionary<string, string[]> { ["text"] = [problem] });
        await using var db = await contexts.CreateDbContextAsync(ct);
        await CustomerAsync(db, userId, ct);
        var now = clock.UtcNow();
        db.Add(new CustomerNote(userId, clean, staff, now));
        Audit.Record(db, staff, AuditActions.CustomerNote, "customer", userId, null, null, null, clean, now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Locks the account (signed out everywhere at once: a new security stamp) or unlocks it; a reason is kept in the audit log.</summary>
    public async Task SetLockedAsync(StaffActor staff, string userId, bool locked, string? reason, CancellationToken ct = default)
    {
        var why = reason?.Trim() ?? "";
        if (why.Length == 0)
            throw new RequestRejectedException(new Dictionary<string, string[]>
            {
                ["reason"] = [locked ? "Say why the account is locked; colleagues see it until it is unlocked." : "Say why the lock ends; it stays in the audit log."],
            });
        if (TextRules.Problem(why, Audit.MaxNoteLength, "A reason") is { } bad)
            throw new RequestRejectedException(new Dictionary<string, string[]> { ["reason"] = [bad] });
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await CustomerAsync(db, userId, ct);
        var now = clock.UtcNow();
        DateTimeOffset? until = locked ? DateTimeOffset.MaxValue : null;
        var stamp = Guid.NewGuid().ToString("N").ToUpperInvariant();
        await db.Users.Where(u => u.Id == userId).ExecuteUpdateAsync(s => s.SetProperty(u => u.LockoutEnd, until).SetProperty(u => u.LockoutEnabled, true)
            .SetProperty(u => u.AccessFailedCount, 0).SetProperty(u => u.SecurityStamp, u => locked ? stamp : u.SecurityStamp)
            .SetProperty(u => u.ConcurrencyStamp, Guid.NewGuid().ToString()), ct);
        Audit.Record(db, staff, locked ? AuditActions.CustomerLock : AuditActions.CustomerUnlock, "customer", userId, null, null, null, why, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Customer {UserId} {Action} by {StaffId}", userId, locked ? "locked" : "unlocked", staff.UserId);
    }

    /// <summary>The shopper's account; a colleague's account (or none) is no customer.</summary>
    private static async Task<Identity.AppUser> CustomerAsync(QCommerceDbContext db, string userId, CancellationToken ct)
    {
        var user = await db.Users.AsNoTracking().FirstOrDefaultAsync(u => u.Id == userId, ct);
        if (user is null || await db.UserRoles.AnyAsync(r => r.UserId == userId, ct)) throw new NotFoundException("Customer", userId);
        return user;
    }
}
