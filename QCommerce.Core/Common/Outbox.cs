using System.Diagnostics;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using Microsoft.Extensions.Hosting;

namespace QCommerce.Core.Common;

/// <summary>
/// A domain event waiting to be delivered, written in the same transaction as the change it
/// describes (DESIGN §4). <see cref="Id"/> orders messages; <see cref="EventId"/> is what handlers dedupe on.
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
    public const string PaymentRequiresAction = "PaymentRequiresAction";
    public const string PaymentAuthorized = "PaymentAuthorized";
    public const string PaymentCaptured = "PaymentCaptured";
    public const string PaymentFailed = "PaymentFailed";

    /// <summary>The PSP reported a success we cannot accept as it is (another amount or currency): a person must look.</summary>
    public const string PaymentHeldForReview = "PaymentHeldForReview";
    /// <summary>A refund promised on a payment (staff, a short pick): the PSP is to be asked for it.</summary>
    public const string RefundRequested = "RefundRequested";
    public const string RefundSucceeded = "RefundSucceeded";
    public const string RefundFailed = "RefundFailed";

    /// <summary>A store's free units of a SKU fell to its low-stock threshold: for integrations (purchasing, a supplier).</summary>
    public const string StockLow = "StockLow";
}

/// <summary>An outbox message as handlers see it.</summary>
public sealed record OutboxEnvelope(Guid EventId, string Type, string AggregateId, int Version, DateTime OccurredAtUtc, string? TraceId, string Data)
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

/// <summary>Wakes the dispatcher as soon as a use case commits an event, instead of at its next poll.</summary>
public sealed class OutboxSignal : WakeUpSignal;

/// <summary>
/// Wakes a polling background loop early: any number of <see cref="Notify"/> calls make the next (or
/// the current) <see cref="WaitAsync"/> return at once; otherwise it returns after its timeout.
/// </summary>
public class WakeUpSignal
{
    private readonly SemaphoreSlim _signal = new(0, 1);

    public void Notify()
    {
        if (_signal.CurrentCount == 0)
        {
            try { _signal.Release(); } catch (SemaphoreFullException) { }
        }
    }

    public async Task WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try { await _signal.WaitAsync(timeout, ct); } catch (OperationCanceledException) { } // stopping: the caller's loop ends
    }
}

/// <summary>
/// Delivers outbox messages to the in-process handlers at least once. Several instances may run it:
/// a batch is leased with one conditional UPDATE before delivery, so only one instance holds a message,
/// and a message waits while an earlier one of the same aggregate is undelivered, so each
/// aggregate's events arrive in order. A failure is recorded and retried with exponential backoff.
/// </summary>
public sealed class OutboxDispatcher(IDatabaseContexts contexts, IEnumerable<IOutboxHandler> handlers,
    TimeProvider clock, ILogger<OutboxDispatcher> logger)
{
    public const int BatchSize = 20;
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private readonly IOutboxHandler[] _handlers = handlers.ToArray();

    public static TimeSpan Backoff(int attempts) =>
        TimeSpan.FromSeconds(Math.Min(MaxBackoff.TotalSeconds, Math.Pow(2, Math.Min(attempts, 16) - 1)));

    /// <summary>Delivers what is due now; returns how many messages it took.</summary>
    public async Task<int> DispatchDueAsync(CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateAsync(ct);
        var candidates = await db.Set<OutboxMessage>().AsNoTracking()
            .Where(m => m.ProcessedAtUtc == null && m.NextAttemptAtUtc <= now && (m.LockedUntilUtc == null || m.LockedUntilUtc < now)
                && !db.Set<OutboxMessage>().Any(e => e.AggregateId == m.AggregateId && e.ProcessedAtUtc == null && e.Id < m.Id))
            .OrderBy(m => m.Id)
            .Select(m => m.Id)
            .Take(BatchSize)
            .ToListAsync(ct);
        if (candidates.Count == 0) return 0;

        // One UPDATE leases the batch; whatever another instance leased first is simply not ours.
        var pass = Guid.NewGuid().ToString("N");
        var leased = await db.Set<OutboxMessage>()
            .Where(m => candidates.Contains(m.Id) && m.ProcessedAtUtc == null && (m.LockedUntilUtc == null || m.LockedUntilUtc < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntilUtc, now + LeaseTime).SetProperty(m => m.LockedBy, pass), ct);
        if (leased == 0) return 0;
        var messages = await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.LockedBy == pass && m.ProcessedAtUtc == null).OrderBy(m => m.Id).ToListAsync(ct);

        var delivered = new List<long>();
        foreach (var message in messages)
            if (await DeliverAsync(db, message, ct)) delivered.Add(message.Id);
        if (delivered.Count > 0)
        {
            var done = clock.UtcNow();
            await db.Set<OutboxMessage>().Where(m => delivered.Contains(m.Id)).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.ProcessedAtUtc, done)
                .SetProperty(m => m.LockedUntilUtc, (DateTime?)null)
                .SetProperty(m => m.LockedBy, (string?)null)
                .SetProperty(m => m.Attempts, m => m.Attempts + 1), ct);
        }
        return messages.Count;
    }

    /// <summary>Hands one message to its handlers; a failure is recorded on the message and retried later.</summary>
    private async Task<bool> DeliverAsync(DbContext db, OutboxMessage message, CancellationToken ct)
    {
        var envelope = new OutboxEnvelope(message.EventId, message.Type, message.AggregateId, message.Version, message.OccurredAtUtc, message.TraceId, message.Data);
        try
        {
            foreach (var handler in _handlers.Where(h => h.Handles(message.Type)))
                await handler.HandleAsync(envelope, ct);
            return true;
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            var attempts = message.Attempts + 1;
            var retryAt = clock.UtcNow() + Backoff(attempts);
            var error = $"{ex.GetType().Name}: {ex.Message}";
            if (error.Length > 2000) error = error[..2000];
            logger.LogWarning(ex, "Outbox event {EventType} {EventId} for {AggregateId} failed (attempt {Attempts}); retrying at {RetryAt:O}",
                message.Type, message.EventId, message.AggregateId, attempts, retryAt);
            await db.Set<OutboxMessage>().Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.Attempts, attempts)
                .SetProperty(m => m.LastError, error)
                .SetProperty(m => m.NextAttemptAtUtc, retryAt)
                .SetProperty(m => m.LockedUntilUtc, (DateTime?)null)
                .SetProperty(m => m.LockedBy, (string?)null), CancellationToken.None);
            return false;
        }
    }
}

/// <summary>Runs the dispatcher on every instance: straight after a commit when signalled, else every half second.</summary>
public sealed class OutboxDispatcherService(OutboxDispatcher dispatcher, OutboxSignal signal, ILogger<OutboxDispatcherService> logger) : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            try
            {
                if (await dispatcher.DispatchDueAsync(stoppingToken) >= OutboxDispatcher.BatchSize) continue;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Outbox dispatch pass failed; trying again shortly");
            }
            await signal.WaitAsync(TimeSpan.FromMilliseconds(500), stoppingToken);
        }
    }
}
