using QCommerce.Core.Data;

namespace QCommerce.Core.Inventory;

/// <summary>
/// The only ways stock moves for orders (DESIGN §3): one conditional UPDATE per SKU whose WHERE
/// encodes the rule, rows affected checked. Callers run them inside their use case's transaction
/// and pass quantities already summed per SKU; SKUs are touched in id order so two orders never
/// wait for each other's rows in opposite orders.
/// </summary>
public static class StockReservations
{
    /// <summary>
    /// Reserves every quantity or reports the SKUs that lacked stock (the caller then rolls back). Run last in the
    /// caller's transaction: SKUs it took to their low-stock threshold are marked and their events saved with it.
    /// </summary>
    public static async Task<IReadOnlyList<int>> ReserveAsync(QCommerceDbContext db, int storeId, IReadOnlyDictionary<int, int> qtyBySku, DateTime now,
        CancellationToken ct)
    {
        var short_ = new List<int>();
        foreach (var (skuId, qty) in qtyBySku.OrderBy(x => x.Key))
        {
            if (qty <= 0) continue;
            var rows = await db.Stock
                .Where(s => s.StoreId == storeId && s.SkuId == skuId && s.OnHand - s.Reserved >= qty)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Reserved, x => x.Reserved + qty), ct);
            if (rows != 1) short_.Add(skuId);
        }
        if (short_.Count == 0) await LowStock.FlagCrossingsAsync(db, storeId, Positive(qtyBySku), now, ct);
        StockCache.Changed(db, storeId, qtyBySku.Keys);
        return short_;
    }

    /// <summary>Gives reserved units back to the shelf (cancel, expiry, a smaller order).</summary>
    public static async Task ReleaseAsync(QCommerceDbContext db, int storeId, IReadOnlyDictionary<int, int> qtyBySku, DateTime now, CancellationToken ct)
    {
        foreach (var (skuId, qty) in qtyBySku.OrderBy(x => x.Key))
        {
            if (qty <= 0) continue;
            var rows = await db.Stock
                .Where(s => s.StoreId == storeId && s.SkuId == skuId && s.Reserved >= qty)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.Reserved, x => x.Reserved - qty), ct);
            if (rows != 1) throw new InvalidOperationException($"Stock of SKU {skuId} in store {storeId} holds less reserved than an order releases.");
        }
        await LowStock.RefreshAsync(db, storeId, Positive(qtyBySku), now, ct);
        StockCache.Changed(db, storeId, qtyBySku.Keys);
    }

    /// <summary>
    /// The reserved units leave the shelf for good (payment captured, cash order confirmed): each SKU's sale is written
    /// to the ledger with the order it went to. Free units do not change, so no low-stock mark moves.
    /// </summary>
    public static async Task CommitAsync(QCommerceDbContext db, int storeId, IReadOnlyDictionary<int, int> qtyBySku, string reference, string actor,
        DateTime now, CancellationToken ct)
    {
        foreach (var (skuId, qty) in qtyBySku.OrderBy(x => x.Key))
        {
            if (qty <= 0) continue;
            var rows = await db.Stock
                .Where(s => s.StoreId == storeId && s.SkuId == skuId && s.Reserved >= qty && s.OnHand >= qty)
                .ExecuteUpdateAsync(s => s
                    .SetProperty(x => x.OnHand, x => x.OnHand - qty)
                    .SetProperty(x => x.Reserved, x => x.Reserved - qty), ct);
            if (rows != 1) throw new InvalidOperationException($"Stock of SKU {skuId} in store {storeId} holds less reserved than an order commits.");
            db.StockMovements.Add(new StockMovement(storeId, skuId, StockMovementKind.Sold, -qty, reference, actor, null, now));
        }
        await db.SaveChangesAsync(ct);
        StockCache.Changed(db, storeId, qtyBySku.Keys);
    }

    /// <summary>
    /// Units that had left the shelf come back (an order cancelled or refunded after its stock was committed), each
    /// return written to the stock ledger with the order it came from.
    /// </summary>
    public static async Task RestockAsync(QCommerceDbContext db, int storeId, IReadOnlyDictionary<int, int> qtyBySku, string reference, string actor,
        DateTime now, CancellationToken ct)
    {
        foreach (var (skuId, qty) in qtyBySku.OrderBy(x => x.Key))
        {
            if (qty <= 0) continue;
            await db.Stock.Where(s => s.StoreId == storeId && s.SkuId == skuId)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, x => x.OnHand + qty), ct);
            db.StockMovements.Add(new StockMovement(storeId, skuId, StockMovementKind.Returned, qty, reference, actor, null, now));
        }
        await db.SaveChangesAsync(ct);
        await LowStock.RefreshAsync(db, storeId, Positive(qtyBySku), now, ct);
        StockCache.Changed(db, storeId, qtyBySku.Keys);
    }

    /// <summary>A short pick in the ledger: the units were sold on paper but never on the shelf; on hand already left them out.</summary>
    public static void RecordShortPick(QCommerceDbContext db, int storeId, IReadOnlyDictionary<int, int> shortBySku, string reference, string actor, DateTime now)
    {
        foreach (var (skuId, qty) in shortBySku.OrderBy(x => x.Key))
            db.StockMovements.Add(new StockMovement(storeId, skuId, StockMovementKind.ShortPick, 0, reference, actor, $"{qty} not found when picking", now));
    }

    private static List<int> Positive(IReadOnlyDictionary<int, int> qtyBySku) => qtyBySku.Where(x => x.Value > 0).Select(x => x.Key).ToList();
}
