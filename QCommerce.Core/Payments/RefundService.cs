using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>
/// Money going back (DESIGN §3): a refund is promised on the payment first (never above what is left), then asked of
/// the PSP with the refund's own idempotency key, and settled by its answer, a webhook or reconciliation.
/// </summary>
public sealed class RefundService(IDbContextFactory<QCommerceDbContext> contexts, IPaymentGateway gateway, PaymentObserver observer,
    TimeProvider clock, ILogger<RefundService> logger)
{
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
            await PaymentObserver.SaveAsync(db, payment, ct);
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
                observer.ObserveRefund(db, payment, pspRefund);
                await PaymentObserver.SaveAsync(db, payment, ct);
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
        var payment = await PaymentObserver.FindByIntentAsync(db, pspRefund.IntentId, ct);
        if (payment is null) return PaymentChange.None;
        var change = observer.ObserveRefund(db, payment, pspRefund);
        await PaymentObserver.SaveAsync(db, payment, ct);
        return change;
    }
}
