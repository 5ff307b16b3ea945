using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>A PSP event after its signature was verified: the PaymentIntent, refund or checkout page it is about.</summary>
public sealed record PspEventInput(string EventId, string Type, DateTime CreatedAtUtc, PspIntent? Intent, PspRefund? Refund, PspCheckout? Checkout = null);

public enum PspEventResult
{
    Applied,
    Ignored,
    Duplicate,
    UnknownIntent,

    /// <summary>A success for another amount or currency than asked: stored, not captured, logged for a person.</summary>
    HeldForReview,

    /// <summary>
    /// Amounts no PSP could mean (a refund of nothing or less, more than the charge has left, of money not captured here; a
    /// negative payment): refused, nothing stored, so a forged or broken event can never count as money. A refund whose event
    /// overtook its capture's is refused too, and counts when the PSP sends it again after the capture.
    /// </summary>
    ImpossibleAmount,
}

/// <summary>
/// What the PSP says about payments, applied (architecture §4): its webhook events (each stored under its event id with its
/// effect, so a duplicate changes nothing), a direct look at a PaymentIntent (the return page, reconciliation), and the
/// cancellations that keep an old PaymentIntent from taking money: of a cancelled order, of a declined attempt before
/// the order changes (<see cref="IOrderPaymentGate"/>).
/// </summary>
public sealed class PaymentUpdates(IDbContextFactory<QCommerceDbContext> contexts, IPaymentGateway gateway, PaymentObserver observer,
    TimeProvider clock, ILogger<PaymentUpdates> logger) : IOrderPaymentGate
{
    /// <summary>Verified PSP event → payment change, exactly once per event id, in one transaction with its outbox event.</summary>
    public async Task<PspEventResult> HandlePspEventAsync(PspEventInput input, CancellationToken ct = default)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                return await HandleOnceAsync(input, ct);
            }
            catch (DbUpdateConcurrencyException) when (round < 5)
            {
                // Another event or a retry changed the payment between our read and write: read again.
            }
            catch (DbUpdateException ex) when (ex is not DbUpdateConcurrencyException)
            {
                // The same event delivered twice at the same moment: the unique event id let one in.
                if (await EventStoredAsync(input.EventId, ct)) return PspEventResult.Duplicate;
                throw;
            }
        }
    }

    /// <summary>The events of a PSP listing that never reached the webhook: the rest are already stored.</summary>
    public async Task<IReadOnlyList<PspEventInput>> NotYetReceivedAsync(IReadOnlyList<PspEventInput> events, CancellationToken ct = default)
    {
        var seen = new HashSet<string>(StringComparer.Ordinal);
        await using var db = await contexts.CreateDbContextAsync(ct);
        foreach (var chunk in events.Select(e => e.EventId).Chunk(500))
            seen.UnionWith(await db.PspEvents.AsNoTracking().Where(e => chunk.Contains(e.EventId)).Select(e => e.EventId).ToListAsync(ct));
        return events.Where(e => !seen.Contains(e.EventId)).ToList();
    }

    /// <summary>
    /// Asks the PSP where the current attempt stands and applies it (the return page, reconciliation): its PaymentIntent
    /// when known, else its checkout page (which may have been paid, or have closed, without a webhook saying so).
    /// </summary>
    public async Task<PaymentChange> SyncAsync(int paymentId, CancellationToken ct = default)
    {
        (string? IntentId, string? CheckoutId)? current;
        await using (var db = await contexts.CreateDbContextAsync(ct))
            current = await db.PaymentAttempts.AsNoTracking()
                .Where(a => a.PaymentId == paymentId).OrderByDescending(a => a.Number)
                .Select(a => new ValueTuple<string?, string?>(a.PspReference, a.PspCheckoutId)).FirstOrDefaultAsync(ct);
        var (intentId, checkoutId) = current ?? (null, null);
        if (intentId is null && checkoutId is not null)
        {
            var checkout = await gateway.GetCheckoutAsync(checkoutId, ct);
            var change = await ApplyCheckoutAsync(checkout, ct);
            if (checkout.IntentId is null) return change;
            intentId = checkout.IntentId;
        }
        if (intentId is null) return PaymentChange.None;
        return await ApplyIntentAsync(await gateway.GetIntentAsync(intentId, ct), ct);
    }

    /// <summary>Applies a checkout page's state as read from the PSP.</summary>
    public async Task<PaymentChange> ApplyCheckoutAsync(PspCheckout checkout, CancellationToken ct = default)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                var payment = await PaymentObserver.FindByCheckoutAsync(db, checkout.Id, ct);
                if (payment is null) return PaymentChange.None;
                var change = observer.ObserveCheckout(db, payment, checkout);
                await db.SaveChangesAsync(ct);
                return change;
            }
            catch (DbUpdateConcurrencyException) when (round < 5)
            {
            }
        }
    }

    /// <summary>Applies a PaymentIntent's state as read from the PSP (not from an event).</summary>
    public async Task<PaymentChange> ApplyIntentAsync(PspIntent intent, CancellationToken ct = default)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                var payment = await PaymentObserver.FindForIntentAsync(db, intent, ct);
                if (payment is null) return PaymentChange.None;
                var change = observer.Observe(db, payment, intent);
                await db.SaveChangesAsync(ct);
                return change;
            }
            catch (DbUpdateConcurrencyException) when (round < 5)
            {
            }
        }
    }

    /// <summary>
    /// Before a declined order is changed: its failed attempt's page is closed and its PaymentIntent cancelled at the PSP, so
    /// the old page cannot take the old total any more. If it was paid after all, that is recorded and the change refused.
    /// </summary>
    public async Task CloseStaleAttemptsAsync(int orderId, CancellationToken ct)
    {
        if (await CloseCurrentAttemptAsync(orderId, p => p.Status == PaymentStatus.Failed, ct, keepPaid: true) is PspIntentStatus.Succeeded or PspIntentStatus.Authorized)
            throw new ConflictException($"The earlier payment of order {Common.PublicId.Format(Common.PublicId.Order, orderId)} went through after all; the order is paid and can no longer be changed.");
    }

    public async Task CloseOpenAttemptAsync(int orderId, CancellationToken ct)
    {
        if (await CloseCurrentAttemptAsync(orderId, p => p.IsLive || p.Status == PaymentStatus.Failed, ct, keepPaid: true) is PspIntentStatus.Succeeded or PspIntentStatus.Authorized)
            throw new ConflictException($"Order {Common.PublicId.Format(Common.PublicId.Order, orderId)} was paid on its payment page meanwhile; it can no longer be changed.");
    }

    /// <summary>
    /// Closes the checkout page and PaymentIntent of an order that was cancelled, so the shopper cannot pay any more: a live
    /// one, and one whose card was declined (its page stays open for another card, as Stripe's does).
    /// </summary>
    public async Task CancelLiveIntentAsync(int orderId, CancellationToken ct = default) =>
        // If the shopper paid at the last moment, the capture is recorded and refunded by the order's account.
        await CloseCurrentAttemptAsync(orderId, p => p.IsLive || p.Status == PaymentStatus.Failed, ct);

    /// <summary>
    /// Closes the current attempt's page and cancels its PaymentIntent, when <paramref name="applies"/>; what the PSP then
    /// says of them is applied. Returns the PaymentIntent's state (null: it had none). With <paramref name="keepPaid"/> (a
    /// change to the order, not its cancellation), a PaymentIntent the shopper paid meanwhile is recorded and left alone:
    /// cancelling it would release the money the order is now paid with.
    /// </summary>
    private async Task<PspIntentStatus?> CloseCurrentAttemptAsync(int orderId, Func<Payment, bool> applies, CancellationToken ct, bool keepPaid = false)
    {
        string? intentId, checkoutId;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
            if (payment is null || !applies(payment)) return null;
            (intentId, checkoutId) = (payment.CurrentAttempt.PspReference, payment.CurrentAttempt.PspCheckoutId);
        }
        try
        {
            if (checkoutId is not null)
            {
                var checkout = await gateway.ExpireCheckoutAsync(checkoutId, ct);
                await ApplyCheckoutAsync(checkout, ct);
                intentId ??= checkout.IntentId;
            }
            if (intentId is null) return null;
            if (keepPaid)
            {
                var now = await gateway.GetIntentAsync(intentId, ct);
                if (now.Status is PspIntentStatus.Authorized or PspIntentStatus.Succeeded)
                {
                    await ApplyIntentAsync(now, ct);
                    return now.Status;
                }
            }
            var intent = await gateway.CancelIntentAsync(intentId, ct);
            await ApplyIntentAsync(intent, ct);
            return intent.Status;
        }
        catch (PspObjectMissingException e)
        {
            // A page or PaymentIntent the PSP has never heard of (another account, a deleted test object) takes no money:
            // there is nothing to close, and asking again would fail for ever.
            logger.LogWarning("Order {OrderId}: the PSP does not know its payment's {Object}; nothing to close there ({Reason})",
                Common.PublicId.Format(Common.PublicId.Order, orderId), intentId ?? checkoutId, e.Message);
            return null;
        }
    }

    private async Task<PspEventResult> HandleOnceAsync(PspEventInput input, CancellationToken ct)
    {
        // No read of the event id first: the unique index on it refuses a repeat at the save (and the whole save with
        // it), which HandleAsync then answers as a duplicate. A first delivery, nearly every one, costs a read less.
        if (input.Refund is { AmountMinor: <= 0 } || input.Intent is { AmountMinor: < 0 } or { AmountReceivedMinor: < 0 }) return Impossible(input);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.UtcNow();
        var intentId = input.Intent?.Id ?? input.Refund?.IntentId;
        var stored = new PspEvent(input.EventId, input.Type, input.Intent?.Id ?? input.Refund?.Id ?? input.Checkout?.Id, input.CreatedAtUtc, now);
        db.PspEvents.Add(stored);

        var payment = input.Checkout is { } page ? await PaymentObserver.FindByCheckoutAsync(db, page.Id, ct)
            : input.Intent is { } pi ? await PaymentObserver.FindForIntentAsync(db, pi, ct)
            : string.IsNullOrEmpty(intentId) ? null : await PaymentObserver.FindByIntentAsync(db, intentId, ct);
        PspEventResult result;
        if (string.IsNullOrEmpty(intentId) && input.Checkout is null)
        {
            // charge.*, customer.* and the like: stored for the record, nothing here depends on them.
            stored.Outcome = PspEventOutcome.NotHandled;
            result = PspEventResult.Ignored;
        }
        else if (payment is null && input.Refund is not null)
        {
            // A refund names its PaymentIntent only, which we learn when the shopper pays: its event overtook the payment's.
            // Refused like a refund before its capture, and counted when the PSP sends it again.
            return Impossible(input);
        }
        else if (payment is null)
        {
            stored.Outcome = PspEventOutcome.UnknownIntent;
            result = PspEventResult.UnknownIntent;
        }
        else if (input.Refund is { } asked && !payment.CouldBeRefunded(intentId!, asked.Id, asked.LocalKey, asked.AmountMinor))
        {
            return Impossible(input); // more than the charge has left, or of a charge that failed: nothing of it is saved
        }
        else
        {
            stored.PaymentId = payment.Id;
            var change = input.Checkout is { } checkout ? observer.ObserveCheckout(db, payment, checkout)
                : input.Refund is { } refund ? observer.ObserveRefund(db, payment, refund)
                : input.Intent is { } intent ? observer.Observe(db, payment, intent with { Status = StatusOf(input.Type, intent.Status) })
                : PaymentChange.None;
            stored.Outcome = change switch
            {
                PaymentChange.None => PspEventOutcome.Ignored,
                PaymentChange.RequiresAction => PspEventOutcome.RequiresAction,
                PaymentChange.Authorized => PspEventOutcome.Authorized,
                PaymentChange.Captured => PspEventOutcome.Captured,
                PaymentChange.Failed => PspEventOutcome.Failed,
                PaymentChange.RefundSucceeded => PspEventOutcome.RefundSucceeded,
                PaymentChange.RefundFailed => PspEventOutcome.RefundFailed,
                PaymentChange.HeldForReview => PspEventOutcome.HeldForReview,
                PaymentChange.Voided => PspEventOutcome.Voided,
                PaymentChange.Expired => PspEventOutcome.Expired,
                _ => throw new InvalidOperationException($"No event outcome for {change}."),
            };
            result = change switch
            {
                PaymentChange.None => PspEventResult.Ignored,
                PaymentChange.HeldForReview => PspEventResult.HeldForReview,
                _ => PspEventResult.Applied,
            };
        }
        await db.SaveChangesAsync(ct);
        if (result is PspEventResult.UnknownIntent) // once stored: a repeat of it is a duplicate, not a second warning
            logger.LogWarning("PSP event {EventId} ({EventType}) is about {Object}, which no payment here knows; stored and answered 200",
                input.EventId, input.Type, intentId ?? input.Checkout?.Id);
        return result;
    }

    private PspEventResult Impossible(PspEventInput input)
    {
        logger.LogWarning("PSP event {EventId} ({EventType}) refused, nothing stored: {What}", input.EventId, input.Type,
            input.Refund is { } r ? $"a refund of {r.AmountMinor} minor units of {r.IntentId}, which no capture here has room for"
                : $"a PaymentIntent of {input.Intent?.AmountMinor} minor units, {input.Intent?.AmountReceivedMinor} received");
        return PspEventResult.ImpossibleAmount;
    }

    /// <summary>The event's type says what happened; the object inside is a snapshot that may already be older.</summary>
    private static PspIntentStatus StatusOf(string eventType, PspIntentStatus objectStatus) => eventType switch
    {
        "payment_intent.succeeded" => PspIntentStatus.Succeeded,
        "payment_intent.payment_failed" => PspIntentStatus.Failed,
        "payment_intent.requires_action" => PspIntentStatus.RequiresAction,
        "payment_intent.amount_capturable_updated" => PspIntentStatus.Authorized,
        "payment_intent.canceled" => PspIntentStatus.Canceled,
        _ => objectStatus,
    };

    private async Task<bool> EventStoredAsync(string eventId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.PspEvents.AnyAsync(e => e.EventId == eventId, ct);
    }
}
