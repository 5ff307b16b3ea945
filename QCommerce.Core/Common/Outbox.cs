using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Common;

/// <summary>
/// A domain event waiting to be delivered, written in the same transaction as the change it
/// describes (architecture §4). <see cref="Id"/> orders messages; <see cref="EventId"/> is what handlers dedupe on.
/// </summary>
public sealed class OutboxMessage
{
    private OutboxMessage() { }

    internal OutboxMessage(string type, string aggregateId, string data, DateTime now, string? traceId)
    {
        EventId = Guid.NewGuid();
        Type = type;
        AggregateId = aggregateId;
        Data = data;
        OccurredAtUtc = now;
        NextAttemptAtUtc = now;
        TraceId = traceId;
    }

    public long Id { get; private set; }
    public Guid EventId { get; private set; }
    public string Type { get; private set; } = "";
    public string AggregateId { get; private set; } = "";
    public int Version { get; private set; } = 1;
    public string Data { get; private set; } = "";
    public string? TraceId { get; private set; }
    public DateTime OccurredAtUtc { get; private set; }
    public int Attempts { get; private set; }
    public DateTime NextAttemptAtUtc { get; private set; }
    public DateTime? ProcessedAtUtc { get; private set; }
    public string? LastError { get; private set; }
    public DateTime? LockedUntilUtc { get; private set; }

    /// <summary>The dispatch pass holding the lease, so one UPDATE can lease a whole batch.</summary>
    public string? LockedBy { get; private set; }
}

/// <summary>A handler's record that it has applied an event, so a redelivery has no second effect.</summary>
public sealed class ProcessedMessage
{
    private ProcessedMessage() { }

    public ProcessedMessage(string handler, Guid eventId, DateTime now)
    {
        Handler = handler;
        EventId = eventId;
        ProcessedAtUtc = now;
    }

    public string Handler { get; private set; } = "";
    public Guid EventId { get; private set; }
    public DateTime ProcessedAtUtc { get; private set; }
}

internal sealed class OutboxConfigurations : IEntityTypeConfiguration<OutboxMessage>, IEntityTypeConfiguration<ProcessedMessage>
{
    public void Configure(EntityTypeBuilder<OutboxMessage> b)
    {
        b.ToTable("OutboxMessages");
        b.Property(m => m.Type).HasMaxLength(80);
        b.Property(m => m.AggregateId).HasMaxLength(64);
        b.Property(m => m.TraceId).HasMaxLength(64);
        b.Property(m => m.LastError).HasMaxLength(2000);
        b.Property(m => m.LockedBy).HasMaxLength(32);
        b.HasIndex(m => m.EventId).IsUnique();
        b.HasIndex(m => new { m.ProcessedAtUtc, m.NextAttemptAtUtc });
        b.HasIndex(m => new { m.AggregateId, m.Id });
    }

    public void Configure(EntityTypeBuilder<ProcessedMessage> b)
    {
        b.ToTable("ProcessedMessages");
        b.Property(m => m.Handler).HasMaxLength(80);
        b.HasKey(m => new { m.Handler, m.EventId });
    }
}

/// <summary>The well-known event names; payloads are small JSON records.</summary>
public static class EventTypes
{
    public const string OrderCreated = "OrderCreated";
    public const string OrderChanged = "OrderChanged";
    public const string OrderStatusChanged = "OrderStatusChanged";
    public const string OrderCancelled = "OrderCancelled";

    /// <summary>The pick list is finished (the status stays Picking until a rider takes the order): what was found is known.</summary>
    public const string OrderPicked = "OrderPicked";
    public const string PaymentRequiresAction = "PaymentRequiresAction";
    public const string PaymentAuthorized = "PaymentAuthorized";
    public const string PaymentCaptured = "PaymentCaptured";
    public const string PaymentFailed = "PaymentFailed";

    /// <summary>A hold released (voided) or lapsed (expired) before anything was captured.</summary>
    public const string PaymentVoided = "PaymentVoided";
    public const string PaymentExpired = "PaymentExpired";

    /// <summary>A capture promised on a held payment (the pick finished): the PSP is to be asked for it.</summary>
    public const string CaptureRequested = "CaptureRequested";

    /// <summary>The PSP refused a capture for good, or has not answered it for a while: a person must look.</summary>
    public const string CaptureFailed = "CaptureFailed";

    /// <summary>An order asks that its card's hold be released (money held for an order cancelled, or for another total).</summary>
    public const string HoldReleaseRequested = "HoldReleaseRequested";

    /// <summary>The PSP reported a success we cannot accept as it is (another amount or currency): a person must look.</summary>
    public const string PaymentHeldForReview = "PaymentHeldForReview";
    /// <summary>A refund promised on a payment (staff, a short pick): the PSP is to be asked for it.</summary>
    public const string RefundRequested = "RefundRequested";
    public const string RefundSucceeded = "RefundSucceeded";
    public const string RefundFailed = "RefundFailed";

    /// <summary>A store's free units of a SKU fell to its low-stock threshold: for integrations (purchasing, a supplier).</summary>
    public const string StockLow = "StockLow";

    /// <summary>Prices were scheduled or withdrawn (by hand, or a chunk of an import): for integrations (a price feed, an ERP).</summary>
    public const string PriceChanged = "PriceChanged";
}

/// <summary>An outbox message as handlers see it.</summary>
/// <param name="FailedBefore">How many deliveries of this message failed already (a handler may tell a person after a few).</param>
/// <param name="Sequence">The message's place in the outbox: it grows with each event of an aggregate (their writes are serialized).</param>
public sealed record OutboxEnvelope(Guid EventId, string Type, string AggregateId, int Version, DateTime OccurredAtUtc, string? TraceId, string Data,
    int FailedBefore = 0, long Sequence = 0)
{
    public T Read<T>() => JsonSerializer.Deserialize<T>(Data, Outbox.Json)!;
}

/// <summary>An in-process consumer of outbox events. It must record <see cref="ProcessedMessage"/> with its effect.</summary>
public interface IOutboxHandler
{
    /// <summary>A stable name: processed events are recorded under it.</summary>
    string Name { get; }

    bool Handles(string eventType);

    Task HandleAsync(OutboxEnvelope message, CancellationToken ct);
}

public static class Outbox
{
    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>Adds an event to the context's pending changes: it commits with them or not at all.</summary>
    public static void Enqueue<T>(DbContext db, string type, string aggregateId, T data, DateTime now) =>
        db.Set<OutboxMessage>().Add(new OutboxMessage(type, aggregateId, JsonSerializer.Serialize(data, Json), now, Activity.Current?.TraceId.ToString()));

    /// <summary>True when this handler already applied the event (its effect must not happen twice).</summary>
    public static Task<bool> AlreadyProcessedAsync(DbContext db, string handler, Guid eventId, CancellationToken ct) =>
        db.Set<ProcessedMessage>().AnyAsync(m => m.Handler == handler && m.EventId == eventId, ct);
}
