using QCommerce.Core.Data;

namespace QCommerce.Core.Inventory;

/// <summary>
/// The only ways stock moves for orders (architecture §3): conditional UPDATEs whose WHERE encodes the
/// rule, rows affected checked. Callers run them inside their use case's transaction and pass
/// quantities already summed per SKU; SKUs are touched (locked) in id order so two orders never
/// wait for each other's rows in opposite orders.
/// </summary>
public static class StockReservations
{
    private static long _marks;

    /// <summary>
    /// Reserves every quantity or reports the SKUs that lacked stock (the caller then rolls back). Run last in the
    /// caller's transaction: SKUs it took to their low-stock threshold are marked and their events saved with it.
    /// <para>
    /// One statement for all lines (architecture §6, issue 13): an UPDATE … FROM the wanted quantities, whose WHERE keeps the
    /// rule (free units at least the quantity), whose SET marks a SKU it takes to its threshold, and whose RETURNING
    /// says which rows it took. On PostgreSQL the rows are first locked in SKU order within the same statement, so two
    /// orders never wait for each other's rows in opposite orders; SQLite has one writer at a time anyway.
    /// </para>
    /// </summary>
    public static async Task<IReadOnlyList<int>> ReserveAsync(QCommerceDbContext db, int storeId, IReadOnlyDictionary<int, int> qtyBySku, DateTime now,
        CancellationToken ct)
    {
        var wanted = qtyBySku.Where(x => x.Value > 0).OrderBy(x => x.Key).ToList();
        if (wanted.Count == 0) return [];
        // This statement's own mark: a row it marks reads back with exactly this value, a row marked before (even in the
        // same millisecond) does not, so only its own crossings raise events. Whole microseconds, which every provider keeps.
        var microsecond = Interlocked.Increment(ref _marks) % 1000;
        var mark = new DateTime(now.Ticks - now.Ticks % TimeSpan.TicksPerMillisecond + microsecond * 10, DateTimeKind.Utc);
        var parameters = new List<object> { storeId, mark };
        var values = string.Join(", ", wanted.Select(w =>
        {
            parameters.Add(w.Key);
            parameters.Add(w.Value);
            return $"({{{parameters.Count - 2}}}, {{{parameters.Count - 1}}})";
        }));
        var sql = db.Database.IsNpgsql()
            ? $$"""
              WITH wanted("SkuId", "Qty") AS (VALUES {{values}}),
              locked AS MATERIALIZED (
                  SELECT s."SkuId" FROM "Stock" AS s JOIN wanted AS w ON w."SkuId" = s."SkuId"
                  WHERE s."StoreId" = {0} ORDER BY s."SkuId" FOR UPDATE OF s)
              UPDATE "Stock" AS s SET "Reserved" = s."Reserved" + w."Qty",
                  "LowSinceUtc" = CASE WHEN s."LowSinceUtc" IS NULL AND s."OnHand" - s."Reserved" - w."Qty" <= s."LowStockThreshold" THEN {1} ELSE s."LowSinceUtc" END
              FROM wanted AS w, locked AS l
              WHERE s."StoreId" = {0} AND s."SkuId" = w."SkuId" AND l."SkuId" = w."SkuId" AND s."OnHand" - s."Reserved" >= w."Qty"
              RETURNING s."SkuId", s."OnHand" - s."Reserved" AS "Available", s."LowStockThreshold", s."LowSinceUtc"
              """
            : $$"""
              WITH wanted("SkuId", "Qty") AS (VALUES {{values}})
              UPDATE "Stock" SET "Reserved" = "Stock"."Reserved" + w."Qty",
                  "LowSinceUtc" = CASE WHEN "Stock"."LowSinceUtc" IS NULL AND "Stock"."OnHand" - "Stock"."Reserved" - w."Qty" <= "Stock"."LowStockThreshold" THEN {1} ELSE "Stock"."LowSinceUtc" END
              FROM wanted AS w
              WHERE "Stock"."StoreId" = {0} AND "Stock"."SkuId" = w."SkuId" AND "Stock"."OnHand" - "Stock"."Reserved" >= w."Qty"
              RETURNING "SkuId", "OnHand" - "Reserved" AS "Available", "LowStockThreshold", "LowSinceUtc"
              """;
        var reserved = await db.Database.SqlQueryRaw<ReservedRow>(sql, parameters.ToArray()).ToListAsync(ct);
        var taken = reserved.Select(r => r.SkuId).ToHashSet();
        var short_ = wanted.Select(w => w.Key).Where(id => !taken.Contains(id)).ToList();
        if (short_.Count > 0) return short_; // the caller rolls back: neither the reservations nor the marks stay

        var crossed = reserved.Where(r => r.LowSinceUtc is { } since && since.Ticks == mark.Ticks).OrderBy(r => r.SkuId).ToList();
        foreach (var row in crossed)
            Outbox.Enqueue(db, EventTypes.StockLow, LowStock.Aggregate(storeId, row.SkuId),
                new StockLowEvent(PublicId.Format(PublicId.Store, storeId), PublicId.Format(PublicId.Sku, row.SkuId), row.Available, row.LowStockThreshold, mark), now);
        if (crossed.Count > 0) await db.SaveChangesAsync(ct);
        StockCache.Changed(db, storeId, taken);
        return short_;
    }

    /// <summary>A row the reservation took: its free units and threshold after it, and its low-stock mark.</summary>
    private sealed class ReservedRow
    {
        public int SkuId { get; init; }
        public int Available { get; init; }
        public int LowStockThreshold { get; init; }
        public DateTime? LowSinceUtc { get; init; }
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
