namespace QCommerce.Core.Payments;

/// <summary>One line of the PSP's checkout page: a good of the order at its price, or the tax.</summary>
public sealed record CheckoutLine(string Name, long UnitAmountMinor, int Quantity);

/// <summary>
/// What the PSP's hosted checkout page shows and asks for one attempt: the order's lines, delivery fee, tax and discount,
/// which add up to <see cref="TotalMinor"/> (the PSP checks that they do). The page closes at <see cref="ExpiresAtUtc"/>,
/// never after the order's stock is released.
/// </summary>
public sealed record CheckoutRequest(
    string Currency, IReadOnlyList<CheckoutLine> Lines, long DeliveryFeeMinor, long DiscountMinor, long TotalMinor,
    string OrderId, string PaymentId, int Attempt, string SuccessUrl, string CancelUrl, DateTime ExpiresAtUtc);

/// <summary>Which payment and attempt a PSP object was made for (its metadata), when it says so.</summary>
public sealed record PspPaymentRef(string PaymentId, int Attempt);

public enum PspCheckoutStatus
{
    /// <summary>The page is waiting for the shopper (a declined card leaves it open for another try).</summary>
    Open,

    /// <summary>The shopper paid (or the money is held): <see cref="PspCheckout.IntentId"/> says with which PaymentIntent.</summary>
    Complete,

    /// <summary>The page closed without a payment: it ran out of time, or we closed it.</summary>
    Expired,
}

/// <summary>A hosted checkout page (Stripe's Checkout Session) as the rest of QCommerce sees it.</summary>
public sealed record PspCheckout(string Id, PspCheckoutStatus Status, string? IntentId, long AmountTotalMinor, string Currency, string? Url,
    DateTime ExpiresAtUtc, PspPaymentRef? For);

/// <summary>A PaymentIntent as the rest of QCommerce sees it.</summary>
/// <param name="Lapsed">Cancelled by the PSP because the card's hold ran out (Stripe's cancellation_reason "automatic").</param>
public sealed record PspIntent(string Id, PspIntentStatus Status, long AmountMinor, long AmountReceivedMinor, string Currency, string? RedirectUrl, string? FailureMessage,
    PspPaymentRef? For = null, long AmountCapturableMinor = 0, bool Lapsed = false);

/// <summary>A refund as the PSP reports it; <see cref="LocalKey"/> is ours when we asked for it.</summary>
public sealed record PspRefund(string Id, string IntentId, long AmountMinor, RefundStatus Status, Guid? LocalKey, string? FailureReason);

/// <summary>
/// The one port to the payment provider (architecture §5). Every call that creates something carries
/// an idempotency key the caller stored first, so repeating a call never charges or refunds twice.
/// </summary>
public interface IPaymentGateway
{
    /// <summary>Opens the PSP's hosted checkout page for one attempt; the same key always answers the same page.</summary>
    Task<PspCheckout> CreateCheckoutAsync(CheckoutRequest request, string idempotencyKey, CancellationToken ct);

    Task<PspCheckout> GetCheckoutAsync(string checkoutId, CancellationToken ct);

    /// <summary>Closes a checkout page still open, so it cannot take money any more; one already complete or expired is returned as it is.</summary>
    Task<PspCheckout> ExpireCheckoutAsync(string checkoutId, CancellationToken ct);

    Task<PspIntent> GetIntentAsync(string intentId, CancellationToken ct);

    /// <summary>Cancels a PaymentIntent still waiting for the shopper; one that already succeeded is returned as it is.</summary>
    Task<PspIntent> CancelIntentAsync(string intentId, CancellationToken ct);

    /// <summary>Takes part or all of the money held on a PaymentIntent; the rest goes back to the card.</summary>
    Task<PspIntent> CaptureAsync(string intentId, long amountMinor, string idempotencyKey, CancellationToken ct);

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

/// <summary>The PSP answered, and said no for good (a capture of a hold that lapsed or was released, more than is held): asking again changes nothing.</summary>
public sealed class PaymentRefusedException(string message, Exception? inner = null) : Exception(message, inner);
