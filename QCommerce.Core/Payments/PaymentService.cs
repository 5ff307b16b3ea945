using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>The answer to "pay" and "retry": where to send the shopper next.</summary>
public sealed record PaymentReceipt(int PaymentId, int OrderId, PaymentStatus Status, int Attempt, long AmountMinor, string Currency, string? RedirectUrl)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Payment, PaymentId);
}

public sealed record PaymentStartResult(PaymentReceipt Receipt, bool Replayed);

/// <summary>
/// The payload of every payment event in the outbox; it is keyed by the order so order and payment events stay in order. A
/// refund's event says whether the refund was made at the PSP without us (<see cref="Unasked"/>) and its PSP id.
/// </summary>
public sealed record PaymentEventData(int PaymentId, int OrderId, int Attempt, long AmountMinor, string Currency, string? Message,
    bool Unasked = false, string? PspReference = null);

/// <summary>
/// Starting and retrying card payments (architecture §4, §5): at most one payment per order, each attempt's PSP
/// idempotency key stored before the PSP is called, the amount always the order's. What the PSP says afterwards is
/// <see cref="PaymentUpdates"/>'s; money going back is <see cref="RefundService"/>'s.
/// </summary>
public sealed class PaymentService(IDbContextFactory<QCommerceDbContext> contexts, IPaymentGateway gateway, IdempotencyGuard idempotency,
    PaymentUpdates updates, PaymentObserver observer, TimeProvider clock, IOptions<PaymentsOptions> options,
    ILogger<PaymentService> logger)
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

    /// <summary>What one request asks the PSP for: an attempt whose key and page expiry are already stored, and what its page shows.</summary>
    private sealed record PspCall(int PaymentId, int OrderId, int Attempt, long AmountMinor, string Currency, string IdempotencyKey, DateTime PageExpiresAtUtc,
        IReadOnlyList<CheckoutLine> Lines, long DeliveryFeeMinor, long DiscountMinor)
    {
        public static PspCall Of(Payment payment, PaymentAttempt attempt, Order order) =>
            new(payment.Id, payment.OrderId, attempt.Number, attempt.AmountMinor, payment.Currency, attempt.PspIdempotencyKey, attempt.PageExpiresAtUtc,
                CheckoutLines(order), order.DeliveryFeeMinor, order.DiscountMinor);
    }

    /// <summary>The order's goods at their prices, and its tax as a line of its own, as the PSP's page lists them.</summary>
    private static List<CheckoutLine> CheckoutLines(Order order)
    {
        var lines = order.Lines.Where(l => l.Quantity > 0)
            .Select(l => new CheckoutLine(l.SizeLabel.Length > 0 ? $"{l.Title} ({l.SizeLabel})" : l.Title, l.UnitPriceMinor, l.Quantity)).ToList();
        if (order.TaxMinor > 0) lines.Add(new CheckoutLine("Tax", order.TaxMinor, 1));
        return lines;
    }

    /// <summary>
    /// When an attempt's checkout page closes. Stripe refuses a Checkout Session that closes within 30 minutes: the first
    /// attempt stretches the order's stock reservation to that floor, so the page never outlives the stock it sells. A
    /// retry stretches nothing (a shopper declining and retrying must not hold stock for ever): its page may close after
    /// the reservation, and the order's expiry then closes it (the cancellation closes the live page). An order whose
    /// reservation has run out is not paid for at all.
    /// </summary>
    private DateTime OpenPage(Order order, DateTime now, bool firstAttempt)
    {
        if (order.IsExpiredAt(now))
            throw new ConflictException($"The time to pay for order {order.PublicId} ran out; its items are going back on the shelf. Please place the order again.");
        var floor = now + options.Value.CheckoutPageMinimum;
        if (firstAttempt && order.ReservationExpiresAtUtc < floor) order.ExtendReservation(floor);
        return order.ReservationExpiresAtUtc > floor ? order.ReservationExpiresAtUtc : floor;
    }

    /// <summary>Creates the order's payment, or resumes its first attempt when the PSP never answered it.</summary>
    private async Task<PspCall> OpenAsync(string userId, int orderId, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.UserId == userId, ct)
            ?? throw new NotFoundException("Order", Common.PublicId.Format(Common.PublicId.Order, orderId));
        var payment = await db.Payments.FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
        if (payment is not null)
        {
            var attempt = payment.CurrentAttempt;
            if (payment.Status == PaymentStatus.Failed)
                throw new ConflictException($"The last attempt of payment {payment.PublicId} failed; start a new one with POST /v1/payments/{payment.PublicId}/retry.");
            if (!payment.IsLive)
                throw new ConflictException($"Order {order.PublicId} is already paid (payment {payment.PublicId} is {payment.Status}).");
            if (attempt.PspCheckoutId is not null || !payment.TakePspCall(attempt.Number, now, PspCallLease))
                throw new ConflictException($"A payment for order {order.PublicId} is already under way (payment {payment.PublicId}); finish it or wait for its outcome.");
            await PaymentObserver.SaveAsync(db, payment, ct);
            logger.LogInformation("Resuming attempt {Attempt} of payment {PaymentId}: the PSP never answered it", attempt.Number, payment.PublicId);
            return PspCall.Of(payment, attempt, order);
        }

        order.BeginPayment("shopper", now);
        payment = Payment.Start(order, OpenPage(order, now, firstAttempt: true), now);
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
        return PspCall.Of(payment, payment.CurrentAttempt, order);
    }

    private async Task<PspCall> NewAttemptAsync(string userId, int paymentId, CancellationToken ct)
    {
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == paymentId && p.UserId == userId, ct)
                ?? throw new NotFoundException("Payment", Common.PublicId.Format(Common.PublicId.Payment, paymentId));
            if (payment.Status != PaymentStatus.Failed)
                throw new ConflictException($"Payment {payment.PublicId} is {payment.Status}; a new attempt is possible only after the last one failed.");
        }
        // The failed attempt's page must not be payable any more, or a second page could charge twice.
        try
        {
            await updates.CloseStaleAttemptsAsync(await OrderOfAsync(paymentId, ct), ct);
        }
        catch (ConflictException)
        {
            throw new ConflictException($"Payment {Common.PublicId.Format(Common.PublicId.Payment, paymentId)} went through after all; there is nothing more to pay.");
        }

        var now = clock.UtcNow();
        await using var write = await contexts.CreateDbContextAsync(ct);
        var current = await write.Payments.FirstAsync(p => p.Id == paymentId, ct);
        var order = await write.Orders.Include(o => o.Lines).FirstAsync(o => o.Id == current.OrderId, ct);
        order.BeginPayment("shopper", now);
        var attempt = current.Retry(order.TotalMinor, OpenPage(order, now, firstAttempt: false), now);
        current.TakePspCall(attempt.Number, now, PspCallLease);
        await PaymentObserver.SaveAsync(write, current, ct);
        return PspCall.Of(current, attempt, order);
    }

    private async Task<int> OrderOfAsync(int paymentId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Payments.Where(p => p.Id == paymentId).Select(p => p.OrderId).FirstAsync(ct);
    }

    /// <summary>How long one request may be asking the PSP for an attempt's PaymentIntent before another may take over.</summary>
    private TimeSpan PspCallLease => options.Value.PspTimeout * (options.Value.PspRetries + 1) + TimeSpan.FromSeconds(5);

    private async Task<PaymentReceipt> CallPspAsync(PspCall call, string siteBaseUrl, IdempotencyClaim claim, CancellationToken ct)
    {
        var (paymentId, attemptNumber) = (call.PaymentId, call.Attempt);
        var returnUrl = siteBaseUrl.TrimEnd('/') + ReturnPath(paymentId);
        var request = new CheckoutRequest(call.Currency, call.Lines, call.DeliveryFeeMinor, call.DiscountMinor, call.AmountMinor,
            Common.PublicId.Format(Common.PublicId.Order, call.OrderId), Common.PublicId.Format(Common.PublicId.Payment, paymentId), attemptNumber,
            returnUrl + "?redirect_status=succeeded&session_id={CHECKOUT_SESSION_ID}", returnUrl + "?redirect_status=canceled", call.PageExpiresAtUtc);

        PspCheckout checkout;
        try
        {
            checkout = await gateway.CreateCheckoutAsync(request, call.IdempotencyKey, ct);
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
                payment.RecordCheckout(attemptNumber, checkout.Id, checkout.Url, now);
                payment.ReleasePspCall(attemptNumber, now);
                // A replayed answer may already be about a page paid or closed since.
                if (checkout.Status != PspCheckoutStatus.Open) observer.ObserveCheckout(db, payment, checkout);
                var receipt = new PaymentReceipt(payment.Id, payment.OrderId, payment.Status, attemptNumber, payment.Attempt(attemptNumber).AmountMinor,
                    payment.Currency, checkout.Status == PspCheckoutStatus.Open ? checkout.Url : null);
                await db.SaveChangesAsync(ct);
                await IdempotencyGuard.CompleteAsync(db, claim, 201, receipt, payment.PublicId, ct);
                await tx.CommitAsync(ct);
                logger.LogInformation("Payment {PaymentId} attempt {Attempt}: checkout page {CheckoutId} opened for {Amount} minor units {Currency}, until {ExpiresAt:O}",
                    payment.PublicId, attemptNumber, checkout.Id, request.TotalMinor, request.Currency, request.ExpiresAtUtc);
                return receipt;
            }
            catch (DbUpdateConcurrencyException) when (round < 5)
            {
                // A webhook for this very page may have landed first; apply ours on top of it.
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
}
