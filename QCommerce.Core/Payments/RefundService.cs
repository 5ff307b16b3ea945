using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>The event that has the PSP asked for a refund already promised on a payment.</summary>
public sealed record RefundRequestedEvent(int OrderId, int PaymentId, Guid RefundKey, long AmountMinor, string Currency, string Reason, string Actor);

/// <summary>
/// Money going back (architecture §3), the one way it is done: the order's account decides what is due (<see cref="Order"/>'s
/// money), the promise is written on the order's payment in the same transaction with the event that asks the PSP
/// (<see cref="CardPayments"/>), and the outbox then asks the PSP with the refund's own idempotency key
/// (<see cref="AskPspAsync"/>); its answer, a webhook or reconciliation settles the refund.
/// </summary>
public sealed class RefundService(IDbContextFactory<QCommerceDbContext> contexts, IPaymentGateway gateway, PaymentObserver observer,
    TimeProvider clock, ILogger<RefundService> logger)
{
    /// <summary>Asks the PSP for a refund promised on the payment (its key makes a repeat the same refund) and records its answer.</summary>
    public async Task<PaymentRefund> AskPspAsync(int paymentId, Guid key, CancellationToken ct = default)
    {
        string intentId;
        long amount;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == paymentId, ct)
                ?? throw new NotFoundException("Payment", Common.PublicId.Format(Common.PublicId.Payment, paymentId));
            var refund = payment.Refunds.FirstOrDefault(r => r.Key == key) ?? throw new DomainException($"Payment {payment.PublicId} promised no refund {key}.");
            if (refund.PspRefundId is not null) return refund;
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
