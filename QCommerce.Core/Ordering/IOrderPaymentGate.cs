namespace QCommerce.Core.Ordering;

/// <summary>
/// What Ordering asks of whoever takes its payments before an order's items or address change: that no earlier
/// payment attempt can still take the old total. Ordering states the need; Payments, a later feature, answers it
/// (so the arrow runs from Payments to Ordering, never back).
/// </summary>
public interface IOrderPaymentGate
{
    /// <summary>
    /// Closes the order's failed payment attempt at the PSP (a declined PaymentIntent can still be paid on its page).
    /// Throws <see cref="Common.ConflictException"/> when it turns out to have been paid after all.
    /// </summary>
    Task CloseStaleAttemptsAsync(int orderId, CancellationToken ct);

    /// <summary>
    /// Closes the order's open payment page (and its PaymentIntent) before its items or address change: the page asked for
    /// the old total. What the PSP answers reaches the order through the outbox. Throws <see cref="Common.ConflictException"/>
    /// when the shopper paid on it meanwhile.
    /// </summary>
    Task CloseOpenAttemptAsync(int orderId, CancellationToken ct);
}
