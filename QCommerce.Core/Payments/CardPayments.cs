using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>The event that has the PSP take money the pick asked for of a hold, under the capture's own key.</summary>
public sealed record CaptureRequestedEvent(int OrderId, int PaymentId, Guid CaptureKey, long AmountMinor, string Currency);

/// <summary>The event that has the PSP release a hold the order no longer wants.</summary>
public sealed record HoldReleaseRequestedEvent(int OrderId, int PaymentId, string Reason);

/// <summary>
/// What the order's account asks of its card payment, written on the payment in the order's own transaction together with
/// the outbox event that then asks the PSP (<see cref="RefundService"/>, <see cref="CaptureService"/>): a refund promised,
/// the pick's capture, a hold released. A decision that rolls back asks nothing; one that commits is asked until the PSP answers.
/// </summary>
public sealed class CardPayments : ICardPayments
{
    public async Task PromiseRefundAsync(QCommerceDbContext db, Order order, RefundDue due, string actor, DateTime now, CancellationToken ct)
    {
        var payment = await PaymentOfAsync(db, order, $"owes {new Money(order.Currency, due.AmountMinor)} back", ct);
        var refund = payment.RequestRefund(due.AmountMinor, due.Reason, actor, now, due.Key);
        Outbox.Enqueue(db, EventTypes.RefundRequested, payment.PublicId,
            new RefundRequestedEvent(order.Id, payment.Id, refund.Key, refund.AmountMinor, payment.Currency, refund.Reason, actor), now);
    }

    public async Task AskCaptureAsync(QCommerceDbContext db, Order order, CaptureDue due, string actor, DateTime now, CancellationToken ct)
    {
        var payment = await PaymentOfAsync(db, order, $"asks to capture {new Money(order.Currency, due.AmountMinor)}", ct);
        payment.RequestCapture(due.AmountMinor, due.Key, now);
        Outbox.Enqueue(db, EventTypes.CaptureRequested, payment.PublicId,
            new CaptureRequestedEvent(order.Id, payment.Id, due.Key, due.AmountMinor, payment.Currency), now);
    }

    public async Task ReleaseHoldAsync(QCommerceDbContext db, Order order, ReleaseHoldDue due, string actor, DateTime now, CancellationToken ct)
    {
        var payment = await PaymentOfAsync(db, order, "asks to release a hold", ct);
        Outbox.Enqueue(db, EventTypes.HoldReleaseRequested, payment.PublicId, new HoldReleaseRequestedEvent(order.Id, payment.Id, due.Reason), now);
    }

    private static async Task<Payment> PaymentOfAsync(QCommerceDbContext db, Order order, string what, CancellationToken ct) =>
        await db.Payments.FirstOrDefaultAsync(p => p.OrderId == order.Id, ct)
        ?? throw new DomainException($"Order {order.PublicId} {what} but has no card payment.");
}
