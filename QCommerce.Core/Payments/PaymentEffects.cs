using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>
/// What payments do to orders, and orders to payments, delivered through the outbox (DESIGN §4):
/// captured → Paid with the stock committed; failed → PaymentFailed (the reservation lasts its TTL);
/// a 3-D Secure challenge → the reservation outlives it; a full refund → Refunded with the stock back;
/// a paid order cancelled → refunded; an order cancelled while its card page is open → the PaymentIntent
/// cancelled, and money that still arrives is refunded; a refund promised by staff or a short pick → asked of the PSP. This class decides which outcome an event is;
/// what an outcome does to the order is <see cref="OrderPaymentOutcomes"/>'s. Each effect happens once per event.
/// </summary>
public sealed class PaymentEffects(IDbContextFactory<QCommerceDbContext> contexts, PaymentUpdates updates, RefundService refunds, OrderPaymentOutcomes orders,
    IOptions<PaymentsOptions> options, TimeProvider clock, ILogger<PaymentEffects> logger) : IOutboxHandler
{
    public string Name => "payments.order-effects";

    public bool Handles(string eventType) => eventType is EventTypes.PaymentCaptured or EventTypes.PaymentFailed or EventTypes.PaymentRequiresAction
        or EventTypes.RefundSucceeded or EventTypes.RefundFailed or EventTypes.OrderStatusChanged or EventTypes.OrderCancelled
        or EventTypes.RefundRequested;

    public async Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
    {
        switch (message.Type)
        {
            case EventTypes.OrderStatusChanged:
                var change = message.Read<OrderStatusChangedEvent>();
                if (change.To == OrderStatus.RefundPending) await RefundCancelledOrderAsync(change.OrderId, change.Reason, message, ct);
                return;
            case EventTypes.OrderCancelled:
                await updates.CancelLiveIntentAsync(message.Read<OrderStatusChangedEvent>().OrderId, ct);
                return;
            case EventTypes.RefundRequested:
                // Promised already (with its key) in the transaction that decided it: the PSP gets that key, so a redelivery is one refund.
                var asked = message.Read<RefundRequestedEvent>();
                await refunds.RefundAsync(asked.PaymentId, asked.AmountMinor, asked.Reason, asked.Actor, asked.RefundKey, ct);
                return;
            default:
                var data = message.Read<PaymentEventData>();
                if (await OutcomeAsync(message, data, ct) is { } outcome)
                    await orders.ApplyAsync(data.OrderId, outcome, Name, message.EventId, message.Type, ct);
                return;
        }
    }

    private async Task RefundCancelledOrderAsync(int orderId, string? reason, OutboxEnvelope message, CancellationToken ct)
    {
        Payment? payment;
        await using (var db = await contexts.CreateDbContextAsync(ct))
            payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
        if (payment is { Status: PaymentStatus.Refunded })
        {
            // Refunded in full already (at the PSP, before the shopper cancelled): nothing to ask; close the order.
            await orders.ApplyAsync(orderId, new PaymentOutcome(PaymentOutcomeKind.RefundedInFull), Name, message.EventId, "already refunded in full", ct);
            return;
        }
        if (payment is not { Status: PaymentStatus.Captured } || (payment.RefundableMinor <= 0 && payment.Refunds.All(r => r.Key != message.EventId))) return;
        // The event id is the refund's key: a redelivered event finds the same refund instead of a second one.
        await refunds.RefundAsync(payment.Id, null, reason ?? "Order cancelled after payment.", "system", message.EventId, ct);
    }

    /// <summary>What a payment event means for its order; null when it means nothing (an attempt no longer current).</summary>
    private async Task<PaymentOutcome?> OutcomeAsync(OutboxEnvelope message, PaymentEventData data, CancellationToken ct)
    {
        var amount = new Money(data.Currency, data.AmountMinor);
        switch (message.Type)
        {
            case EventTypes.PaymentCaptured:
                var (status, total, currency) = await orders.StateAsync(data.OrderId, ct);
                if (status == OrderStatus.Cancelled)
                {
                    // The order was cancelled (or expired) while the shopper was paying: the money goes back.
                    await refunds.RefundAsync(data.PaymentId, null, "The order had been cancelled when the payment arrived.", "system", message.EventId, ct);
                    return new PaymentOutcome(PaymentOutcomeKind.Note, $"A payment of {amount} arrived after the order was cancelled; it is being refunded.");
                }
                if (status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed
                    && (total != data.AmountMinor || !string.Equals(currency, data.Currency, StringComparison.OrdinalIgnoreCase)))
                {
                    // Money for an earlier version of the order (changed after a decline, the old page paid anyway): an order is
                    // never paid for less, or more, than it costs; the money goes back and the shopper orders again.
                    await refunds.RefundAsync(data.PaymentId, null, "The order had changed when this payment arrived.", "system", message.EventId, ct);
                    logger.LogError("Payment {PaymentId} captured {Amount} for order {OrderId}, which now costs {Total}: not marked paid, refunded in full",
                        PublicId.Format(PublicId.Payment, data.PaymentId), amount, PublicId.Format(PublicId.Order, data.OrderId), new Money(currency, total));
                    return new PaymentOutcome(PaymentOutcomeKind.Note, $"A payment of {amount} arrived for an earlier version of this order, which now costs "
                        + $"{new Money(currency, total)}; it is being refunded in full. Please place the order again.");
                }
                return new PaymentOutcome(PaymentOutcomeKind.Paid);
            case EventTypes.PaymentFailed:
                // Only the current attempt's failure counts: a retry may already be under way.
                var payment = await PaymentAsync(data.PaymentId, ct);
                return payment.Status == PaymentStatus.Failed && payment.CurrentAttempt.Number == data.Attempt
                    ? new PaymentOutcome(PaymentOutcomeKind.Failed, data.Message)
                    : null;
            case EventTypes.PaymentRequiresAction:
                return new PaymentOutcome(PaymentOutcomeKind.ChallengePending, HoldUntilUtc: clock.UtcNow() + options.Value.ChallengeHold);
            case EventTypes.RefundSucceeded:
                return (await PaymentAsync(data.PaymentId, ct)).Status == PaymentStatus.Refunded
                    ? new PaymentOutcome(PaymentOutcomeKind.RefundedInFull, $"Refunded {amount}.")
                    : new PaymentOutcome(PaymentOutcomeKind.Note, $"Refunded {amount}.");
            case EventTypes.RefundFailed:
                logger.LogError("Refund of {Amount} for order {OrderId} failed at the PSP: {Reason}; needs an operator",
                    amount, PublicId.Format(PublicId.Order, data.OrderId), data.Message);
                return new PaymentOutcome(PaymentOutcomeKind.Note, $"A refund of {amount} failed at the payment provider; the store will look into it.");
            default:
                return null;
        }
    }

    private async Task<Payment> PaymentAsync(int paymentId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Payments.AsNoTracking().FirstAsync(p => p.Id == paymentId, ct);
    }
}
