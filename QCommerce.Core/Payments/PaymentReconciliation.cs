using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using QCommerce.Core.Common;
using QCommerce.Core.Data;

namespace QCommerce.Core.Payments;

/// <summary>
/// Brings payments to the PSP's truth (DESIGN §4), so a lost webhook never strands an order. First
/// the PSP's event log of the last <see cref="PaymentsOptions.ReconcileLookback"/> is replayed through
/// the webhook's own handler (events already stored change nothing), which also records refunds made
/// at the PSP directly; then payments still left Initiated/RequiresAction/Authorized and refunds still
/// pending are asked about one by one, and refunds whose PSP call never got an answer are asked again
/// with the same key.
/// </summary>
public sealed class PaymentReconciliation(IDbContextFactory<QCommerceDbContext> contexts, PaymentService payments, IPaymentGateway gateway,
    TimeProvider clock, IOptions<PaymentsOptions> options, ILogger<PaymentReconciliation> logger)
{
    public async Task<int> RunOnceAsync(CancellationToken ct = default)
    {
        var replayed = 0;
        try
        {
            var listed = await gateway.ListEventsAsync(clock.UtcNow() - options.Value.ReconcileLookback, ct);
            foreach (var pspEvent in await payments.NotYetReceivedAsync(listed, ct))
                if (await payments.HandlePspEventAsync(pspEvent, ct) == PspEventResult.Applied) replayed++;
        }
        catch (PaymentProviderUnavailableException)
        {
            logger.LogWarning("Reconciliation could not read the PSP's events; the next run tries again");
        }
        if (replayed > 0)
            logger.LogWarning("Reconciliation: {Count} PSP events had not arrived by webhook; applied from the PSP's event list", replayed);
        return replayed + await AskAboutStuckAsync(ct);
    }

    private async Task<int> AskAboutStuckAsync(CancellationToken ct)
    {
        var cutoff = clock.UtcNow() - options.Value.ReconcileAfter;
        List<int> stuck;
        List<(int PaymentId, Guid Key, string? PspRefundId)> refunds;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            stuck = await db.Payments.AsNoTracking().IgnoreAutoIncludes()
                .Where(p => (p.Status == PaymentStatus.Initiated || p.Status == PaymentStatus.RequiresAction || p.Status == PaymentStatus.Authorized)
                    && p.UpdatedAtUtc <= cutoff)
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
                var change = await payments.SyncAsync(paymentId, ct);
                if (change == PaymentChange.None) continue;
                changed++;
                logger.LogWarning("Reconciliation: payment {PaymentId} was behind the PSP; now {Change} (a webhook was lost or late)",
                    PublicId.Format(PublicId.Payment, paymentId), change);
            }
            foreach (var (paymentId, key, pspRefundId) in refunds)
            {
                if (pspRefundId is not null)
                {
                    if (await payments.SyncRefundAsync(pspRefundId, ct) != PaymentChange.None) changed++;
                }
                else
                {
                    await payments.RefundAsync(paymentId, null, "", "system", key, ct);
                    changed++;
                }
            }
        }
        catch (PaymentProviderUnavailableException)
        {
            logger.LogWarning("Reconciliation stopped early: the PSP is not answering; the next run tries again");
        }
        return changed;
    }
}

/// <summary>Runs the reconciliation on every instance (each change is guarded by the payment's version).</summary>
public sealed class PaymentReconciliationService(PaymentReconciliation reconciliation, IOptions<PaymentsOptions> options, TimeProvider clock,
    ILogger<PaymentReconciliationService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.ReconcileInterval, clock);
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            try
            {
                await reconciliation.RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Payment reconciliation failed; the next run tries again");
            }
        }
    }
}
