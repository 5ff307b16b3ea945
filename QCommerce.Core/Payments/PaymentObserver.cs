using QCommerce.Core.Data;

namespace QCommerce.Core.Payments;

/// <summary>
/// What one observation of the PSP (a PaymentIntent's state, a refund's) does to a payment, shared by starting,
/// webhooks, look-ups and refunds: the payment's move, its outbox event (keyed by the order, so order and payment
/// events stay in order) and the line an operator reads.
/// </summary>
public sealed class PaymentObserver(TimeProvider clock, ILogger<PaymentObserver> logger)
{
    public PaymentChange Observe(QCommerceDbContext db, Payment payment, PspIntent intent)
    {
        var now = clock.UtcNow();
        var change = payment.Observe(intent.Id, intent.Status, intent.AmountReceivedMinor, intent.Currency, intent.FailureMessage, now, intent.For,
            intent.AmountCapturableMinor, intent.Lapsed);
        if (change == PaymentChange.HeldForReview)
        {
            logger.LogError("Payment {PaymentId} of order {OrderId} held for review, not captured: {ReviewNote}",
                payment.PublicId, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId), payment.ReviewNote);
            Outbox.Enqueue(db, EventTypes.PaymentHeldForReview, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId),
                new PaymentEventData(payment.Id, payment.OrderId, payment.CurrentAttempt.Number, intent.AmountReceivedMinor, intent.Currency, payment.ReviewNote), now);
            return change;
        }
        var type = change switch
        {
            PaymentChange.RequiresAction => EventTypes.PaymentRequiresAction,
            PaymentChange.Authorized => EventTypes.PaymentAuthorized,
            PaymentChange.Captured => EventTypes.PaymentCaptured,
            PaymentChange.Failed => EventTypes.PaymentFailed,
            PaymentChange.Voided => EventTypes.PaymentVoided,
            PaymentChange.Expired => EventTypes.PaymentExpired,
            _ => null,
        };
        if (type is not null)
        {
            var attempt = payment.Attempts.First(a => a.PspReference == intent.Id);
            Outbox.Enqueue(db, type, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId),
                new PaymentEventData(payment.Id, payment.OrderId, attempt.Number, change switch
                {
                    PaymentChange.Captured => payment.CapturedMinor,
                    PaymentChange.Authorized => payment.AuthorizedMinor,
                    _ => attempt.AmountMinor,
                }, payment.Currency, attempt.FailureMessage), now);
            logger.LogInformation("Payment {PaymentId} of order {OrderId}: {Change} (PaymentIntent {IntentId}, attempt {Attempt})",
                payment.PublicId, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId), change, intent.Id, attempt.Number);
        }
        else if (intent.Status == PspIntentStatus.Succeeded && payment.CapturedAttempt?.PspReference != intent.Id)
        {
            // Money taken on an attempt that is no longer current (its PaymentIntent should have been cancelled): a person must refund it.
            logger.LogError("PaymentIntent {IntentId} of payment {PaymentId} took {Amount} minor units but is not the payment's current attempt; refund it at the PSP",
                intent.Id, payment.PublicId, intent.AmountReceivedMinor);
        }
        return change;
    }

    /// <summary>The PSP would not take the money held: the order hears of it, and a person decides.</summary>
    public PaymentChange CaptureRefused(QCommerceDbContext db, Payment payment, string reason)
    {
        var now = clock.UtcNow();
        var change = payment.CaptureRefused(reason, now);
        if (change != PaymentChange.CaptureFailed) return change;
        logger.LogError("Payment {PaymentId} of order {OrderId}: the PSP refused to capture {Amount}: {Reason}; the order is held for a person",
            payment.PublicId, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId), new Money(payment.Currency, payment.CaptureRequestedMinor), reason);
        Outbox.Enqueue(db, EventTypes.CaptureFailed, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId),
            new PaymentEventData(payment.Id, payment.OrderId, payment.CurrentAttempt.Number, payment.CaptureRequestedMinor, payment.Currency, payment.CaptureFailure), now);
        return change;
    }

    /// <summary>What the PSP says about a checkout page: it learns its PaymentIntent, or it closed unpaid (the attempt failed).</summary>
    public PaymentChange ObserveCheckout(QCommerceDbContext db, Payment payment, PspCheckout checkout)
    {
        var now = clock.UtcNow();
        var change = payment.ObserveCheckout(checkout.Id, checkout.Status, checkout.IntentId, now);
        if (change == PaymentChange.Failed)
        {
            var attempt = payment.Attempts.First(a => a.PspCheckoutId == checkout.Id);
            Outbox.Enqueue(db, EventTypes.PaymentFailed, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId),
                new PaymentEventData(payment.Id, payment.OrderId, attempt.Number, attempt.AmountMinor, payment.Currency, attempt.FailureMessage), now);
            logger.LogInformation("Payment {PaymentId} of order {OrderId}: checkout page {CheckoutId} closed unpaid (attempt {Attempt})",
                payment.PublicId, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId), checkout.Id, attempt.Number);
        }
        return change;
    }

    public PaymentChange ObserveRefund(QCommerceDbContext db, Payment payment, PspRefund refund)
    {
        var now = clock.UtcNow();
        var change = payment.ObserveRefund(refund.Id, refund.LocalKey, refund.AmountMinor, refund.Status, refund.FailureReason, now);
        if (change is PaymentChange.RefundSucceeded or PaymentChange.RefundFailed)
        {
            var ours = payment.Refunds.First(r => r.PspRefundId == refund.Id);
            // One made at the PSP without us is logged once, by the order that records it for review.
            EnqueueRefund(db, payment, ours, change == PaymentChange.RefundSucceeded ? EventTypes.RefundSucceeded : EventTypes.RefundFailed, now);
            logger.LogInformation("Payment {PaymentId}: refund {RefundId} of {Amount} minor units {Change}; refunded so far {Refunded} of {Captured}",
                payment.PublicId, refund.Id, refund.AmountMinor, change, payment.RefundedMinor, payment.CapturedMinor);
        }
        return change;
    }

    private static void EnqueueRefund(QCommerceDbContext db, Payment payment, PaymentRefund refund, string type, DateTime now) =>
        Outbox.Enqueue(db, type, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId),
            new PaymentEventData(payment.Id, payment.OrderId, payment.CurrentAttempt.Number, refund.AmountMinor, payment.Currency, refund.FailureMessage,
                refund.Unasked, refund.PspRefundId), now);

    public static Task<Payment?> FindByIntentAsync(QCommerceDbContext db, string intentId, CancellationToken ct) =>
        db.Payments.FirstOrDefaultAsync(p => p.Attempts.Any(a => a.PspReference == intentId), ct);

    /// <summary>
    /// The payment a PaymentIntent pays: the one that knows it, or the one its metadata names (a PaymentIntent's first event can
    /// overtake the checkout page's, which tells us its id). Events are signed by the PSP, so the metadata is what we wrote.
    /// </summary>
    public static async Task<Payment?> FindForIntentAsync(QCommerceDbContext db, PspIntent intent, CancellationToken ct)
    {
        if (await FindByIntentAsync(db, intent.Id, ct) is { } known) return known;
        if (intent.For is not { } named || !Common.PublicId.TryParse(Common.PublicId.Payment, named.PaymentId, out var paymentId)) return null;
        // Only an attempt still without a PaymentIntent can learn this one: a second PaymentIntent naming it is none of ours.
        return await db.Payments.FirstOrDefaultAsync(p => p.Id == paymentId && p.Attempts.Any(a => a.Number == named.Attempt && a.PspReference == null), ct);
    }

    public static Task<Payment?> FindByCheckoutAsync(QCommerceDbContext db, string checkoutId, CancellationToken ct) =>
        db.Payments.FirstOrDefaultAsync(p => p.Attempts.Any(a => a.PspCheckoutId == checkoutId), ct);

    public static async Task SaveAsync(QCommerceDbContext db, Payment payment, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"Payment {payment.PublicId} was changed at the same moment by something else; try again.");
        }
    }
}
