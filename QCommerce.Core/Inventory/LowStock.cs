using QCommerce.Core.Data;

namespace QCommerce.Core.Inventory;

/// <summary>The outbox event of a SKU whose free units in a store fell to its low-stock threshold or below.</summary>
public sealed record StockLowEvent(string StoreId, string SkuId, int Available, int Threshold, DateTime AtUtc);

/// <summary>
/// Low-stock alerts: a store's SKU is low while its free units (on hand less reserved) are at or below its threshold.
/// Each crossing downwards is marked once on the stock row (<see cref="StockLevel.LowSinceUtc"/>, set by a conditional
/// UPDATE, so two orders taking the last units at once raise one alert) with one <c>StockLow</c> outbox event in the
/// same transaction; a SKU back above its threshold loses the mark, so its next crossing alerts again.
/// </summary>
public static class LowStock
{
    public static string Aggregate(int storeId, int skuId) => $"stock:{PublicId.Format(PublicId.Store, storeId)}:{PublicId.Format(PublicId.Sku, skuId)}";

    /// <summary>
    /// After units were taken (a reservation, a write-off, a count): marks the SKUs that crossed into low and enqueues
    /// their events, saved at once (callers run it last in their transaction, after their own rows were saved).
    /// One conditional UPDATE when nothing crossed.
    /// </summary>
    public static async Task FlagCrossingsAsync(QCommerceDbContext db, int storeId, IReadOnlyCollection<int> skuIds, DateTime now, CancellationToken ct)
    {
        if (skuIds.Count == 0) return;
        // On the millisecond, so the mark reads back equal on every provider (PostgreSQL keeps microseconds, .NET ticks).
        var mark = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond, DateTimeKind.Utc);
        var marked = await db.Stock
            .Where(s => s.StoreId == storeId && skuIds.Contains(s.SkuId) && s.LowSinceUtc == null && s.OnHand - s.Reserved <= s.LowStockThreshold)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LowSinceUtc, mark), ct);
        if (marked == 0) return;
        // The rows this statement marked (a concurrent writer of the same rows waits for our commit, or marked them before us).
        var crossed = await db.Stock.AsNoTracking()
            .Where(s => s.StoreId == storeId && skuIds.Contains(s.SkuId) && s.LowSinceUtc == mark)
            .Select(s => new { s.SkuId, Available = s.OnHand - s.Reserved, s.LowStockThreshold })
            .ToListAsync(ct);
        foreach (var row in crossed.OrderBy(r => r.SkuId))
            Outbox.Enqueue(db, EventTypes.StockLow, Aggregate(storeId, row.SkuId),
                new StockLowEvent(PublicId.Format(PublicId.Store, storeId), PublicId.Format(PublicId.Sku, row.SkuId), row.Available, row.LowStockThreshold, mark), now);
        await db.SaveChangesAsync(ct);
    }

    /// <summary>After units came back (received, returned, released, a higher count or a lower threshold): clears the recovered, marks the crossed.</summary>
    public static async Task RefreshAsync(QCommerceDbContext db, int storeId, IReadOnlyCollection<int> skuIds, DateTime now, CancellationToken ct)
    {
        if (skuIds.Count == 0) return;
        await db.Stock.Where(s => s.StoreId == storeId && skuIds.Contains(s.SkuId) && s.LowSinceUtc != null && s.OnHand - s.Reserved > s.LowStockThreshold)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.LowSinceUtc, (DateTime?)null), ct);
        await FlagCrossingsAsync(db, storeId, skuIds, now, ct);
    }
}

/// <summary>
/// New low-stock marks, for the live badge of every instance's ops pages: the rows marked lately, one seek of the
/// low-since index. (A mark cleared is not news: the badge counts again whenever its page loads or refreshes.)
/// </summary>
public sealed class LowStockChangeSource : IChangeSource
{
    public const string Topic = "lowstock";

    public IReadOnlyCollection<string> Topics { get; } = [Topic];

    /// <summary>This instance's alerts arrive at once through <see cref="LowStockFeed"/>; another instance's may take a few seconds.</summary>
    public TimeSpan Every => TimeSpan.FromSeconds(5);

    internal static ChangedRow Row(int storeId, int skuId, DateTime lowSinceUtc) =>
        new($"Stock:{storeId}", skuId, (int)((lowSinceUtc.Ticks / TimeSpan.TicksPerSecond) % int.MaxValue), [new Change(Topic, storeId)]);

    public async Task<IReadOnlyList<ChangedRow>> ChangedSinceAsync(DbContext db, DateTime sinceUtc, CancellationToken ct) =>
        (await db.Set<StockLevel>().AsNoTracking().Where(s => s.LowSinceUtc >= sinceUtc)
            .Select(s => new { s.StoreId, s.SkuId, s.LowSinceUtc }).ToListAsync(ct))
        .Select(s => Row(s.StoreId, s.SkuId, s.LowSinceUtc!.Value))
        .ToList();
}

/// <summary>
/// Puts each <c>StockLow</c> event on this instance's change feed as it is delivered (a moment after its commit), so the
/// ops pages here show a new alert at once. Publishing twice is harmless (a version is published once), so it keeps
/// no processed-message record.
/// </summary>
internal sealed class LowStockFeed(ChangeFeed feed) : IOutboxHandler
{
    public string Name => "inventory.low-stock-feed";

    public bool Handles(string eventType) => eventType == EventTypes.StockLow;

    public Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
    {
        var low = message.Read<StockLowEvent>();
        if (PublicId.TryParse(PublicId.Store, low.StoreId, out var storeId) && PublicId.TryParse(PublicId.Sku, low.SkuId, out var skuId))
            feed.Publish([LowStockChangeSource.Row(storeId, skuId, low.AtUtc)]);
        return Task.CompletedTask;
    }
}
