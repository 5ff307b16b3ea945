using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QCommerce.Core.Common;
using QCommerce.Core.Data;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>
/// What payments do to orders, and orders to payments, delivered through the outbox (DESIGN §4):
/// captured → Paid with the stock committed; failed → PaymentFailed (the reservation lasts its TTL);
/// a 3-D Secure challenge → the reservation outlives it; a full refund → Refunded with the stock back;
/// a paid order cancelled → refunded; an order cancelled while its card page is open → the PaymentIntent
/// cancelled, and money that still arrives is refunded. Each effect happens once per event.
/// </summary>
public sealed class PaymentEffects(IDbContextFactory<QCommerceDbContext> contexts, PaymentService payments, TimeProvider clock,
    IOptions<PaymentsOptions> options, ILogger<PaymentEffects> logger) : IOutboxHandler
{
    public string Name => "payments.order-effects";

    public bool Handles(string eventType) => eventType is EventTypes.PaymentCaptured or EventTypes.PaymentFailed or EventTypes.PaymentRequiresAction
        or EventTypes.RefundSucceeded or EventTypes.RefundFailed or EventTypes.OrderStatusChanged or EventTypes.OrderCancelled;

    public async Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
    {
        switch (message.Type)
        {
            case EventTypes.OrderStatusChanged:
                var change = message.Read<OrderStatusChangedEvent>();
                if (change.To == OrderStatus.RefundPending) await RefundCancelledOrderAsync(change.OrderId, change.Reason, message.EventId, ct);
                return;
            case EventTypes.OrderCancelled:
                await payments.CancelLiveIntentAsync(message.Read<OrderStatusChangedEvent>().OrderId, ct);
                return;
            default:
                await ApplyToOrderAsync(message, message.Read<PaymentEventData>(), ct);
                return;
        }
    }

    private async Task RefundCancelledOrderAsync(int orderId, string? reason, Guid eventId, CancellationToken ct)
    {
        Payment? payment;
        await using (var db = await contexts.CreateDbContextAsync(ct))
            payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
        if (payment is { Status: PaymentStatus.Refunded })
        {
            // Refunded in full already (at the PSP, before the shopper cancelled): nothing to ask; close the order.
            await CloseRefundedOrderAsync(orderId, ct);
            return;
        }
        if (payment is not { Status: PaymentStatus.Captured } || (payment.RefundableMinor <= 0 && payment.Refunds.All(r => r.Key != eventId))) return;
        // The event id is the refund's key: a redelivered event finds the same refund instead of a second one.
        await payments.RefundAsync(payment.Id, null, reason ?? "Order cancelled after payment.", "system", eventId, ct);
    }

    private async Task CloseRefundedOrderAsync(int orderId, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var order = await db.Orders.Include(o => o.Lines).FirstAsync(o => o.Id == orderId, ct);
        if (order.Status != OrderStatus.RefundPending) return;
        var before = order.MarkRefunded("psp", now);
        Outbox.Enqueue(db, EventTypes.OrderStatusChanged, order.PublicId,
            new OrderStatusChangedEvent(order.Id, order.StoreId, OrderStatus.RefundPending, order.Status, "psp", "Already refunded in full"), now);
        await db.SaveChangesAsync(ct);
        await OrderService.ReleaseHoldsAsync(db, order, before, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Order {OrderId} closed as refunded: its payment had been refunded in full already", order.PublicId);
    }

    private async Task ApplyToOrderAsync(OutboxEnvelope message, PaymentEventData data, CancellationToken ct)
    {
        var (cancelled, costsOtherwise) = message.Type == EventTypes.PaymentCaptured ? await CheckCaptureAsync(data, ct) : (false, false);
        if (cancelled)
        {
            // The order was cancelled (or expired) while the shopper was paying: the money goes back.
            await payments.RefundAsync(data.PaymentId, null, "The order had been cancelled when the payment arrived.", "system", message.EventId, ct);
        }
        else if (costsOtherwise)
        {
            // Money for an earlier version of the order (changed after a decline, the old page paid anyway): an order is
            // never paid for less, or more, than it costs; the money goes back and the shopper orders again.
            await payments.RefundAsync(data.PaymentId, null, "The order had changed when this payment arrived.", "system", message.EventId, ct);
        }

        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await Outbox.AlreadyProcessedAsync(db, Name, message.EventId, ct)) return;
        var order = await db.Orders.Include(o => o.Lines).FirstAsync(o => o.Id == data.OrderId, ct);
        var payment = await db.Payments.FirstAsync(p => p.Id == data.PaymentId, ct);
        var from = order.Status;
        var amount = new Money(data.Currency, data.AmountMinor);
        Func<Task>? moveStock = null; // after the order's row is saved: a racing writer loses on its version first

        switch (message.Type)
        {
            case EventTypes.PaymentCaptured when costsOtherwise && order.Status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed:
                order.Note("psp", $"A payment of {amount} arrived for an earlier version of this order, which now costs {new Money(order.Currency, order.TotalMinor)}; "
                    + "it is being refunded in full. Please place the order again.", now);
                logger.LogError("Payment {PaymentId} captured {Amount} for order {OrderId}, which now costs {Total}: not marked paid, refunded in full",
                    PublicId.Format(PublicId.Payment, data.PaymentId), amount, order.PublicId, new Money(order.Currency, order.TotalMinor));
                break;
            case EventTypes.PaymentCaptured when order.Status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed:
                var held = order.ReservationStatus == ReservationStatus.Held;
                order.MarkPaid("psp", now);
                if (held) moveStock = () => StockReservations.CommitAsync(db, order.StoreId, order.QuantitiesBySku(), ct);
                break;
            case EventTypes.PaymentCaptured when order.Status is OrderStatus.Cancelled:
                order.Note("psp", $"A payment of {amount} arrived after the order was cancelled; it is being refunded.", now);
                break;
            case EventTypes.PaymentFailed when order.Status is OrderStatus.PendingPayment
                && payment.Status == PaymentStatus.Failed && payment.CurrentAttempt.Number == data.Attempt:
                order.FailPayment(data.Message is { Length: > 0 } why ? $"Payment failed: {why}" : "Payment failed.", "psp", now);
                break;
            case EventTypes.PaymentRequiresAction when order.ReservationStatus == ReservationStatus.Held:
                order.ExtendReservation(now + options.Value.ChallengeHold);
                order.Note("psp", "Waiting for the bank to confirm the payment (3-D Secure); the items stay reserved.", now);
                break;
            case EventTypes.RefundSucceeded when order.Status is OrderStatus.RefundPending && payment.Status == PaymentStatus.Refunded:
                var before = order.MarkRefunded("psp", now);
                moveStock = () => OrderService.ReleaseHoldsAsync(db, order, before, ct);
                break;
            case EventTypes.RefundSucceeded:
                order.Note("psp", $"Refunded {amount}.", now);
                break;
            case EventTypes.RefundFailed:
                order.Note("psp", $"A refund of {amount} failed at the payment provider; the store will look into it.", now);
                logger.LogError("Refund of {Amount} for order {OrderId} failed at the PSP: {Reason}; needs an operator", amount, order.PublicId, data.Message);
                break;
            default:
                logger.LogInformation("{EventType} for order {OrderId} ({Status}) changes nothing", message.Type, order.PublicId, order.Status);
                break;
        }
        if (order.Status != from)
            Outbox.Enqueue(db, EventTypes.OrderStatusChanged, order.PublicId, new OrderStatusChangedEvent(order.Id, order.StoreId, from, order.Status, "psp", message.Type), now);
        db.ProcessedMessages.Add(new ProcessedMessage(Name, message.EventId, now));
        await db.SaveChangesAsync(ct);
        if (moveStock is not null) await moveStock();
        await tx.CommitAsync(ct);
        if (order.Status != from) logger.LogInformation("Order {OrderId}: {From} -> {To} after {EventType}", order.PublicId, from, order.Status, message.Type);
    }

    /// <summary>Whether captured money can pay its order: not once it is cancelled, and only for exactly what it costs now.</summary>
    private async Task<(bool Cancelled, bool CostsOtherwise)> CheckCaptureAsync(PaymentEventData data, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await db.Orders.AsNoTracking().Where(o => o.Id == data.OrderId)
            .Select(o => new { o.Status, o.TotalMinor, o.Currency }).FirstAsync(ct);
        var cancelled = order.Status == OrderStatus.Cancelled;
        var unpaid = order.Status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed;
        return (cancelled, unpaid && (order.TotalMinor != data.AmountMinor || !string.Equals(order.Currency, data.Currency, StringComparison.OrdinalIgnoreCase)));
    }
}
