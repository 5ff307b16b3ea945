namespace QCommerce.Core.Ordering;

/// <summary>What the PSP said about an order's card payment, in the order's terms; Payments decides which of these an event is.</summary>
public abstract record PaymentOutcome
{
    /// <summary>Money held on the card for the order, to be captured when the pick is done.</summary>
    public sealed record Held(long AmountMinor, string Currency) : PaymentOutcome;

    /// <summary>Money captured for the order: what the pick asked of the hold, or (no hold) all of it at once.</summary>
    public sealed record Captured(long AmountMinor, string Currency) : PaymentOutcome;

    /// <summary>The hold ended without a capture: released at the PSP, or lapsed.</summary>
    public sealed record HoldEnded(bool Lapsed) : PaymentOutcome;

    /// <summary>The PSP refused the pick's capture for good.</summary>
    public sealed record CaptureRefused(string Reason) : PaymentOutcome;

    /// <summary>The PSP has not answered the pick's capture for several tries (it is still asked).</summary>
    public sealed record CaptureDelayed(string Reason) : PaymentOutcome;

    /// <summary>The current attempt failed: the shopper may try again while the reservation lasts.</summary>
    public sealed record Failed(string? Message) : PaymentOutcome;

    /// <summary>The bank asks the shopper to confirm (3-D Secure): the reservation outlives the challenge.</summary>
    public sealed record ChallengePending(DateTime HoldUntilUtc) : PaymentOutcome;

    /// <summary>A refund the order promised was settled by the PSP, back with the shopper or failed.</summary>
    public sealed record RefundSettled(long AmountMinor, bool Succeeded, string? Failure) : PaymentOutcome;

    /// <summary>A refund made at the PSP that the order never asked for, settled.</summary>
    public sealed record UnaskedRefund(long AmountMinor, string PspRefundId) : PaymentOutcome;

    /// <summary>Something the shopper and the store should read on the order's timeline, nothing more.</summary>
    public sealed record Note(string Message) : PaymentOutcome;
}

/// <summary>
/// The order's side of payments: each outcome is an <see cref="OrderWork"/> step run once per event (the handler's
/// processed-message record commits with it), decided by the order's own account: money held makes it paid (its stock
/// leaves the shelf), the capture charges it, a hold or money for a cancelled order goes back, a hold that ends or a
/// capture refused is for a person, refunds settled or made at the PSP move the account and may close the order.
/// </summary>
public sealed class OrderPaymentOutcomes(OrderWork work, ILogger<OrderPaymentOutcomes> logger)
{
    public async Task ApplyAsync(int orderId, PaymentOutcome outcome, string handler, Guid eventId, string cause, CancellationToken ct)
    {
        await work.RunAsync(OrderActor.Psp, orderId, new OrderStep(Handler: handler, EventId: eventId), d =>
        {
            var order = d.Order;
            switch (outcome)
            {
                case PaymentOutcome.Held(var held, var heldIn):
                    if (order.ReceiveHold(held, heldIn, d.By, d.Now) == PaymentArrival.RefundedOtherAmount)
                        logger.LogError("{Amount} minor units {Currency} were held for order {OrderId}, which costs {Total}: not marked paid, the hold is released",
                            held, heldIn, order.PublicId, order.Total);
                    break;
                case PaymentOutcome.HoldEnded(var lapsed):
                    order.HoldEnded(lapsed, d.By, d.Now);
                    break;
                case PaymentOutcome.CaptureRefused(var reason):
                    order.CaptureRefused(reason, d.By, d.Now);
                    break;
                case PaymentOutcome.CaptureDelayed(var reason):
                    order.CaptureDelayed(reason, d.By, d.Now);
                    break;
                case PaymentOutcome.Captured(var amount, var currency):
                    var arrival = order.ReceivePayment(amount, currency, eventId, d.By, d.Now);
                    if (arrival == PaymentArrival.RefundedOtherAmount)
                        logger.LogError("A payment of {Amount} minor units {Currency} was captured for order {OrderId}, which costs {Total}: not marked paid, refunded in full",
                            amount, currency, order.PublicId, order.Total);
                    break;
                case PaymentOutcome.Failed(var message) when order.Status is OrderStatus.PendingPayment:
                    order.FailPayment(message is { Length: > 0 } why ? $"Payment failed: {why}" : "Payment failed.", d.By, d.Now);
                    break;
                case PaymentOutcome.ChallengePending(var until) when order.ReservationStatus == ReservationStatus.Held:
                    order.ExtendReservation(until);
                    order.Note(d.By, "Waiting for the bank to confirm the payment (3-D Secure); the items stay reserved.", d.Now);
                    break;
                case PaymentOutcome.RefundSettled(var amount, var succeeded, var failure):
                    order.RefundSettled(amount, succeeded, failure, d.By, d.Now);
                    break;
                case PaymentOutcome.UnaskedRefund(var amount, var pspRefundId):
                    order.RecordUnaskedRefund(amount, pspRefundId, d.By, d.Now);
                    break;
                case PaymentOutcome.Note(var text):
                    order.Note(d.By, text, d.Now);
                    break;
                default:
                    logger.LogInformation("{Cause} for order {OrderId} ({Status}) changes nothing", cause, order.PublicId, order.Status);
                    break;
            }
        }, ct);
    }
}
