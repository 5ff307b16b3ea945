using Microsoft.Extensions.Hosting;
using QCommerce.Core.Data;

namespace QCommerce.Core.Payments;

/// <summary>One reconciliation pass: events replayed that webhooks had missed, payments and refunds brought to the PSP's answer.</summary>
public sealed record ReconciliationRun(DateTime AtUtc, int EventsReplayed, int Settled, bool PspAnswered);

/// <summary>
/// Brings payments to the PSP's truth (architecture §4), so a lost webhook never strands an order. First
/// the PSP's event log of the last <see cref="PaymentsOptions.ReconcileLookback"/> is replayed through
/// the webhook's own handler (events already stored change nothing), which also records refunds made
/// at the PSP directly; then payments left behind are asked about one by one: checkout pages still open (paid, or
/// closed, without a word), captures in flight (the answer lost), holds that should have lapsed by now; refunds still
/// pending too, and refunds whose PSP call never got an answer are asked again with the same key.
/// </summary>
public sealed class PaymentReconciliation(IDbContextFactory<QCommerceDbContext> contexts, PaymentUpdates updates, RefundService refundService, IPaymentGateway gateway,
    TimeProvider clock, IOptions<PaymentsOptions> options, ILogger<PaymentReconciliation> logger)
{
    /// <summary>This instance's last run, for the ops payments page: when, what it applied, whether the PSP answered.</summary>
    public ReconciliationRun? LastRun { get; private set; }

    public async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        var replayed = 0;
        var pspAnswered = true;
        try
        {
            var listed = await gateway.ListEventsAsync(clock.UtcNow() - options.Value.ReconcileLookback, ct);
            foreach (var pspEvent in await updates.NotYetReceivedAsync(listed, ct))
                if (await updates.HandlePspEventAsync(pspEvent, ct) == PspEventResult.Applied) replayed++;
        }
        catch (PaymentProviderUnavailableException)
        {
            pspAnswered = false;
            logger.LogWarning("Reconciliation could not read the PSP's events; the next run tries again");
        }
        if (replayed > 0)
            logger.LogWarning("Reconciliation: {Count} PSP events had not arrived by webhook; applied from the PSP's event list", replayed);
        var asked = await AskAboutStuckAsync(ct);
        LastRun = new ReconciliationRun(clock.UtcNow(), replayed, asked, pspAnswered);
        return replayed + asked;
    }

    private async Task<int> AskAboutStuckAsync(CancellationToken ct)
    {
        var cutoff = clock.UtcNow() - options.Value.ReconcileAfter;
        List<int> stuck;
        List<(int PaymentId, Guid Key, string? PspRefundId)> refunds;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            // A page still open or a capture in flight this long is asked about; money merely held (for hours, until the pick)
            // only once its hold should have lapsed: the PSP's events (replayed above) say the rest, and asking about every
            // hold every minute would keep the oldest fifty asked and the others never.
            var lapsedBy = clock.UtcNow() - options.Value.HoldValidity;
            stuck = await db.Payments.AsNoTracking().IgnoreAutoIncludes()
                .Where(p => ((p.Status == PaymentStatus.Initiated || p.Status == PaymentStatus.RequiresAction) && p.UpdatedAtUtc <= cutoff)
                    || (p.Status == PaymentStatus.Authorized && ((p.CaptureKey != null && p.CaptureFailure == null && p.UpdatedAtUtc <= cutoff)
                        || p.AuthorizedAtUtc <= lapsedBy || (p.AuthorizedAtUtc == null && p.UpdatedAtUtc <= cutoff))))
                .OrderBy(p => p.UpdatedAtUtc).Select(p => p.Id).Take(50).ToListAsync(ct);
            refunds = (await db.PaymentRefunds.AsNoTracking()
                .Where(r => r.Status == RefundStatus.Pending && r.CreatedAtUtc <= cutoff)
                .OrderBy(r => r.Id).Select(r => new { r.PaymentId, r.Key, r.PspRefundId }).Take(50).ToListAsync(ct))
                .Select(r => (r.PaymentId, r.Key, r.PspRefundId)).ToList();
        }

        var changed = 0;
        try
        {
            foreach (var paymentId in stuck)
            {
                var change = await OneAsync(() => updates.SyncAsync(paymentId, ct), "payment", PublicId.Format(PublicId.Payment, paymentId));
                if (change == PaymentChange.None) continue;
                changed++;
                // Only an outcome is something a webhook should have told us; "the shopper is on the PSP's page" is not.
                if (change is PaymentChange.Captured or PaymentChange.Failed or PaymentChange.Voided or PaymentChange.Expired)
                    logger.LogWarning("Reconciliation: payment {PaymentId} was behind the PSP; now {Change} (a webhook was lost or late)",
                        PublicId.Format(PublicId.Payment, paymentId), change);
                else
                    logger.LogInformation("Reconciliation: payment {PaymentId} is now {Change}, as the PSP reports", PublicId.Format(PublicId.Payment, paymentId), change);
            }
            foreach (var (paymentId, key, pspRefundId) in refunds)
            {
                var change = pspRefundId is not null
                    ? await OneAsync(() => refundService.SyncRefundAsync(pspRefundId, ct), "refund", pspRefundId)
                    : await OneAsync(async () => { await refundService.AskPspAsync(paymentId, key, ct); return PaymentChange.RefundSucceeded; },
                        "refund", $"{key:N} of payment {PublicId.Format(PublicId.Payment, paymentId)}");
                if (change != PaymentChange.None) changed++;
            }
        }
        catch (PaymentProviderUnavailableException)
        {
            logger.LogWarning("Reconciliation stopped early: the PSP is not answering; the next run tries again");
        }
        return changed;
    }

    /// <summary>
    /// One payment or refund of a pass: one the PSP does not know, or one that fails for a reason of
    /// its own, is logged and skipped so the others are still brought up to date. A PSP outage stops the pass.
    /// </summary>
    private async Task<PaymentChange> OneAsync(Func<Task<PaymentChange>> sync, string what, string id)
    {
        try
        {
            return await sync();
        }
        catch (PspObjectMissingException ex)
        {
            logger.LogWarning("Reconciliation skipped {What} {Id}: {Reason}", what, id, ex.Message);
        }
        catch (Exception ex) when (ex is not (PaymentProviderUnavailableException or OperationCanceledException))
        {
            logger.LogError(ex, "Reconciliation could not bring {What} {Id} up to date; it goes on with the others", what, id);
        }
        return PaymentChange.None;
    }
}

/// <summary>Runs the reconciliation on every instance (each change is guarded by the payment's version), first one interval after start.</summary>
public sealed class PaymentReconciliationService(PaymentReconciliation reconciliation, IOptions<PaymentsOptions> options, TimeProvider clock,
    ILogger<PaymentReconciliationService> logger) : PeriodicJob(clock, logger)
{
    protected override TimeSpan Interval => options.Value.ReconcileInterval;
    protected override string Name => "Payment reconciliation";
    protected override bool RunsAtStart => false;
    protected override Task RunOnceAsync(CancellationToken ct) => reconciliation.RunOnceAsync(ct);
}
