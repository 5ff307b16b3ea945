using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Options;
using QCommerce.Core.Common;
using QCommerce.Core.Payments;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>Wakes the sender as soon as an event is written.</summary>
public sealed class SandboxWebhookSignal : WakeUpSignal;

/// <summary>
/// Delivers the sandbox's events to <c>/v1/webhooks/psp</c> like Stripe does: signed with the
/// webhook secret at the moment of sending, one at a time in the order they happened, retried
/// with backoff until answered 2xx. Undelivered events survive a restart in the sandbox's file.
/// </summary>
public sealed class SandboxWebhookSender(IDbContextFactory<PspSandboxDbContext> contexts, SandboxWebhookSignal signal, SandboxAddress address,
    SandboxFaults faults, IOptions<PaymentsOptions> options, TimeProvider clock, ILogger<SandboxWebhookSender> logger) : BackgroundService
{
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(1);
    private const int Batch = 50;
    private readonly HttpClient _http = new() { Timeout = TimeSpan.FromSeconds(10) };

    /// <summary>
    /// The longest it sleeps without being woken: every event is written by this process, which wakes it, so this is only
    /// a safety net (an event whose wake-up was missed is still sent within it).
    /// </summary>
    public static readonly TimeSpan LongestSleep = TimeSpan.FromSeconds(30);

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var sleep = TimeSpan.FromMilliseconds(250); // until the app knows its own address, or after a failed pass
            try
            {
                if (address.IsKnown) sleep = await DeliverDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Sandbox PSP: webhook delivery pass failed");
            }
            if (sleep > TimeSpan.Zero) await signal.WaitAsync(sleep, stoppingToken);
        }
    }

    /// <summary>Sends what is due; returns how long to sleep: until the next retry is due, or <see cref="LongestSleep"/> when none waits.</summary>
    private async Task<TimeSpan> DeliverDueAsync(CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var due = await db.Webhooks.Where(w => w.DeliveredAtUtc == null && !w.Lost && w.NextAttemptAtUtc <= now)
            .OrderBy(w => w.Id).Take(Batch).ToListAsync(ct);
        var target = address.Self + "/v1/webhooks/psp";
        foreach (var webhook in due)
        {
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, target)
            {
                Content = new StringContent(webhook.Payload, System.Text.Encoding.UTF8, "application/json"),
            };
            var secret = faults.SignWebhooksWrongly ? "whsec_sandbox_fault_wrong_secret" : options.Value.Stripe.WebhookSecret;
            request.Headers.Add("Stripe-Signature", Stripe.EventUtility.GenerateSignatureHeader(webhook.Payload, secret, timestamp));
            webhook.Attempts++;
            try
            {
                using var response = await _http.SendAsync(request, ct);
                webhook.LastStatus = (int)response.StatusCode;
                if (response.IsSuccessStatusCode) webhook.DeliveredAtUtc = clock.GetUtcNow().UtcDateTime;
            }
            catch (Exception ex) when (!ct.IsCancellationRequested)
            {
                webhook.LastStatus = 0;
                logger.LogDebug(ex, "Sandbox PSP: {EventId} not delivered", webhook.EventId);
            }
            if (webhook.DeliveredAtUtc is null)
            {
                var wait = TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(webhook.Attempts, 10) - 1)));
                webhook.NextAttemptAtUtc = clock.GetUtcNow().UtcDateTime + wait;
                logger.LogWarning("Sandbox PSP: event {EventId} ({Type}) answered {Status}; retrying in {Wait}", webhook.EventId, webhook.Type, webhook.LastStatus, wait);
            }
        }
        await db.SaveChangesAsync(ct);
        if (due.Count == Batch) return TimeSpan.Zero; // more are due: straight on
        // Asked only after a pass, never on a timer of its own: an idle shop sends the sandbox's file no query at all.
        var next = await db.Webhooks.Where(w => w.DeliveredAtUtc == null && !w.Lost).MinAsync(w => (DateTime?)w.NextAttemptAtUtc, ct);
        if (next is null) return LongestSleep;
        var untilNext = next.Value - clock.GetUtcNow().UtcDateTime;
        return untilNext <= TimeSpan.Zero ? TimeSpan.Zero : untilNext < LongestSleep ? untilNext : LongestSleep;
    }

    public override void Dispose()
    {
        _http.Dispose();
        base.Dispose();
    }
}
