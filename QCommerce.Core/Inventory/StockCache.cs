using System.Collections.Concurrent;
using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Infrastructure;
using QCommerce.Core.Catalog;
using QCommerce.Core.Data;

namespace QCommerce.Core.Inventory;

/// <summary>
/// The stock shoppers see (<see cref="IStockView"/>), from memory: each store's free units and thresholds, read whole
/// and read again once they are a second old (so another instance's orders show within a second). A commit on this
/// instance that moves stock (<see cref="Changed"/>) marks its SKUs, and the next read of a marked SKU asks the database
/// for it: a shopper sees their own order's effect at once. Checkout never reads from here.
/// </summary>
public sealed class StockCache : IStockView
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly IDbContextFactory<QCommerceDbContext> contexts;
    private readonly TimeProvider clock;
    private readonly ConcurrentDictionary<int, StoreStock> _stores = new();
    private long _sequence;

    public StockCache(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock, StockCommits commits)
    {
        this.contexts = contexts;
        this.clock = clock;
        commits.Committed += Mark;
    }

    public async Task<IReadOnlyDictionary<int, Availability>> InStoreAsync(int storeId, IReadOnlyCollection<int> skuIds, CancellationToken ct)
    {
        var store = _stores.GetOrAdd(storeId, id => new StoreStock(id));
        var levels = store.Current;
        if (levels is null || clock.GetElapsedTime(levels.ReadAt) >= MaxAge) levels = await ReloadAsync(store, ct);
        if (!store.Marked.IsEmpty) await ReadMarkedAsync(store, levels, skuIds, ct);
        var answer = new Dictionary<int, Availability>(skuIds.Count);
        foreach (var id in skuIds)
            if (levels.BySku.TryGetValue(id, out var availability)) answer[id] = availability;
        return answer;
    }

    /// <summary>
    /// A use case moved stock of these SKUs in a store (a reservation, a release, a sale, a count, a threshold): once its
    /// transaction commits, the next read of each asks the database again.
    /// </summary>
    public static void Changed(DbContext db, int storeId, IEnumerable<int> skuIds)
    {
        var commits = db.GetService<IDbContextOptions>().FindExtension<CoreOptionsExtension>()?.Interceptors?.OfType<StockCommits>().FirstOrDefault();
        if (commits is null) return; // a context made outside the app: no cache to tell
        var ids = skuIds.ToArray();
        Common.CommitHooks.AfterCommit(db, () => commits.Raise(storeId, ids));
    }

    private void Mark(int storeId, int[] skuIds)
    {
        if (!_stores.TryGetValue(storeId, out var store)) return; // never read here: its first read loads it fresh
        var mark = Interlocked.Increment(ref _sequence);
        foreach (var id in skuIds) store.Marked[id] = mark;
    }

    private Task<Levels> ReloadAsync(StoreStock store, CancellationToken ct)
    {
        Task<Levels> loading;
        lock (store.Gate)
        {
            if (store.Loading is null || store.Loading.IsCompleted) store.Loading = Task.Run(() => LoadAsync(store));
            loading = store.Loading;
        }
        return loading.WaitAsync(ct);
    }

    private async Task<Levels> LoadAsync(StoreStock store)
    {
        var current = store.Current;
        if (current is not null && clock.GetElapsedTime(current.ReadAt) < MaxAge) return current; // another reader just did it
        var readAt = clock.GetTimestamp();
        var started = Interlocked.Increment(ref _sequence);
        await using var db = await contexts.CreateDbContextAsync();
        var storeId = store.StoreId;
        var rows = await db.Stock.AsNoTracking().Where(s => s.StoreId == storeId)
            .Select(s => new { s.SkuId, Available = s.OnHand - s.Reserved, s.LowStockThreshold }).ToListAsync();
        var levels = new Levels(readAt, new ConcurrentDictionary<int, Availability>(
            rows.Select(r => KeyValuePair.Create(r.SkuId, new Availability(Math.Max(0, r.Available), r.LowStockThreshold)))));
        store.Current = levels;
        Unmark(store, store.Marked.Keys, started);
        return levels;
    }

    private async Task ReadMarkedAsync(StoreStock store, Levels levels, IReadOnlyCollection<int> skuIds, CancellationToken ct)
    {
        var marked = skuIds.Where(store.Marked.ContainsKey).Distinct().ToList();
        if (marked.Count == 0) return;
        var started = Interlocked.Increment(ref _sequence);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var storeId = store.StoreId;
        var rows = await db.Stock.AsNoTracking().Where(s => s.StoreId == storeId && marked.Contains(s.SkuId))
            .Select(s => new { s.SkuId, Available = s.OnHand - s.Reserved, s.LowStockThreshold })
            .ToDictionaryAsync(r => r.SkuId, ct);
        foreach (var id in marked)
        {
            if (rows.TryGetValue(id, out var row)) levels.BySku[id] = new Availability(Math.Max(0, row.Available), row.LowStockThreshold);
            else levels.BySku.TryRemove(id, out _); // the store no longer carries it
        }
        Unmark(store, marked, started);
    }

    /// <summary>Drops the marks a read that started at <paramref name="started"/> has seen: marks made later stay, their commit may be newer.</summary>
    private static void Unmark(StoreStock store, IEnumerable<int> skuIds, long started)
    {
        foreach (var id in skuIds)
            if (store.Marked.TryGetValue(id, out var mark) && mark < started)
                store.Marked.TryRemove(KeyValuePair.Create(id, mark));
    }

    /// <summary>One read of a store's stock: when it was read, and what (SKUs read again since are updated in place).</summary>
    private sealed record Levels(long ReadAt, ConcurrentDictionary<int, Availability> BySku);

    private sealed class StoreStock(int storeId)
    {
        public int StoreId { get; } = storeId;
        public Lock Gate { get; } = new();
        public volatile Levels? Current;
        public Task<Levels>? Loading;

        /// <summary>SKUs a local commit changed since they were read, each with the sequence number of its latest mark.</summary>
        public ConcurrentDictionary<int, long> Marked { get; } = new();
    }
}

/// <summary>
/// Tells this app's <see cref="StockCache"/> of committed stock changes. It joins the app's database contexts as an
/// (otherwise idle) interceptor only so that the static stock code running in a context's transaction finds the cache of
/// the app that context belongs to (two apps in one process, as in tests, each hear only their own).
/// </summary>
public sealed class StockCommits : IInterceptor
{
    public event Action<int, int[]>? Committed;

    internal void Raise(int storeId, int[] skuIds) => Committed?.Invoke(storeId, skuIds);
}
