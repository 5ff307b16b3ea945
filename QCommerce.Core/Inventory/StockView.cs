using QCommerce.Core.Catalog;
using QCommerce.Core.Data;

namespace QCommerce.Core.Inventory;

/// <summary>The catalog's view of a store's stock (<see cref="IStockView"/>): free units and the low-stock mark per SKU.</summary>
public sealed class StockView : IStockView
{
    public async Task<IReadOnlyDictionary<int, Availability>> InStoreAsync(QCommerceDbContext db, int storeId, IReadOnlyCollection<int> skuIds,
        CancellationToken ct) =>
        await db.Stock.AsNoTracking()
            .Where(s => s.StoreId == storeId && skuIds.Contains(s.SkuId))
            .Select(s => new { s.SkuId, Available = s.OnHand - s.Reserved, s.LowStockThreshold })
            .ToDictionaryAsync(s => s.SkuId, s => new Availability(Math.Max(0, s.Available), s.LowStockThreshold), ct);
}
