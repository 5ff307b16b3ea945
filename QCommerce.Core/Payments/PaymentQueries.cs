using QCommerce.Core.Data;

namespace QCommerce.Core.Payments;

public sealed record PaymentAttemptView(int Number, PaymentStatus Status, Money Amount, string? PspReference, string? FailureMessage, DateTime CreatedAtUtc);

public sealed record PaymentRefundView(int Id, Money Amount, RefundStatus Status, string Reason, string? FailureMessage, DateTime CreatedAtUtc, DateTime? CompletedAtUtc)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Refund, Id);
}

/// <summary>A payment as the shopper, the API and ops see it.</summary>
public sealed record PaymentView(
    int Id, int OrderId, string UserId, PaymentStatus Status, Money Amount, Money Captured, Money Refunded, string? PspReference, string? RedirectUrl,
    string? FailureMessage, IReadOnlyList<PaymentAttemptView> Attempts, IReadOnlyList<PaymentRefundView> Refunds, DateTime CreatedAtUtc, DateTime UpdatedAtUtc)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Payment, Id);
    public string OrderPublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);
    public bool CanRetry => Status == PaymentStatus.Failed;

    /// <summary>The shopper can still go back to the PSP's page to finish this attempt.</summary>
    public bool CanContinue => Status is PaymentStatus.Initiated or PaymentStatus.RequiresAction && RedirectUrl is not null;

    public static PaymentView From(Payment p)
    {
        Money M(long v) => new(p.Currency, v);
        var current = p.CurrentAttempt;
        return new PaymentView(p.Id, p.OrderId, p.UserId, p.Status, p.Amount, M(p.CapturedMinor), M(p.RefundedMinor), current.PspReference, current.RedirectUrl,
            p.FailureMessage,
            p.Attempts.OrderBy(a => a.Number).Select(a => new PaymentAttemptView(a.Number, a.Status, M(a.AmountMinor), a.PspReference, a.FailureMessage, a.CreatedAtUtc)).ToList(),
            p.Refunds.OrderBy(r => r.Id).Select(r => new PaymentRefundView(r.Id, M(r.AmountMinor), r.Status, r.Reason, r.FailureMessage, r.CreatedAtUtc, r.CompletedAtUtc)).ToList(),
            p.CreatedAtUtc, p.UpdatedAtUtc);
    }
}

public sealed class PaymentQueries(IDbContextFactory<QCommerceDbContext> contexts)
{
    /// <summary>One payment; with a user id, only when it is that user's (another's is "not found").</summary>
    public async Task<PaymentView?> FindAsync(int paymentId, string? userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == paymentId && (userId == null || p.UserId == userId), ct);
        return payment is null ? null : PaymentView.From(payment);
    }

    public async Task<PaymentView?> ForOrderAsync(int orderId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
        return payment is null ? null : PaymentView.From(payment);
    }

    /// <summary>A cheap "has anything changed" probe for pages that wait for the PSP.</summary>
    public async Task<(PaymentStatus Status, int Version)?> StatusAsync(int paymentId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Payments.AsNoTracking().IgnoreAutoIncludes().Where(p => p.Id == paymentId)
            .Select(p => new { p.Status, p.Version }).FirstOrDefaultAsync(ct);
        return row is null ? null : (row.Status, row.Version);
    }
}
