using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace QCommerce.Core.Common;

/// <summary>Wakes the dispatcher as soon as an outbox message commits on this instance, instead of at its next look.</summary>
public sealed class OutboxSignal : WakeUpSignal;

/// <summary>
/// Wakes a waiting background loop early: any number of <see cref="Notify"/> calls make the next (or
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

    /// <summary>True when woken by <see cref="Notify"/>; false after the timeout or when stopping.</summary>
    public async Task<bool> WaitAsync(TimeSpan timeout, CancellationToken ct)
    {
        try { return await _signal.WaitAsync(timeout, ct); } catch (OperationCanceledException) { return false; } // stopping: the caller's loop ends
    }
}

/// <summary>
/// Wakes the dispatcher when a save that added an outbox message commits (after the commit, never for a rollback), so
/// no use case has to remember to, and none can forget.
/// </summary>
public sealed class OutboxCommitInterceptor(OutboxSignal signal) : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _adding = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Saving(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Saving(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db) _adding.Remove(db);
        return Task.CompletedTask;
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is { } db) _adding.Remove(db);
    }

    // Added entries are known only before the save; the commit hook is set after it, when the save is in the
    // transaction it commits with (or has committed by itself).
    private void Saving(DbContext? db)
    {
        if (db is not null && db.ChangeTracker.Entries<OutboxMessage>().Any(e => e.State == EntityState.Added)) _adding.AddOrUpdate(db, db);
    }

    private void Saved(DbContext? db)
    {
        if (db is not null && _adding.Remove(db)) CommitHooks.AfterCommit(db, signal.Notify);
    }
}

/// <summary>
/// Delivers outbox messages to the in-process handlers at least once. Several instances may run it:
/// a batch is leased with one conditional UPDATE before delivery, so only one instance holds a message,
/// and a message waits while an earlier one of the same aggregate is undelivered, so each
/// aggregate's events arrive in order. A failure is recorded and retried with exponential backoff.
/// </summary>
public sealed class OutboxDispatcher(IDatabaseContexts contexts, IEnumerable<IOutboxHandler> handlers, IEnumerable<IOutboxDeliveryObserver> observers,
    TimeProvider clock, ILogger<OutboxDispatcher> logger)
{
    public const int BatchSize = 20;
    private static readonly TimeSpan LeaseTime = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan MaxBackoff = TimeSpan.FromMinutes(5);
    private readonly IOutboxHandler[] _handlers = handlers.ToArray();
    private readonly IOutboxDeliveryObserver[] _observers = observers.ToArray();

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
            .Take(BatchSize)
            .ToListAsync(ct);
        if (candidates.Count == 0) return 0;

        // One UPDATE leases the batch; whatever another instance leased first is simply not ours. When every candidate
        // was leased (nearly always), the rows read above are the batch; only a race lost in part reads again.
        var pass = Guid.NewGuid().ToString("N");
        var ids = candidates.Select(m => m.Id).ToList();
        var leased = await db.Set<OutboxMessage>()
            .Where(m => ids.Contains(m.Id) && m.ProcessedAtUtc == null && (m.LockedUntilUtc == null || m.LockedUntilUtc < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.LockedUntilUtc, now + LeaseTime).SetProperty(m => m.LockedBy, pass), ct);
        if (leased == 0) return 0;
        var messages = leased == candidates.Count
            ? candidates
            : await db.Set<OutboxMessage>().AsNoTracking().Where(m => m.LockedBy == pass && m.ProcessedAtUtc == null).OrderBy(m => m.Id).ToListAsync(ct);

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
            foreach (var message in messages.Where(m => delivered.Contains(m.Id)))
            foreach (var observer in _observers)
                observer.Delivered(message.Type, message.Data);
        }
        return messages.Count;
    }

    /// <summary>Hands one message to its handlers; a failure is recorded on the message and retried later.</summary>
    private async Task<bool> DeliverAsync(DbContext db, OutboxMessage message, CancellationToken ct)
    {
        var envelope = new OutboxEnvelope(message.EventId, message.Type, message.AggregateId, message.Version, message.OccurredAtUtc, message.TraceId, message.Data,
            message.Attempts, message.Id);
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

/// <summary>
/// Told of each message once it is delivered and marked so (never of a delivery that failed and will be retried): counts,
/// not effects. It must not throw.
/// </summary>
public interface IOutboxDeliveryObserver
{
    void Delivered(string eventType, string data);
}

/// <summary>
/// Runs the dispatcher on every instance. A commit here wakes it (<see cref="OutboxCommitInterceptor"/>); it then waits a
/// few milliseconds, so that under load one pass takes the messages of many orders instead of one pass each (every pass
/// is a read and two writes). Otherwise it looks on its own: every half second while messages keep coming, less often
/// as it keeps finding none, down to once every <see cref="IdleLook"/>. That look is for what this instance was not told
/// of: a retry whose backoff ran out, or a message another instance committed and could not deliver (it stopped).
/// </summary>
public sealed class OutboxDispatcherService(OutboxDispatcher dispatcher, OutboxSignal signal, ILogger<OutboxDispatcherService> logger) : BackgroundService
{
    public static readonly TimeSpan Gather = TimeSpan.FromMilliseconds(15);
    public static readonly TimeSpan BusyLook = TimeSpan.FromMilliseconds(500);
    public static readonly TimeSpan IdleLook = TimeSpan.FromSeconds(5);

    /// <summary>How long to wait after a pass that took <paramref name="taken"/> messages, having waited <paramref name="last"/> before it.</summary>
    public static TimeSpan NextLook(int taken, TimeSpan last) =>
        taken > 0 ? BusyLook : TimeSpan.FromTicks(Math.Min(IdleLook.Ticks, Math.Max(BusyLook.Ticks, last.Ticks * 2)));

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var wait = BusyLook;
        while (!stoppingToken.IsCancellationRequested)
        {
            var taken = 0;
            try
            {
                taken = await dispatcher.DispatchDueAsync(stoppingToken);
                if (taken >= OutboxDispatcher.BatchSize) continue;
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogError(ex, "Outbox dispatch pass failed; trying again shortly");
            }
            wait = NextLook(taken, wait);
            if (!await signal.WaitAsync(wait, stoppingToken)) continue;
            wait = BusyLook;
            try { await Task.Delay(Gather, stoppingToken); } catch (OperationCanceledException) { }
        }
    }
}
