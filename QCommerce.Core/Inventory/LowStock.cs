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

    public async Task<IReadOnlyList<ChangedRow>> ChangedSinceAsync(DbContext db, DateTime sinceUtc, CancellationToken ct) =>
        (await db.Set<StockLevel>().AsNoTracking().Where(s => s.LowSinceUtc >= sinceUtc)
            .Select(s => new { s.StoreId, s.SkuId, s.LowSinceUtc }).ToListAsync(ct))
        .Select(s => new ChangedRow($"Stock:{s.StoreId}", s.SkuId, (int)((s.LowSinceUtc!.Value.Ticks / TimeSpan.TicksPerSecond) % int.MaxValue),
            [new Change(Topic, s.StoreId)]))
        .ToList();
}
