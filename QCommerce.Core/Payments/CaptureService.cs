using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>
/// Takes the money the pick asked for of a hold (architecture §3), once the order's decision committed it (CaptureRequested). The
/// PSP is asked under the capture's own key, so a repeat (the outbox's retry after a timeout, another instance) is one
/// capture; its answer is applied like any look at a PaymentIntent: a success is the payment's capture and, through
/// PaymentCaptured, the order's charge. A refusal (the hold lapsed or was released, more than is held) is recorded on the
/// payment and the order is held for a person. A PSP that does not answer is asked again with the outbox's backoff; after
/// <see cref="PaymentsOptions.CaptureTriesBeforeReview"/> failed tries the order's review note says so (once).
/// </summary>
public sealed class CaptureService(IDbContextFactory<QCommerceDbContext> contexts, IPaymentGateway gateway, PaymentUpdates updates, PaymentObserver observer,
    OrderPaymentOutcomes orders, IOptions<PaymentsOptions> options, ILogger<CaptureService> logger)
{
    /// <summary>Asks the PSP for the capture under <paramref name="key"/>; nothing when it was taken, refused or released already.</summary>
    public async Task<PaymentChange> CaptureAsync(int paymentId, Guid key, int failedBefore, CancellationToken ct = default)
    {
        string intentId;
        long amount;
        int orderId;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            var payment = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.Id == paymentId, ct)
                ?? throw new NotFoundException("Payment", PublicId.Format(PublicId.Payment, paymentId));
            if (payment.CaptureKey != key || !payment.IsCapturing) return PaymentChange.None;
            intentId = payment.CurrentAttempt.PspReference ?? throw new DomainException($"Payment {payment.PublicId} holds money without a PaymentIntent.");
            (amount, orderId) = (payment.CaptureRequestedMinor, payment.OrderId);
        }
        PspIntent intent;
        try
        {
            intent = await gateway.CaptureAsync(intentId, amount, $"qc-capture-{key:N}", ct);
        }
        catch (Exception e) when (e is PaymentRefusedException or PspObjectMissingException)
        {
            return await RefuseAsync(paymentId, e.Message, ct);
        }
        catch (PaymentProviderUnavailableException e) when (failedBefore + 1 == options.Value.CaptureTriesBeforeReview)
        {
            logger.LogError("The capture of {Amount} minor units for order {OrderId} failed {Tries} times: {Reason}; still retrying, and the order is marked for a person",
                amount, PublicId.Format(PublicId.Order, orderId), failedBefore + 1, e.Message);
            await orders.ApplyAsync(orderId, new PaymentOutcome.CaptureDelayed(e.Message), "payments.capture-delayed", key, "A delayed capture", ct);
            throw;
        }
        logger.LogInformation("Captured {Amount} minor units of PaymentIntent {IntentId} for order {OrderId}: {Status}",
            amount, intentId, PublicId.Format(PublicId.Order, orderId), intent.Status);
        return await updates.ApplyIntentAsync(intent, ct);
    }

    private async Task<PaymentChange> RefuseAsync(int paymentId, string reason, CancellationToken ct)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                var payment = await db.Payments.FirstAsync(p => p.Id == paymentId, ct);
                var change = observer.CaptureRefused(db, payment, reason);
                await db.SaveChangesAsync(ct);
                return change;
            }
            catch (DbUpdateConcurrencyException) when (round < 5)
            {
                // A webhook about the same payment landed between our read and our write: read it again.
            }
        }
    }
}
