using System.Globalization;
using QCommerce.Core.Data;
using QCommerce.Core.Payments;

namespace QCommerce.Core.Ops;

public sealed record OpsPaymentRow(int PaymentId, int OrderId, int StoreId, PaymentStatus Status, Money Amount, Money Captured, Money Refunded, int Attempts,
    string? PspReference, string? Problem, DateTime CreatedAtUtc, DateTime UpdatedAtUtc)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Payment, PaymentId);
    public string OrderPublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);
}

public sealed record OpsPaymentPage(IReadOnlyList<OpsPaymentRow> Items, string? NextCursor);

/// <summary>Payments for ops, newest first by id within the reader's stores, filtered by status, store and day (indexes: <c>Payments(Status, UpdatedAtUtc)</c>, PK).</summary>
public sealed class OpsPaymentQueries(IDbContextFactory<QCommerceDbContext> contexts)
{
    public async Task<OpsPaymentPage> ListAsync(StaffActor staff, PaymentStatus? status, int? storeId, DateTime? fromUtc, DateTime? toUtc, string? cursor,
        int pageSize = 50, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, 200);
        int? after = null;
        if (!string.IsNullOrEmpty(cursor))
            after = int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0 ? id
                : throw new RequestRejectedException(new Dictionary<string, string[]> { ["cursor"] = ["This cursor is not one a page of payments gave."] });
        var scope = storeId is { } one ? (staff.CanSee(one) ? [one] : []) : staff.StoreIds?.ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = from p in db.Payments.AsNoTracking()
                   join o in db.Orders.AsNoTracking() on p.OrderId equals o.Id
                   where scope == null || scope.Contains(o.StoreId)
                   select new { p, o.StoreId };
        if (status is { } s) rows = rows.Where(r => r.p.Status == s);
        if (fromUtc is { } from) rows = rows.Where(r => r.p.CreatedAtUtc >= from);
        if (toUtc is { } to) rows = rows.Where(r => r.p.CreatedAtUtc < to);
        if (after is { } last) rows = rows.Where(r => r.p.Id < last);
        var page = await rows.OrderByDescending(r => r.p.Id).Take(pageSize + 1).ToListAsync(ct);
        var items = page.Take(pageSize).Select(r =>
        {
            var p = r.p;
            Money M(long v) => new(p.Currency, v);
            var problem = p.ReviewNote ?? p.FailureMessage ?? p.Refunds.FirstOrDefault(x => x.Status == RefundStatus.Failed)?.FailureMessage;
            return new OpsPaymentRow(p.Id, p.OrderId, r.StoreId, p.Status, p.Amount, M(p.CapturedMinor), M(p.RefundedMinor), p.Attempts.Count,
                p.CurrentAttempt.PspReference, problem, p.CreatedAtUtc, p.UpdatedAtUtc);
        }).ToList();
        return new OpsPaymentPage(items, page.Count > pageSize ? items[^1].PaymentId.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>The order a payment belongs to, if the staff member may see that order's store.</summary>
    public async Task<int?> OrderOfAsync(StaffActor staff, int paymentId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await (from p in db.Payments.AsNoTracking()
                         join o in db.Orders.AsNoTracking() on p.OrderId equals o.Id
                         where p.Id == paymentId
                         select new { o.Id, o.StoreId }).FirstOrDefaultAsync(ct);
        return row is not null && staff.CanSee(row.StoreId) ? row.Id : null;
    }
}
