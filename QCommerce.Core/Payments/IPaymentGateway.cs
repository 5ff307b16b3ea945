namespace QCommerce.Core.Payments;

/// <summary>What the PSP is asked to charge for one attempt; the amount is the order's total.</summary>
public sealed record IntentRequest(long AmountMinor, string Currency, string OrderId, string PaymentId, int Attempt, string ReturnUrl);

/// <summary>A PaymentIntent as the rest of QCommerce sees it.</summary>
public sealed record PspIntent(string Id, PspIntentStatus Status, long AmountMinor, long AmountReceivedMinor, string Currency, string? RedirectUrl, string? FailureMessage);

/// <summary>A refund as the PSP reports it; <see cref="LocalKey"/> is ours when we asked for it.</summary>
public sealed record PspRefund(string Id, string IntentId, long AmountMinor, RefundStatus Status, Guid? LocalKey, string? FailureReason);

/// <summary>
/// The one port to the payment provider (DESIGN §5). Every call that creates something carries
/// an idempotency key the caller stored first, so repeating a call never charges or refunds twice.
/// </summary>
public interface IPaymentGateway
{
    Task<PspIntent> CreateIntentAsync(IntentRequest request, string idempotencyKey, CancellationToken ct);

    Task<PspIntent> GetIntentAsync(string intentId, CancellationToken ct);

    /// <summary>Cancels a PaymentIntent still waiting for the shopper; one that already succeeded is returned as it is.</summary>
    Task<PspIntent> CancelIntentAsync(string intentId, CancellationToken ct);

    Task<PspRefund> CreateRefundAsync(string intentId, long amountMinor, Guid localKey, string idempotencyKey, CancellationToken ct);

    Task<PspRefund> GetRefundAsync(string refundId, CancellationToken ct);

    Task<IReadOnlyList<PspRefund>> ListRefundsAsync(string intentId, CancellationToken ct);

    /// <summary>The PSP's own log of events since a moment, oldest first: what webhooks should have brought.</summary>
    Task<IReadOnlyList<PspEventInput>> ListEventsAsync(DateTime sinceUtc, CancellationToken ct);
}

/// <summary>The PSP did not answer (timeout, 5xx, network) even after retries: try again later; nothing changed.</summary>
public sealed class PaymentProviderUnavailableException(string message, Exception? inner = null) : Exception(message, inner);

/// <summary>The PSP answered that the PaymentIntent or refund we named does not exist there (another account, or a deleted test object).</summary>
public sealed class PspObjectMissingException(string message, Exception? inner = null) : Exception(message, inner);
