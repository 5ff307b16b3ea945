using System.Collections.Concurrent;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.Extensions.Hosting;

namespace QCommerce.Core.Common;

/// <summary>What changed, as a live page asks about it: <c>("order", 12)</c>, <c>("store", 2)</c>, <c>("payment", 5)</c>.</summary>
public readonly record struct Change(string Topic, int Key);

/// <summary>One saved version of a row that live pages follow, and the changes it stands for.</summary>
public readonly record struct ChangedRow(string Table, int Id, int Version, IReadOnlyList<Change> Changes);

/// <summary>An entity whose saves live pages follow (an order, a payment): what each save of it changes.</summary>
public interface ILiveEntity
{
    ChangedRow Changed();
}

/// <summary>
/// Where another instance's saves are found: a feature's rows written since a moment. The feed asks once a second,
/// and only while some page here is watching.
/// </summary>
public interface IChangeSource
{
    /// <summary>The topics its rows stand for: the source is asked only while some page watches one of them.</summary>
    IReadOnlyCollection<string> Topics { get; }

    /// <summary>How often it is asked while watched (once a second, unless its news may wait longer).</summary>
    TimeSpan Every => ChangeFeedWatcher.Every;

    Task<IReadOnlyList<ChangedRow>> ChangedSinceAsync(DbContext db, DateTime sinceUtc, CancellationToken ct);
}

/// <summary>
/// The one feed of the live pages (order tracking, the payment return page, ops lists). A save on this instance
/// reaches its watchers as soon as it commits (<see cref="ChangeFeedInterceptor"/>); a save on another instance within
/// about a second (<see cref="ChangeFeedWatcher"/>: one cheap query per source a second, for all pages at once, and
/// none while nobody watches). A row's version is published once however it arrives.
/// </summary>
public sealed class ChangeFeed(ILogger<ChangeFeed> logger)
{
    private readonly ILogger _logger = logger;
    private readonly ConcurrentDictionary<Subscription, byte> _subscriptions = new();
    private readonly ConcurrentDictionary<(string Table, int Id), int> _published = new();

    public bool HasWatchers => !_subscriptions.IsEmpty;

    /// <summary>Whether some page watches <paramref name="topic"/> now.</summary>
    public bool IsWatched(string topic) => _subscriptions.Keys.Any(s => s.Watches(topic));

    /// <summary>Calls <paramref name="onChange"/> after each change of any of <paramref name="changes"/> (a <c>Key</c> of 0: any key of the topic).</summary>
    public IDisposable Watch(IReadOnlyCollection<Change> changes, Func<Task> onChange)
    {
        var subscription = new Subscription(this, changes, onChange);
        _subscriptions[subscription] = 0;
        return subscription;
    }

    public void Publish(IEnumerable<ChangedRow> rows)
    {
        foreach (var row in rows)
        {
            var known = _published.GetValueOrDefault((row.Table, row.Id), -1);
            if (row.Version <= known) continue;
            _published[(row.Table, row.Id)] = row.Version;
            foreach (var subscription in _subscriptions.Keys)
                if (row.Changes.Any(subscription.Matches)) subscription.Signal();
        }
        if (_published.Count > 50_000) _published.Clear(); // a bound, not a cache: at worst a page reloads once more
    }

    private sealed class Subscription(ChangeFeed feed, IReadOnlyCollection<Change> changes, Func<Task> onChange) : IDisposable
    {
        public bool Matches(Change change) => changes.Any(c => c.Topic == change.Topic && (c.Key == 0 || c.Key == change.Key));

        public bool Watches(string topic) => changes.Any(c => c.Topic == topic);

        public void Signal() => _ = RunAsync();

        private async Task RunAsync()
        {
            try
            {
                await onChange();
            }
            catch (Exception ex)
            {
                feed._logger.LogWarning(ex, "A live page failed to refresh after a change");
            }
        }

        public void Dispose() => feed._subscriptions.TryRemove(this, out _);
    }
}

/// <summary>
/// Publishes the live entities a context saved, once the save is durable (<see cref="CommitHooks"/>): right after
/// SaveChanges without a transaction of the caller's, or when the caller's transaction commits (never for one rolled back).
/// </summary>
public sealed class ChangeFeedInterceptor(ChangeFeed feed) : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, List<ILiveEntity>> _saving = new();

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db)
        {
            var live = db.ChangeTracker.Entries()
                .Where(e => e.State is EntityState.Added or EntityState.Modified && e.Entity is ILiveEntity)
                .Select(e => (ILiveEntity)e.Entity).ToList();
            if (live.Count > 0) _saving.AddOrUpdate(db, live);
        }
        return ValueTask.FromResult(result);
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db && _saving.TryGetValue(db, out var live))
        {
            _saving.Remove(db);
            var rows = live.Select(e => e.Changed()).ToList(); // read after the save: new rows have their ids now
            CommitHooks.AfterCommit(db, () => feed.Publish(rows));
        }
        return ValueTask.FromResult(result);
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db) _saving.Remove(db);
        return Task.CompletedTask;
    }
}

/// <summary>
/// Brings other instances' saves to this instance's watchers: while any page watches, once a second, each source is
/// asked for its rows written in the last few seconds (the overlap covers clocks a little apart and commits still
/// in flight; a version already published is not published again). A source nobody's topics need is not asked, and a
/// source whose news may wait is asked at its own, longer interval.
/// </summary>
public sealed class ChangeFeedWatcher(ChangeFeed feed, IEnumerable<IChangeSource> sources, IDatabaseContexts contexts, TimeProvider clock,
    ILogger<ChangeFeedWatcher> logger) : BackgroundService
{
    public static readonly TimeSpan Every = TimeSpan.FromSeconds(1);
    private static readonly TimeSpan Overlap = TimeSpan.FromSeconds(5);
    private readonly IChangeSource[] _sources = sources.ToArray();

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Every, clock);
        var asked = new DateTime[_sources.Length];
        while (await timer.WaitForNextTickAsync(stoppingToken))
        {
            if (!feed.HasWatchers) continue;
            try
            {
                var now = clock.UtcNow();
                var due = Enumerable.Range(0, _sources.Length)
                    .Where(i => now - asked[i] >= _sources[i].Every - TimeSpan.FromMilliseconds(100) && _sources[i].Topics.Any(feed.IsWatched)).ToList();
                if (due.Count == 0) continue;
                await using var db = await contexts.CreateAsync(stoppingToken);
                foreach (var i in due)
                {
                    asked[i] = now;
                    feed.Publish(await _sources[i].ChangedSinceAsync(db, now - Overlap - _sources[i].Every, stoppingToken));
                }
            }
            catch (Exception ex) when (!stoppingToken.IsCancellationRequested)
            {
                logger.LogWarning(ex, "Looking for other instances' changes failed; live pages here catch up on the next pass");
            }
        }
    }
}
