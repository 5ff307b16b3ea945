using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QCommerce.Core.Common;
using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>The answer to "pay" and "retry": where to send the shopper next.</summary>
public sealed record PaymentReceipt(int PaymentId, int OrderId, PaymentStatus Status, int Attempt, long AmountMinor, string Currency, string? RedirectUrl)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Payment, PaymentId);
}

public sealed record PaymentStartResult(PaymentReceipt Receipt, bool Replayed);

/// <summary>A PSP event after its signature was verified: the PaymentIntent or the refund it is about.</summary>
public sealed record PspEventInput(string EventId, string Type, DateTime CreatedAtUtc, PspIntent? Intent, PspRefund? Refund);

public enum PspEventResult
{
    Applied,
    Ignored,
    Duplicate,
    UnknownIntent,

    /// <summary>A success for another amount or currency than asked: stored, not captured, logged for a person.</summary>
    HeldForReview,
}

/// <summary>The payload of every payment event in the outbox; it is keyed by the order so order and payment events stay in order.</summary>
public sealed record PaymentEventData(int PaymentId, int OrderId, int Attempt, long AmountMinor, string Currency, string? Message);

/// <summary>
/// Card payments (DESIGN §4, §5): starting and retrying them at the PSP, applying what the PSP says
/// (webhooks, the return page, reconciliation) and refunds. Every PSP call carries an idempotency
/// key stored before the call; every change of a payment commits with its outbox event, and the
/// order follows through <see cref="PaymentEffects"/>.
/// </summary>
public sealed class PaymentService(IDbContextFactory<QCommerceDbContext> contexts, IPaymentGateway gateway, IdempotencyGuard idempotency,
    OutboxSignal outbox, TimeProvider clock, IOptions<PaymentsOptions> options, ILogger<PaymentService> logger) : IOrderPaymentGate
{
    /// <summary>Where the PSP sends the shopper back, under the storefront's base address.</summary>
    public static string ReturnPath(int paymentId) => $"/payments/{Common.PublicId.Format(Common.PublicId.Payment, paymentId)}/return";

    /// <summary>Starts paying for an order by card. At most one payment per order; a second one is a 409.</summary>
    public Task<PaymentStartResult> StartAsync(string userId, int orderId, string siteBaseUrl, string idempotencyKey, CancellationToken ct = default) =>
        IdempotentAsync($"{userId}:payments", idempotencyKey, new { orderId },
            async claim => await CallPspAsync(await OpenAsync(userId, orderId, ct), siteBaseUrl, claim, ct), ct);

    /// <summary>A new attempt after the last one failed; the amount is what the order costs now.</summary>
    public Task<PaymentStartResult> RetryAsync(string userId, int paymentId, string siteBaseUrl, string idempotencyKey, CancellationToken ct = default) =>
        IdempotentAsync($"{userId}:payment-retry", idempotencyKey, new { paymentId },
            async claim => await CallPspAsync(await NewAttemptAsync(userId, paymentId, ct), siteBaseUrl, claim, ct), ct);

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

    /// <summary>Asks the PSP where the current attempt stands and applies it (the return page, reconciliation).</summary>
    public async Task<PaymentChange> SyncAsync(int paymentId, CancellationToken ct = default)
    {
        string? intentId;
        await using (var db = await contexts.CreateDbContextAsync(ct))
            intentId = await db.PaymentAttempts.AsNoTracking()
                .Where(a => a.PaymentId == paymentId).OrderByDescending(a => a.Number).Select(a => a.PspReference).FirstOrDefaultAsync(ct);
        if (intentId is null) return PaymentChange.None;
        var intent = await gateway.GetIntentAsync(intentId, ct);
        return await ApplyIntentAsync(intent, ct);
    }

    /// <summary>Applies a PaymentIntent's state as read from the PSP (not from an event).</summary>
    public async Task<PaymentChange> ApplyIntentAsync(PspIntent intent, CancellationToken ct = default)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                var payment = await FindByIntentAsync(db, intent.Id, ct);
                if (payment is null) return PaymentChange.None;
                var change = Observe(db, payment, intent);
                if (change == PaymentChange.None) return change;
                await db.SaveChangesAsync(ct);
                outbox.Notify();
                return change;
            }
            catch (DbUpdateConcurrencyException) when (round < 5)
            {
            }
        }
    }

    /// <summary>
    /// Gives money back. With a <paramref name="requestKey"/> (an event id) the same request made
    /// twice is one refund; the PSP gets the refund's own idempotency key.
    /// </summary>
    public async Task<PaymentRefund> RefundAsync(int paymentId, long? amountMinor, string reason, string actor, Guid? requestKey = null, CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        Guid key;
        string intentId;
        long amount;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var payment = await db.Payments.FirstOrDefaultAsync(p => p.Id == paymentId, ct)
                ?? throw new NotFoundException("Payment", Common.PublicId.Format(Common.PublicId.Payment, paymentId));
            var refund = requestKey is { } rk ? payment.Refunds.FirstOrDefault(r => r.Key == rk) : null;
            refund ??= payment.RequestRefund(amountMinor ?? payment.RefundableMinor, reason, actor, now, requestKey);
            if (refund.PspRefundId is not null) return refund;
            await SaveAsync(db, payment, ct);
            key = refund.Key;
            amount = refund.AmountMinor;
            intentId = payment.CapturedAttempt?.PspReference ?? throw new DomainException($"Payment {payment.PublicId} has no captured PaymentIntent.");
        }
        var pspRefund = await gateway.CreateRefundAsync(intentId, amount, key, $"qc-refund-{key:N}", ct);
        logger.LogInformation("Refund of {Amount} minor units asked of the PSP for payment {PaymentId}: {RefundId} {Status}",
            amount, Common.PublicId.Format(Common.PublicId.Payment, paymentId), pspRefund.Id, pspRefund.Status);
        for (var round = 0; ; round++)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                var payment = await db.Payments.FirstAsync(p => p.Id == paymentId, ct);
                payment.RecordRefundReference(key, pspRefund.Id, clock.UtcNow());
                ObserveRefund(db, payment, pspRefund);
                await SaveAsync(db, payment, ct);
                outbox.Notify();
                return payment.Refunds.First(r => r.Key == key);
            }
            catch (ConflictException) when (round < 5)
            {
            }
        }
    }

    /// <summary>Asks the PSP about one refund still pending and applies its answer.</summary>
    public async Task<PaymentChange> SyncRefundAsync(string pspRefundId, CancellationToken ct = default)
    {
        var pspRefund = await gateway.GetRefundAsync(pspRefundId, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var payment = await FindByIntentAsync(db, pspRefund.IntentId, ct);
        if (payment is null) return PaymentChange.None;
        var change = ObserveRefund(db, payment, pspRefund);
        await SaveAsync(db, payment, ct);
        if (change != PaymentChange.None) outbox.Notify();
        return change;
    }

    /// <summary>
    /// Before a declined order is changed: its failed PaymentIntent is cancelled at the PSP, so the old page cannot
    /// take the old total any more. If it was paid after all, that is recorded and the change refused.
    /// </summary>
    public async Task CloseStaleAttemptsAsync(int orderId, CancellationToken ct)
    {
        string? intentId;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
            intentId = payment is { Status: PaymentStatus.Failed } ? payment.CurrentAttempt.PspReference : null;
        }
        if (intentId is null) return;
        var intent = await gateway.CancelIntentAsync(intentId, ct);
        await ApplyIntentAsync(intent, ct);
        if (intent.Status == PspIntentStatus.Succeeded)
            throw new ConflictException($"The earlier payment of order {Common.PublicId.Format(Common.PublicId.Order, orderId)} went through after all; the order is paid and can no longer be changed.");
    }

    /// <summary>Cancels the live PaymentIntent of an order that was cancelled, so the shopper cannot pay it any more.</summary>
    public async Task CancelLiveIntentAsync(int orderId, CancellationToken ct = default)
    {
        string? intentId;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
            intentId = payment is { IsLive: true } ? payment.CurrentAttempt.PspReference : null;
        }
        if (intentId is null) return;
        var intent = await gateway.CancelIntentAsync(intentId, ct);
        // If the shopper paid at the last moment, the capture is recorded and refunded by the effects.
        await ApplyIntentAsync(intent, ct);
    }

    private async Task<PspEventResult> HandleOnceAsync(PspEventInput input, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.PspEvents.AnyAsync(e => e.EventId == input.EventId, ct)) return PspEventResult.Duplicate;
        var now = clock.UtcNow();
        var intentId = input.Intent?.Id ?? input.Refund?.IntentId;
        var stored = new PspEvent(input.EventId, input.Type, input.Intent?.Id ?? input.Refund?.Id, input.CreatedAtUtc, now);
        db.PspEvents.Add(stored);

        var payment = string.IsNullOrEmpty(intentId) ? null : await FindByIntentAsync(db, intentId, ct);
        PspEventResult result;
        if (string.IsNullOrEmpty(intentId))
        {
            // charge.*, customer.* and the like: stored for the record, nothing here depends on them.
            stored.Outcome = "NotHandled";
            result = PspEventResult.Ignored;
        }
        else if (payment is null)
        {
            stored.Outcome = "UnknownIntent";
            result = PspEventResult.UnknownIntent;
            logger.LogWarning("PSP event {EventId} ({EventType}) is about PaymentIntent {IntentId}, which no payment here knows; stored and answered 200",
                input.EventId, input.Type, intentId);
        }
        else
        {
            stored.PaymentId = payment.Id;
            var change = input.Refund is { } refund ? ObserveRefund(db, payment, refund)
                : input.Intent is { } intent ? Observe(db, payment, intent with { Status = StatusOf(input.Type, intent.Status) })
                : PaymentChange.None;
            stored.Outcome = change == PaymentChange.None ? "Ignored" : change.ToString();
            result = change switch
            {
                PaymentChange.None => PspEventResult.Ignored,
                PaymentChange.HeldForReview => PspEventResult.HeldForReview,
                _ => PspEventResult.Applied,
            };
        }
        await db.SaveChangesAsync(ct);
        if (result is PspEventResult.Applied or PspEventResult.HeldForReview) outbox.Notify();
        return result;
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

    private PaymentChange Observe(QCommerceDbContext db, Payment payment, PspIntent intent)
    {
        var now = clock.UtcNow();
        var change = payment.Observe(intent.Id, intent.Status, intent.AmountReceivedMinor, intent.Currency, intent.FailureMessage, now);
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
            _ => null,
        };
        if (type is not null)
        {
            var attempt = payment.Attempts.First(a => a.PspReference == intent.Id);
            Outbox.Enqueue(db, type, Common.PublicId.Format(Common.PublicId.Order, payment.OrderId),
                new PaymentEventData(payment.Id, payment.OrderId, attempt.Number,
                    change == PaymentChange.Captured ? payment.CapturedMinor : attempt.AmountMinor, payment.Currency, attempt.FailureMessage), now);
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

    private PaymentChange ObserveRefund(QCommerceDbContext db, Payment payment, PspRefund refund)
    {
        var now = clock.UtcNow();
        var change = payment.ObserveRefund(refund.Id, refund.LocalKey, refund.AmountMinor, refund.Status, refund.FailureReason, now);
        if (change is PaymentChange.RefundSucceeded or PaymentChange.RefundFailed)
        {
            Outbox.Enqueue(db, change == PaymentChange.RefundSucceeded ? EventTypes.RefundSucceeded : EventTypes.RefundFailed,
                Common.PublicId.Format(Common.PublicId.Order, payment.OrderId),
                new PaymentEventData(payment.Id, payment.OrderId, payment.CurrentAttempt.Number, refund.AmountMinor, payment.Currency, refund.FailureReason), now);
            logger.LogInformation("Payment {PaymentId}: refund {RefundId} of {Amount} minor units {Change}; refunded so far {Refunded} of {Captured}",
                payment.PublicId, refund.Id, refund.AmountMinor, change, payment.RefundedMinor, payment.CapturedMinor);
        }
        return change;
    }

    /// <summary>What one request asks the PSP for: an attempt whose key is already stored.</summary>
    private sealed record PspCall(int PaymentId, int OrderId, int Attempt, long AmountMinor, string Currency, string IdempotencyKey)
    {
        public static PspCall Of(Payment payment, PaymentAttempt attempt) =>
            new(payment.Id, payment.OrderId, attempt.Number, attempt.AmountMinor, payment.Currency, attempt.PspIdempotencyKey);
    }

    /// <summary>Creates the order's payment, or resumes its first attempt when the PSP never answered it.</summary>
    private async Task<PspCall> OpenAsync(string userId, int orderId, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await db.Orders.FirstOrDefaultAsync(o => o.Id == orderId && o.UserId == userId, ct)
            ?? throw new NotFoundException("Order", Common.PublicId.Format(Common.PublicId.Order, orderId));
        var payment = await db.Payments.FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
        if (payment is not null)
        {
            var attempt = payment.CurrentAttempt;
            if (payment.Status == PaymentStatus.Failed)
                throw new ConflictException($"The last attempt of payment {payment.PublicId} failed; start a new one with POST /v1/payments/{payment.PublicId}/retry.");
            if (!payment.IsLive)
                throw new ConflictException($"Order {order.PublicId} is already paid (payment {payment.PublicId} is {payment.Status}).");
            if (attempt.PspReference is not null || !payment.TakePspCall(attempt.Number, now, PspCallLease))
                throw new ConflictException($"A payment for order {order.PublicId} is already under way (payment {payment.PublicId}); finish it or wait for its outcome.");
            await SaveAsync(db, payment, ct);
            logger.LogInformation("Resuming attempt {Attempt} of payment {PaymentId}: the PSP never answered it", attempt.Number, payment.PublicId);
            return PspCall.Of(payment, attempt);
        }

        order.BeginPayment("shopper", now);
        payment = Payment.Start(order, now);
        payment.TakePspCall(1, now, PspCallLease);
        db.Payments.Add(payment);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"Order {order.PublicId} changed while its payment was starting; reload it and try again.");
        }
        catch (DbUpdateException)
        {
            // The unique index on Payments.OrderId: a parallel request started this order's payment first.
            throw new ConflictException($"A payment for order {order.PublicId} is already under way; finish it or wait for its outcome.");
        }
        return PspCall.Of(payment, payment.CurrentAttempt);
    }

    private async Task<PspCall> NewAttemptAsync(string userId, int paymentId, CancellationToken ct)
    {
        string? previousIntent;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == paymentId && p.UserId == userId, ct)
                ?? throw new NotFoundException("Payment", Common.PublicId.Format(Common.PublicId.Payment, paymentId));
            if (payment.Status != PaymentStatus.Failed)
                throw new ConflictException($"Payment {payment.PublicId} is {payment.Status}; a new attempt is possible only after the last one failed.");
            previousIntent = payment.CurrentAttempt.PspReference;
        }
        if (previousIntent is not null)
        {
            // The failed PaymentIntent must not be payable any more, or a second page could charge twice.
            var previous = await gateway.CancelIntentAsync(previousIntent, ct);
            if (previous.Status == PspIntentStatus.Succeeded)
            {
                await ApplyIntentAsync(previous, ct);
                throw new ConflictException($"Payment {Common.PublicId.Format(Common.PublicId.Payment, paymentId)} went through after all; there is nothing more to pay.");
            }
        }

        var now = clock.UtcNow();
        await using var write = await contexts.CreateDbContextAsync(ct);
        var current = await write.Payments.FirstAsync(p => p.Id == paymentId, ct);
        var order = await write.Orders.FirstAsync(o => o.Id == current.OrderId, ct);
        order.BeginPayment("shopper", now);
        var attempt = current.Retry(order.TotalMinor, now);
        current.TakePspCall(attempt.Number, now, PspCallLease);
        await SaveAsync(write, current, ct);
        return PspCall.Of(current, attempt);
    }

    /// <summary>How long one request may be asking the PSP for an attempt's PaymentIntent before another may take over.</summary>
    private TimeSpan PspCallLease => options.Value.PspTimeout * (options.Value.PspRetries + 1) + TimeSpan.FromSeconds(5);

    private async Task<PaymentReceipt> CallPspAsync(PspCall call, string siteBaseUrl, IdempotencyClaim claim, CancellationToken ct)
    {
        var (paymentId, attemptNumber) = (call.PaymentId, call.Attempt);
        var request = new IntentRequest(call.AmountMinor, call.Currency, Common.PublicId.Format(Common.PublicId.Order, call.OrderId),
            Common.PublicId.Format(Common.PublicId.Payment, paymentId), attemptNumber, siteBaseUrl.TrimEnd('/') + ReturnPath(paymentId));

        PspIntent intent;
        try
        {
            intent = await gateway.CreateIntentAsync(request, call.IdempotencyKey, ct);
        }
        catch (PaymentProviderUnavailableException)
        {
            await ReleasePspCallAsync(paymentId, attemptNumber);
            throw;
        }

        for (var round = 0; ; round++)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var payment = await db.Payments.FirstAsync(p => p.Id == paymentId, ct);
                var now = clock.UtcNow();
                payment.RecordIntent(attemptNumber, intent.Id, intent.RedirectUrl, now);
                payment.ReleasePspCall(attemptNumber, now);
                // Creation answers "go to the payment page"; only a final answer is an observation.
                if (intent.Status is PspIntentStatus.Succeeded or PspIntentStatus.Failed or PspIntentStatus.Canceled) Observe(db, payment, intent);
                var receipt = new PaymentReceipt(payment.Id, payment.OrderId, payment.Status, attemptNumber, payment.Attempt(attemptNumber).AmountMinor,
                    payment.Currency, intent.RedirectUrl);
                await db.SaveChangesAsync(ct);
                await IdempotencyGuard.CompleteAsync(db, claim, 201, receipt, payment.PublicId, ct);
                await tx.CommitAsync(ct);
                outbox.Notify();
                logger.LogInformation("Payment {PaymentId} attempt {Attempt}: PaymentIntent {IntentId} created for {Amount} minor units {Currency}",
                    payment.PublicId, attemptNumber, intent.Id, request.AmountMinor, request.Currency);
                return receipt;
            }
            catch (DbUpdateConcurrencyException) when (round < 5)
            {
                // A webhook for this very intent may have landed first; apply ours on top of it.
            }
        }
    }

    private async Task ReleasePspCallAsync(int paymentId, int attemptNumber)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            var payment = await db.Payments.FirstAsync(p => p.Id == paymentId);
            payment.ReleasePspCall(attemptNumber, clock.UtcNow());
            await db.SaveChangesAsync();
        }
        catch (Exception ex)
        {
            // The lease then simply runs out; the shopper can try again a little later.
            logger.LogWarning(ex, "Could not release the PSP call lease of payment {PaymentId} attempt {Attempt}", paymentId, attemptNumber);
        }
    }

    private async Task<PaymentStartResult> IdempotentAsync<T>(string scope, string key, T request, Func<IdempotencyClaim, Task<PaymentReceipt>> work, CancellationToken ct)
    {
        var (receipt, replayed) = await idempotency.RunOnceAsync(scope, key, request, work,
            "A payment request with this Idempotency-Key is still being processed; wait a moment and look at the order.", ct);
        return new PaymentStartResult(receipt, replayed);
    }

    private static Task<Payment?> FindByIntentAsync(QCommerceDbContext db, string intentId, CancellationToken ct) =>
        db.Payments.FirstOrDefaultAsync(p => p.Attempts.Any(a => a.PspReference == intentId), ct);

    private async Task<bool> EventStoredAsync(string eventId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.PspEvents.AnyAsync(e => e.EventId == eventId, ct);
    }

    private static async Task SaveAsync(QCommerceDbContext db, Payment payment, CancellationToken ct)
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
