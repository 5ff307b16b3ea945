using System.Collections.Concurrent;
using System.Diagnostics;
using System.Text;
using Microsoft.Extensions.Hosting;
using QCommerce.Core.Data;

namespace QCommerce.Core.Webhooks;

/// <summary>
/// Sends due deliveries, each signed per Standard Webhooks. A delivery is leased with one conditional UPDATE before it is
/// sent, so instances never send it together; it waits while an earlier delivery of the same subject to the same endpoint
/// is pending or retrying (order per order, per endpoint); and an endpoint has at most
/// <see cref="WebhookOptions.MaxInFlightPerEndpoint"/> deliveries in flight here, each on its own task, so a slow receiver
/// holds up only its own deliveries. A failed try is retried on the schedule, then the delivery gives up; an endpoint
/// whose deliveries have all failed for <see cref="WebhookOptions.DisableAfter"/> is disabled.
/// </summary>
public sealed class WebhookSender(IDbContextFactory<QCommerceDbContext> contexts, IHttpClientFactory http, WebhookSecrets secrets, WebhookSignal signal,
    IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookSender> logger)
{
    public const string HttpClientName = "webhooks";
    private const int LookAhead = 200;

    private readonly ConcurrentDictionary<int, int> _inFlight = new();
    private readonly ConcurrentDictionary<long, Task> _sending = new();

    /// <summary>Starts sending what is due; returns how many it started. With <paramref name="wait"/>, returns once they are done.</summary>
    public async Task<int> SendDueAsync(CancellationToken ct = default, bool wait = false)
    {
        var now = clock.UtcNow();
        var max = Math.Max(1, options.Value.MaxInFlightPerEndpoint);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var deliveries = db.Set<WebhookDelivery>();
        var due = await deliveries.AsNoTracking()
            .Where(d => (d.State == WebhookDeliveryState.Pending || d.State == WebhookDeliveryState.Retrying) && d.NextAttemptAtUtc <= now
                && (d.LeasedUntilUtc == null || d.LeasedUntilUtc < now)
                && db.Set<WebhookEndpoint>().Any(e => e.Id == d.EndpointId && e.DisabledAtUtc == null)
                && !deliveries.Any(x => x.EndpointId == d.EndpointId && x.OrderingKey == d.OrderingKey && x.Id < d.Id
                    && (x.State == WebhookDeliveryState.Pending || x.State == WebhookDeliveryState.Retrying)))
            .OrderBy(d => d.Id).Take(LookAhead).Select(d => new { d.Id, d.EndpointId }).ToListAsync(ct);
        var chosen = due.GroupBy(d => d.EndpointId).SelectMany(g => g.Take(max - _inFlight.GetValueOrDefault(g.Key))).Select(d => d.Id).ToList();
        if (chosen.Count == 0) return 0;

        var pass = Guid.NewGuid().ToString("N");
        var leaseUntil = now + options.Value.Timeout + TimeSpan.FromSeconds(30);
        await deliveries.Where(d => chosen.Contains(d.Id) && (d.LeasedUntilUtc == null || d.LeasedUntilUtc < now)
                && (d.State == WebhookDeliveryState.Pending || d.State == WebhookDeliveryState.Retrying))
            .ExecuteUpdateAsync(s => s.SetProperty(d => d.LeasedUntilUtc, leaseUntil).SetProperty(d => d.LeasedBy, pass), ct);
        var leased = await deliveries.AsNoTracking().Where(d => d.LeasedBy == pass).OrderBy(d => d.Id).ToListAsync(ct);
        var endpoints = await db.Set<WebhookEndpoint>().AsNoTracking().Where(e => leased.Select(d => d.EndpointId).Contains(e.Id)).ToDictionaryAsync(e => e.Id, ct);

        var started = new List<Task>();
        foreach (var delivery in leased)
        {
            _inFlight.AddOrUpdate(delivery.EndpointId, 1, (_, n) => n + 1);
            var task = Task.Run(() => SendAsync(endpoints[delivery.EndpointId], delivery, pass), CancellationToken.None);
            _sending[delivery.Id] = task;
            started.Add(task);
        }
        if (wait) await Task.WhenAll(started);
        return leased.Count;
    }

    /// <summary>Completes when every send started so far has finished (for shutdown and for tests).</summary>
    public Task WhenIdleAsync() => Task.WhenAll(_sending.Values);

    private async Task SendAsync(WebhookEndpoint endpoint, WebhookDelivery delivery, string pass)
    {
        try
        {
            var outcome = await TryAsync(endpoint, delivery);
            await RecordAsync(endpoint, delivery, pass, outcome);
        }
        catch (Exception e)
        {
            if (e is DbUpdateException && !await EndpointExistsAsync(endpoint.Id))
                // The endpoint was deleted while this try was in flight: its deliveries went with it, and so does the try.
                logger.LogInformation("Webhook delivery {MessageId}: its endpoint {EndpointId} was deleted during the try", delivery.MessageId, endpoint.PublicId);
            else
                // The try's outcome could not be recorded (the database went away): the lease runs out and it is tried again.
                logger.LogError(e, "Webhook delivery {MessageId} to {EndpointId}: recording its try failed", delivery.MessageId, endpoint.PublicId);
        }
        finally
        {
            _inFlight.AddOrUpdate(delivery.EndpointId, 0, (_, n) => Math.Max(0, n - 1));
            _sending.TryRemove(delivery.Id, out _);
            signal.Notify(); // the next delivery of the subject, or a free slot for this endpoint
        }
    }

    private async Task<bool> EndpointExistsAsync(int id)
    {
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            return await db.Set<WebhookEndpoint>().AnyAsync(e => e.Id == id);
        }
        catch (Exception)
        {
            return true; // the database itself is away: the failure is worth the error it logs
        }
    }

    private sealed record Outcome(DateTime At, int? Status, int LatencyMs, string? Excerpt, string? Error)
    {
        public bool Succeeded => Status is >= 200 and < 300;
    }

    private async Task<Outcome> TryAsync(WebhookEndpoint endpoint, WebhookDelivery delivery)
    {
        var at = clock.UtcNow();
        var watch = Stopwatch.StartNew();
        try
        {
            var signing = new List<string> { secrets.Reveal(endpoint.ProtectedSecret) };
            if (endpoint.ProtectedPreviousSecret is { } previous && endpoint.PreviousSecretUntilUtc > at) signing.Add(secrets.Reveal(previous));
            var timestamp = clock.GetUtcNow().ToUnixTimeSeconds();
            using var request = new HttpRequestMessage(HttpMethod.Post, endpoint.Url)
            {
                Content = new StringContent(delivery.Payload, Encoding.UTF8, "application/json"),
            };
            request.Headers.Add("webhook-id", delivery.MessageId);
            request.Headers.Add("webhook-timestamp", timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
            request.Headers.Add("webhook-signature", WebhookSignature.Header(signing, delivery.MessageId, timestamp, delivery.Payload));
            using var timeout = new CancellationTokenSource(options.Value.Timeout);
            using var response = await http.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var excerpt = await ReadExcerptAsync(response, options.Value.ResponseExcerptBytes, timeout.Token);
            var status = (int)response.StatusCode;
            var error = status is >= 300 and < 400 ? $"Redirected to {response.Headers.Location}; redirects are not followed." : null;
            return new(at, status, (int)watch.ElapsedMilliseconds, excerpt, error);
        }
        catch (OperationCanceledException)
        {
            return new(at, null, (int)watch.ElapsedMilliseconds, null, $"No answer within {options.Value.Timeout.TotalSeconds:0.#} s.");
        }
        catch (Exception e) when (e is HttpRequestException or WebhookTargetRefusedException or IOException or System.Security.Cryptography.CryptographicException)
        {
            var refused = e as WebhookTargetRefusedException ?? e.InnerException as WebhookTargetRefusedException;
            return new(at, null, (int)watch.ElapsedMilliseconds, null, refused?.Message ?? Describe(e));
        }
    }

    private static string Describe(Exception e) => e.InnerException is { } inner ? $"{e.Message} ({inner.Message})" : e.Message;

    /// <summary>The start of the answer, as text, read up to <paramref name="limit"/> bytes: a receiver cannot make us read more.</summary>
    private static async Task<string?> ReadExcerptAsync(HttpResponseMessage response, int limit, CancellationToken ct)
    {
        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new byte[limit];
        var read = 0;
        while (read < limit)
        {
            var n = await stream.ReadAsync(buffer.AsMemory(read, limit - read), ct);
            if (n == 0) break;
            read += n;
        }
        return read == 0 ? null : TextRules.Clean(Encoding.UTF8.GetString(buffer, 0, read), WebhookAttempt.MaxExcerptLength);
    }

    private async Task RecordAsync(WebhookEndpoint endpoint, WebhookDelivery delivery, string pass, Outcome outcome)
    {
        var now = clock.UtcNow();
        var schedule = options.Value.RetrySchedule;
        await using var db = await contexts.CreateDbContextAsync();
        await using var tx = await db.Database.BeginTransactionAsync();
        db.Set<WebhookAttempt>().Add(new WebhookAttempt(delivery.Id, endpoint.Id, delivery.Attempts + 1, outcome.At, outcome.Status, outcome.LatencyMs,
            outcome.Excerpt, outcome.Error));
        await db.SaveChangesAsync();
        var mine = db.Set<WebhookDelivery>().Where(d => d.Id == delivery.Id && d.LeasedBy == pass);
        var endpoints = db.Set<WebhookEndpoint>().Where(e => e.Id == endpoint.Id);
        var error = outcome.Error ?? (outcome.Status is { } s ? $"HTTP {s}" : null);
        if (outcome.Succeeded)
        {
            await mine.ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, WebhookDeliveryState.Delivered).SetProperty(d => d.DeliveredAtUtc, now)
                .SetProperty(d => d.Attempts, d => d.Attempts + 1).SetProperty(d => d.FailedInRound, 0)
                .SetProperty(d => d.LastAttemptAtUtc, outcome.At).SetProperty(d => d.LastStatusCode, outcome.Status).SetProperty(d => d.LastError, (string?)null)
                .SetProperty(d => d.LeasedUntilUtc, (DateTime?)null).SetProperty(d => d.LeasedBy, (string?)null));
            await endpoints.ExecuteUpdateAsync(s => s.SetProperty(e => e.FailingSinceUtc, (DateTime?)null).SetProperty(e => e.LastSuccessAtUtc, now));
        }
        else
        {
            var failed = delivery.FailedInRound + 1;
            var givesUp = failed > schedule.Length;
            var next = givesUp ? now : now + Jittered(schedule[failed - 1]);
            await mine.ExecuteUpdateAsync(s => s
                .SetProperty(d => d.State, givesUp ? WebhookDeliveryState.Failed : WebhookDeliveryState.Retrying)
                .SetProperty(d => d.Attempts, d => d.Attempts + 1).SetProperty(d => d.FailedInRound, failed).SetProperty(d => d.NextAttemptAtUtc, next)
                .SetProperty(d => d.LastAttemptAtUtc, outcome.At).SetProperty(d => d.LastStatusCode, outcome.Status).SetProperty(d => d.LastError, error)
                .SetProperty(d => d.LeasedUntilUtc, (DateTime?)null).SetProperty(d => d.LeasedBy, (string?)null));
            await endpoints.Where(e => e.FailingSinceUtc == null).ExecuteUpdateAsync(s => s.SetProperty(e => e.FailingSinceUtc, now));
            var failingSince = now - options.Value.DisableAfter;
            var reason = $"every delivery failed for {options.Value.DisableAfter.TotalHours:0.#} hours (the last: {error}).";
            var disabled = await endpoints.Where(e => e.DisabledAtUtc == null && e.FailingSinceUtc <= failingSince)
                .ExecuteUpdateAsync(s => s.SetProperty(e => e.DisabledAtUtc, now).SetProperty(e => e.DisabledReason, reason));
            if (disabled > 0)
            {
                Audit.Record(db, StaffActor.System, AuditActions.WebhookDisable, "webhook", endpoint.PublicId, null, null, new { reason }, null, now);
                await db.SaveChangesAsync();
                logger.LogError("Webhook endpoint {EndpointId} disabled: {Reason} Enable it on the Webhooks page once its receiver works", endpoint.PublicId, reason);
            }
            var level = givesUp ? LogLevel.Error : LogLevel.Warning;
            logger.Log(level, "Webhook {EventType} {MessageId} to {EndpointId} failed (try {Attempt}): {Error}; {Next}", delivery.EventType, delivery.MessageId,
                endpoint.PublicId, delivery.Attempts + 1, error, givesUp ? "given up: send it again from the delivery log" : $"next try at {next:O}");
        }
        await tx.CommitAsync();
    }

    private TimeSpan Jittered(TimeSpan wait)
    {
        var spread = Math.Clamp(options.Value.Jitter, 0, 1);
        return TimeSpan.FromTicks((long)(wait.Ticks * (1 + spread * (2 * Random.Shared.NextDouble() - 1))));
    }
}

/// <summary>
/// Runs the sender on every instance: at once when a delivery is queued or a send ends here (<see cref="WebhookSignal"/>),
/// else every second while there is work and every five seconds when idle (a retry falling due, another instance's work).
/// </summary>
public sealed class WebhookSenderService(WebhookSender sender, WebhookSignal signal, ILogger<WebhookSenderService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = TimeSpan.FromSeconds(1);
        while (!stoppingToken.IsCancellationRequested)
        {
            var started = 0;
            try
            {
                started = await sender.SendDueAsync(stoppingToken);
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Webhook send pass failed; trying again shortly");
            }
            wait = started > 0 ? TimeSpan.FromSeconds(1) : TimeSpan.FromTicks(Math.Min(TimeSpan.FromSeconds(5).Ticks, wait.Ticks * 2));
            await signal.WaitAsync(wait, stoppingToken);
        }
        await sender.WhenIdleAsync();
    }
}
