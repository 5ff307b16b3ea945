using QCommerce.Core.Data;
using QCommerce.Core.Inventory;

namespace QCommerce.Core.Ordering;

/// <summary>What a card payment's outcome asks of its order; Payments decides which outcome an event is.</summary>
public enum PaymentOutcomeKind
{
    /// <summary>The money is taken: a waiting order is paid and its stock committed.</summary>
    Paid,

    /// <summary>The current attempt failed: the shopper may try again while the reservation lasts.</summary>
    Failed,

    /// <summary>The bank asks the shopper to confirm (3-D Secure): the reservation outlives the challenge.</summary>
    ChallengePending,

    /// <summary>The money is back in full: a refund-pending order closes as refunded and its stock returns.</summary>
    RefundedInFull,

    /// <summary>Something the shopper and the store should read on the order's timeline, nothing more.</summary>
    Note,
}

/// <summary>One outcome, with the words for the timeline and how long a challenge keeps the stock.</summary>
public sealed record PaymentOutcome(PaymentOutcomeKind Kind, string? Message = null, DateTime? HoldUntilUtc = null);

/// <summary>
/// The order's side of payments, in one place: what being paid, failing, waiting for 3-D Secure or being refunded
/// in full does to an order, its stock, slot and coupon use. Each outcome is applied once per event (the handler's
/// processed-message record commits with it), the order's row is saved before any shared row moves, and the order's
/// status change goes out through the outbox.
/// </summary>
public sealed class OrderPaymentOutcomes(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock,
    ILogger<OrderPaymentOutcomes> logger)
{
    public async Task ApplyAsync(int orderId, PaymentOutcome outcome, string handler, Guid eventId, string cause, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (await Outbox.AlreadyProcessedAsync(db, handler, eventId, ct)) return;
        var order = await db.Orders.Include(o => o.Lines).FirstAsync(o => o.Id == orderId, ct);
        var from = order.Status;
        Func<Task>? moveShared = null;

        switch (outcome.Kind)
        {
            case PaymentOutcomeKind.Paid when order.Status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed:
                var held = order.ReservationStatus == ReservationStatus.Held;
                order.MarkPaid("psp", now);
                if (held) moveShared = () => StockReservations.CommitAsync(db, order.StoreId, order.QuantitiesBySku(), order.PublicId, "psp", now, ct);
                break;
            case PaymentOutcomeKind.Failed when order.Status is OrderStatus.PendingPayment:
                order.FailPayment(outcome.Message is { Length: > 0 } why ? $"Payment failed: {why}" : "Payment failed.", "psp", now);
                break;
            case PaymentOutcomeKind.ChallengePending when order.ReservationStatus == ReservationStatus.Held && outcome.HoldUntilUtc is { } until:
                order.ExtendReservation(until);
                order.Note("psp", "Waiting for the bank to confirm the payment (3-D Secure); the items stay reserved.", now);
                break;
            case PaymentOutcomeKind.RefundedInFull when order.Status is OrderStatus.RefundPending:
                var before = order.MarkRefunded("psp", now);
                moveShared = () => OrderService.ReleaseHoldsAsync(db, order, before, "psp", now, ct);
                break;
            case PaymentOutcomeKind.Note or PaymentOutcomeKind.RefundedInFull when outcome.Message is { Length: > 0 } text:
                order.Note("psp", text, now);
                break;
            default:
                logger.LogInformation("{Cause} for order {OrderId} ({Status}) changes nothing", cause, order.PublicId, order.Status);
                break;
        }
        if (order.Status != from)
            Outbox.Enqueue(db, EventTypes.OrderStatusChanged, order.PublicId, new OrderStatusChangedEvent(order.Id, order.StoreId, from, order.Status, "psp", cause), now);
        db.ProcessedMessages.Add(new ProcessedMessage(handler, eventId, now));
        await db.SaveChangesAsync(ct);
        if (moveShared is not null) await moveShared();
        await tx.CommitAsync(ct);
        if (order.Status == from) return;
        logger.LogInformation("Order {OrderId}: {From} -> {To} after {Cause}", order.PublicId, from, order.Status, cause);
    }

    /// <summary>The state of an order as a payment's effects need to judge it.</summary>
    public async Task<(OrderStatus Status, long TotalMinor, string Currency)> StateAsync(int orderId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await db.Orders.AsNoTracking().Where(o => o.Id == orderId).Select(o => new { o.Status, o.TotalMinor, o.Currency }).FirstAsync(ct);
        return (order.Status, order.TotalMinor, order.Currency);
    }
}
