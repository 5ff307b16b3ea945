using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Webhooks;

public enum WebhookDeliveryState
{
    /// <summary>Not tried yet, or sent again by hand.</summary>
    Pending,

    /// <summary>Failed at least once; tried again at <see cref="WebhookDelivery.NextAttemptAtUtc"/>.</summary>
    Retrying,
    Delivered,

    /// <summary>Every try of its schedule failed: it waits for someone to send it again.</summary>
    Failed,
}

/// <summary>
/// One event for one endpoint. Its <see cref="MessageId"/> is the <c>webhook-id</c> of every try, so a receiver dedupes on it;
/// its <see cref="Payload"/> is fixed when the event is fanned out, so every try (and a replay) sends the same bytes.
/// <see cref="OrderingKey"/> is the event's subject (an order, a stock row): a delivery waits while an earlier one of the
/// same subject to the same endpoint is still pending or retrying. <see cref="Sequence"/> grows with each event of a
/// subject, for receivers that see a delivery given up on and sent again later.
/// </summary>
public sealed class WebhookDelivery
{
    private WebhookDelivery() { }

    internal WebhookDelivery(int endpointId, Guid eventId, string eventType, string orderingKey, long sequence, string payload, DateTime now)
    {
        EndpointId = endpointId;
        EventId = eventId;
        MessageId = "msg_" + Guid.NewGuid().ToString("N");
        EventType = eventType;
        OrderingKey = orderingKey;
        Sequence = sequence;
        Payload = payload;
        CreatedAtUtc = now;
        NextAttemptAtUtc = now;
    }

    public long Id { get; private set; }
    public int EndpointId { get; private set; }

    /// <summary>The outbox event it carries: one delivery per event and endpoint.</summary>
    public Guid EventId { get; private set; }
    public string MessageId { get; private set; } = "";
    public string EventType { get; private set; } = "";
    public string OrderingKey { get; private set; } = "";
    public long Sequence { get; private set; }
    public string Payload { get; private set; } = "";
    public DateTime CreatedAtUtc { get; private set; }
    public WebhookDeliveryState State { get; private set; }

    /// <summary>Tries so far, replays included: the log's attempt number.</summary>
    public int Attempts { get; private set; }

    /// <summary>Failed tries since it was last (re)queued: where it stands in the retry schedule.</summary>
    public int FailedInRound { get; private set; }
    public DateTime NextAttemptAtUtc { get; private set; }
    public DateTime? LeasedUntilUtc { get; private set; }
    public string? LeasedBy { get; private set; }
    public DateTime? LastAttemptAtUtc { get; private set; }
    public int? LastStatusCode { get; private set; }
    public string? LastError { get; private set; }
    public DateTime? DeliveredAtUtc { get; private set; }
}

/// <summary>One try of a delivery, as the delivery log shows it: when, the answer's status, how long, and what it said.</summary>
public sealed class WebhookAttempt
{
    public const int MaxExcerptLength = 1024;

    private WebhookAttempt() { }

    internal WebhookAttempt(long deliveryId, int endpointId, int number, DateTime at, int? statusCode, int latencyMs, string? excerpt, string? error)
    {
        DeliveryId = deliveryId;
        EndpointId = endpointId;
        Number = number;
        AtUtc = at;
        StatusCode = statusCode;
        LatencyMs = latencyMs;
        ResponseExcerpt = excerpt is { Length: > MaxExcerptLength } ? excerpt[..MaxExcerptLength] : excerpt;
        Error = error is { Length: > 500 } ? error[..500] : error;
    }

    public long Id { get; private set; }
    public long DeliveryId { get; private set; }
    public int EndpointId { get; private set; }
    public int Number { get; private set; }
    public DateTime AtUtc { get; private set; }
    public int? StatusCode { get; private set; }
    public int LatencyMs { get; private set; }
    public string? ResponseExcerpt { get; private set; }

    /// <summary>Why no answer came (a timeout, a refused connection, a target not allowed).</summary>
    public string? Error { get; private set; }

    public bool Succeeded => StatusCode is >= 200 and < 300;
}

internal sealed class WebhookDeliveryConfiguration : IEntityTypeConfiguration<WebhookDelivery>, IEntityTypeConfiguration<WebhookAttempt>
{
    public void Configure(EntityTypeBuilder<WebhookDelivery> b)
    {
        b.ToTable("WebhookDeliveries");
        b.Property(d => d.MessageId).HasMaxLength(40);
        b.Property(d => d.EventType).HasMaxLength(40);
        b.Property(d => d.OrderingKey).HasMaxLength(80);
        b.Property(d => d.State).HasConversion<string>().HasMaxLength(12);
        b.Property(d => d.LeasedBy).HasMaxLength(32);
        b.Property(d => d.LastError).HasMaxLength(500);
        b.HasIndex(d => new { d.EndpointId, d.EventId }).IsUnique();
        b.HasIndex(d => d.MessageId).IsUnique();
        // The sender's look: what is due; and its ordering rule: an earlier open delivery of the same subject to the same endpoint.
        b.HasIndex(d => new { d.State, d.NextAttemptAtUtc });
        b.HasIndex(d => new { d.EndpointId, d.OrderingKey, d.Id });
        b.HasIndex(d => new { d.EndpointId, d.Id });
        b.HasOne<WebhookEndpoint>().WithMany().HasForeignKey(d => d.EndpointId).OnDelete(DeleteBehavior.Cascade);
    }

    public void Configure(EntityTypeBuilder<WebhookAttempt> b)
    {
        b.ToTable("WebhookAttempts");
        b.Property(a => a.ResponseExcerpt).HasMaxLength(WebhookAttempt.MaxExcerptLength);
        b.Property(a => a.Error).HasMaxLength(500);
        b.HasIndex(a => new { a.EndpointId, a.Id });
        b.HasIndex(a => a.DeliveryId);
        b.HasOne<WebhookDelivery>().WithMany().HasForeignKey(a => a.DeliveryId).OnDelete(DeleteBehavior.Cascade);
    }
}
