using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>
/// What payments do to orders, and orders to payments, delivered through the outbox (architecture §4). This class says what a
/// payment event means for the order (<see cref="PaymentOutcome"/>); the order's own account decides what follows
/// (<see cref="OrderPaymentOutcomes"/>): held (paid), charged, failed, a 3-D Secure challenge, a hold ended, a capture
/// refused, refunds settled or made at the PSP. The other way: an order cancelled while its card page is open or its money
/// held has its PaymentIntent cancelled (money that still arrives goes back by the order's account), and the capture, hold
/// release or refund the order asked for is asked of the PSP. Each effect happens once per event.
/// </summary>
public sealed class PaymentEffects(IDbContextFactory<QCommerceDbContext> contexts, PaymentUpdates updates, RefundService refunds, CaptureService captures,
    OrderPaymentOutcomes orders,
    IOptions<PaymentsOptions> options, TimeProvider clock, ILogger<PaymentEffects> logger) : IOutboxHandler
{
    public string Name => "payments.order-effects";

    public bool Handles(string eventType) => eventType is EventTypes.PaymentAuthorized or EventTypes.PaymentCaptured or EventTypes.PaymentFailed
        or EventTypes.PaymentRequiresAction or EventTypes.PaymentVoided or EventTypes.PaymentExpired or EventTypes.CaptureFailed
        or EventTypes.RefundSucceeded or EventTypes.RefundFailed or EventTypes.OrderCancelled or EventTypes.RefundRequested
        or EventTypes.CaptureRequested or EventTypes.HoldReleaseRequested;

    public async Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
    {
        switch (message.Type)
        {
            case EventTypes.OrderCancelled:
                await updates.CancelLiveIntentAsync(message.Read<OrderStatusChangedEvent>().OrderId, ct);
                return;
            case EventTypes.HoldReleaseRequested:
                await updates.CancelLiveIntentAsync(message.Read<HoldReleaseRequestedEvent>().OrderId, ct);
                return;
            case EventTypes.CaptureRequested:
                // Asked already (with its key) in the transaction of the pick: the PSP gets that key, so a redelivery is one capture.
                var capture = message.Read<CaptureRequestedEvent>();
                await captures.CaptureAsync(capture.PaymentId, capture.CaptureKey, message.FailedBefore, ct);
                return;
            case EventTypes.RefundRequested:
                // Promised already (with its key) in the transaction that decided it: the PSP gets that key, so a redelivery is one refund.
                var asked = message.Read<RefundRequestedEvent>();
                await refunds.AskPspAsync(asked.PaymentId, asked.RefundKey, ct);
                return;
            default:
                var data = message.Read<PaymentEventData>();
                if (await OutcomeAsync(message, data, ct) is { } outcome)
                    await orders.ApplyAsync(data.OrderId, outcome, Name, message.EventId, message.Type, ct);
                return;
        }
    }

    /// <summary>What a payment event means for its order; null when it means nothing (an attempt no longer current).</summary>
    private async Task<PaymentOutcome?> OutcomeAsync(OutboxEnvelope message, PaymentEventData data, CancellationToken ct)
    {
        switch (message.Type)
        {
            case EventTypes.PaymentAuthorized:
                return new PaymentOutcome.Held(data.AmountMinor, data.Currency);
            case EventTypes.PaymentCaptured:
                return new PaymentOutcome.Captured(data.AmountMinor, data.Currency);
            case EventTypes.PaymentVoided or EventTypes.PaymentExpired:
                return new PaymentOutcome.HoldEnded(message.Type == EventTypes.PaymentExpired);
            case EventTypes.CaptureFailed:
                return new PaymentOutcome.CaptureRefused(data.Message ?? "the payment provider refused it");
            case EventTypes.PaymentFailed:
                // Only the current attempt's failure counts: a retry may already be under way.
                var payment = await PaymentAsync(data.PaymentId, ct);
                return payment.Status == PaymentStatus.Failed && payment.CurrentAttempt.Number == data.Attempt
                    ? new PaymentOutcome.Failed(data.Message)
                    : null;
            case EventTypes.PaymentRequiresAction:
                return new PaymentOutcome.ChallengePending(clock.UtcNow() + options.Value.ChallengeHold);
            case EventTypes.RefundSucceeded when data.Unasked:
                return new PaymentOutcome.UnaskedRefund(data.AmountMinor, data.PspReference ?? "");
            case EventTypes.RefundSucceeded:
                return new PaymentOutcome.RefundSettled(data.AmountMinor, true, null);
            case EventTypes.RefundFailed:
                logger.LogError("Refund of {Amount} for order {OrderId} failed at the PSP: {Reason}; needs an operator",
                    new Money(data.Currency, data.AmountMinor), PublicId.Format(PublicId.Order, data.OrderId), data.Message);
                return data.Unasked ? null : new PaymentOutcome.RefundSettled(data.AmountMinor, false, data.Message);
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
