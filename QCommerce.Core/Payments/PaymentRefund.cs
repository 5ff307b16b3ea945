namespace QCommerce.Core.Payments;

/// <summary>Money going back to the shopper: asked of the PSP with its own key, settled by its answer or webhook.</summary>
public sealed class PaymentRefund
{
    private PaymentRefund() { }

    internal PaymentRefund(long amountMinor, string reason, string actor, DateTime now, Guid? key, bool unasked = false)
    {
        Unasked = unasked;
        Key = key ?? Guid.NewGuid();
        AmountMinor = amountMinor;
        Reason = reason;
        Actor = actor;
        Status = RefundStatus.Pending;
        CreatedAtUtc = now;
    }

    public int Id { get; private set; }
    public string PublicId => Common.PublicId.Format(Common.PublicId.Refund, Id);
    public int PaymentId { get; private set; }

    /// <summary>Ours: the PSP idempotency key and the metadata that ties the PSP's refund back to this row.</summary>
    public Guid Key { get; private set; }
    public string? PspRefundId { get; internal set; }
    public long AmountMinor { get; private set; }
    public RefundStatus Status { get; internal set; }
    public string Reason { get; private set; } = "";
    public string Actor { get; private set; } = "";
    public string? FailureMessage { get; internal set; }
    public DateTime CreatedAtUtc { get; private set; }
    public DateTime? CompletedAtUtc { get; internal set; }
    public string PspIdempotencyKey => $"qc-refund-{Key:N}";

    /// <summary>
    /// Made at the PSP directly (its dashboard), not promised by an order of ours. Stored, not read off the actor: a refund
    /// the order promises when the PSP's word arrives (money for a cancelled order) is the PSP's doing and ours all the same.
    /// </summary>
    public bool Unasked { get; private set; }
}
