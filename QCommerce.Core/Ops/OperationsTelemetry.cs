using QCommerce.Core.Data;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Ops;

/// <summary>The <c>Operations</c> section of appsettings.json: what readiness and the metrics' sampler look at.</summary>
public sealed class OperationsOptions
{
    /// <summary>An undelivered outbox message older than this makes the instance not ready (deliveries are stuck).</summary>
    public TimeSpan OutboxMaxAge { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>How often the backlog gauges (outbox, mail, low stock) are read from the database.</summary>
    public TimeSpan SampleInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>How long readiness waits for the database before it calls it gone.</summary>
    public TimeSpan DatabaseTimeout { get; set; } = TimeSpan.FromSeconds(3);
}

/// <summary>Counts orders, payments and refunds from the events the outbox delivered (see <see cref="QCommerceMetrics"/>).</summary>
public sealed class OutboxMetrics(QCommerceMetrics metrics, ILogger<OutboxMetrics> logger) : IOutboxDeliveryObserver
{
    public void Delivered(string eventType, string data)
    {
        try
        {
            switch (eventType)
            {
                case EventTypes.OrderCreated:
                    var created = Read<OrderCreatedEvent>(data);
                    metrics.OrderPlaced(created.StoreId, created.PaymentMethod.ToString());
                    break;
                case EventTypes.OrderStatusChanged or EventTypes.OrderCancelled:
                    var change = Read<OrderStatusChangedEvent>(data);
                    metrics.OrderMoved(change.From.ToString(), change.To.ToString());
                    break;
                case EventTypes.PaymentAuthorized: metrics.Payment("held"); break;
                case EventTypes.PaymentCaptured: metrics.Payment("captured"); break;
                case EventTypes.PaymentFailed: metrics.Payment("failed"); break;
                case EventTypes.PaymentVoided: metrics.Payment("voided"); break;
                case EventTypes.PaymentExpired: metrics.Payment("expired"); break;
                case EventTypes.PaymentHeldForReview: metrics.Payment("review"); break;
                case EventTypes.RefundSucceeded: metrics.Refund("succeeded"); break;
                case EventTypes.RefundFailed: metrics.Refund("failed"); break;
            }
        }
        catch (System.Text.Json.JsonException ex)
        {
            // A count missed is no reason to hold back delivery: the event itself was delivered.
            logger.LogWarning(ex, "Could not count outbox event {EventType} in the metrics", eventType);
        }
    }

    private static T Read<T>(string data) => System.Text.Json.JsonSerializer.Deserialize<T>(data, Outbox.Json)!;
}

/// <summary>Hands the gauges a fresh sample every <see cref="OperationsOptions.SampleInterval"/>.</summary>
public sealed class OperationsSamplerService(OperationsSampler sampler, QCommerceMetrics metrics, IOptions<OperationsOptions> options,
    TimeProvider clock, ILogger<OperationsSamplerService> logger) : PeriodicJob(clock, logger)
{
    protected override TimeSpan Interval => options.Value.SampleInterval;
    protected override string Name => "Sampling the backlogs for /metrics";

    protected override async Task RunOnceAsync(CancellationToken ct) => metrics.Sampled(await sampler.ReadAsync(ct));
}

/// <summary>Reads the backlogs the gauges report: undelivered outbox messages and the oldest's age, e-mails waiting, low SKUs.</summary>
public sealed class OperationsSampler(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock)
{
    public async Task<OperationsReadings> ReadAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pending = db.OutboxMessages.AsNoTracking().Where(m => m.ProcessedAtUtc == null);
        var backlog = await pending.CountAsync(ct);
        var oldest = backlog == 0 ? (DateTime?)null : await pending.MinAsync(m => (DateTime?)m.OccurredAtUtc, ct);
        var mail = await db.OutgoingMail.AsNoTracking().CountAsync(m => m.SentAtUtc == null && m.AbandonedAtUtc == null, ct);
        var low = await db.Stock.AsNoTracking().CountAsync(s => s.LowSinceUtc != null, ct);
        var age = oldest is { } at ? clock.UtcNow() - at : TimeSpan.Zero;
        return new OperationsReadings(backlog, age < TimeSpan.Zero ? TimeSpan.Zero : age, low, mail);
    }
}
