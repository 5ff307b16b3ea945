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

    /// <summary>What the card held at checkout (zero when the money was taken at once), and when.</summary>
    public Money Held { get; init; } = new(Amount.Currency, 0);
    public DateTime? HeldAtUtc { get; init; }

    /// <summary>Held money that went back to the card uncharged.</summary>
    public Money Released { get; init; } = new(Amount.Currency, 0);

    /// <summary>What the pick asked to take of the hold, not yet confirmed by the PSP (zero: nothing in flight).</summary>
    public Money Capturing { get; init; } = new(Amount.Currency, 0);

    /// <summary>Why the PSP would not take the money held; null while nothing went wrong.</summary>
    public string? CaptureFailure { get; init; }

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
            p.CreatedAtUtc, p.UpdatedAtUtc)
        {
            Held = M(p.AuthorizedMinor), HeldAtUtc = p.AuthorizedAtUtc, Released = M(p.ReleasedMinor),
            Capturing = M(p.IsCapturing ? p.CaptureRequestedMinor : 0), CaptureFailure = p.CaptureFailure,
        };
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
