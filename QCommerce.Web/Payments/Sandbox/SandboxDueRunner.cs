using QCommerce.Core.Common;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>Wakes the runner when something new may fall due (a page opened, a refund made).</summary>
public sealed class SandboxDueSignal : WakeUpSignal;

/// <summary>
/// Runs <see cref="SandboxPsp.RunDueAsync"/> when something falls due, or when woken: the sandbox's pages expire, its
/// holds lapse and its refunds settle on their own, from stored state, across restarts.
/// </summary>
public sealed class SandboxDueRunner(SandboxPsp psp, SandboxDueSignal signal, TimeProvider clock, ILogger<SandboxDueRunner> logger) : BackgroundService
{
    /// <summary>The longest it sleeps: a safety net for a wake-up that was missed.</summary>
    private static readonly TimeSpan LongestSleep = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sleep = LongestSleep;
            try
            {
                if (await psp.RunDueAsync(stoppingToken) is { } next)
                {
                    var until = next - clock.GetUtcNow().UtcDateTime;
                    sleep = until <= TimeSpan.Zero ? TimeSpan.FromMilliseconds(10) : until < LongestSleep ? until : LongestSleep;
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Sandbox PSP: a pass over what falls due failed; trying again shortly");
                sleep = TimeSpan.FromSeconds(1);
            }
            await signal.WaitAsync(sleep, stoppingToken);
        }
    }
}
