using System.Collections.Concurrent;
using QCommerce.Core.Data;

namespace QCommerce.Core.Ordering;

/// <summary>
/// How many ASAP orders wait at each store, for the delivery promise ("a few minutes per order already waiting"):
/// a counter per store, counted again from the orders once it is a second old (so picks, deliveries and other
/// instances' orders show within a second) and raised at once by each ASAP order this instance places. Placing an order
/// then costs no COUNT over the store's open orders; the promise is an estimate, and a second is far finer than it.
/// </summary>
public sealed class AsapBacklog(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock)
{
    public static readonly TimeSpan MaxAge = TimeSpan.FromSeconds(1);

    private readonly ConcurrentDictionary<int, Counter> _stores = new();

    private sealed class Counter(long countedAt, int orders)
    {
        public long CountedAt { get; } = countedAt;
        public int Orders = orders;
    }

    public async ValueTask<int> QueuedAsync(int storeId, CancellationToken ct)
    {
        if (_stores.TryGetValue(storeId, out var counter) && clock.GetElapsedTime(counter.CountedAt) < MaxAge) return Volatile.Read(ref counter.Orders);
        var countedAt = clock.GetTimestamp();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var orders = await db.Orders.CountAsync(o => o.StoreId == storeId && o.DeliveryKind == DeliveryKind.Asap
            && (o.Status == OrderStatus.PendingConfirmation || o.Status == OrderStatus.Confirmed || o.Status == OrderStatus.Paid || o.Status == OrderStatus.Picking), ct);
        _stores[storeId] = new Counter(countedAt, orders);
        return orders;
    }

    /// <summary>An ASAP order placed here joins the queue at once, before the next count sees it.</summary>
    public void Placed(int storeId)
    {
        if (_stores.TryGetValue(storeId, out var counter)) Interlocked.Increment(ref counter.Orders);
    }
}
