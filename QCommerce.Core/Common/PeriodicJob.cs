using Microsoft.Extensions.Hosting;

namespace QCommerce.Core.Common;

/// <summary>
/// Housekeeping that every instance runs on a timer (each pass is safe to run on several at once): once at start
/// (unless <see cref="RunsAtStart"/> says not), then every <see cref="Interval"/>. A failed pass is logged and the
/// next one tries again.
/// </summary>
public abstract class PeriodicJob(TimeProvider clock, ILogger logger) : BackgroundService
{
    protected abstract TimeSpan Interval { get; }

    /// <summary>What the operator reads when a pass fails.</summary>
    protected abstract string Name { get; }

    protected abstract Task RunOnceAsync(CancellationToken ct);

    protected virtual bool RunsAtStart => true;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Interval, clock);
        if (!RunsAtStart && !await timer.WaitForNextTickAsync(stoppingToken)) return;
        do
        {
            try
            {
                await RunOnceAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "{Job} failed; the next pass tries again", Name);
            }
        } while (await timer.WaitForNextTickAsync(stoppingToken));
    }
}

/// <summary>Idempotency keys are kept 24 h (architecture §4); older ones go, every ten minutes.</summary>
public sealed class IdempotencyPurgeService(IdempotencyGuard idempotency, TimeProvider clock, ILogger<IdempotencyPurgeService> logger)
    : PeriodicJob(clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(10);
    protected override string Name => "Purging expired idempotency keys";
    protected override Task RunOnceAsync(CancellationToken ct) => idempotency.PurgeExpiredAsync(ct);
}
