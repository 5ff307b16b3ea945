using QCommerce.Core.Catalog;
using QCommerce.Core.Data;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Inventory;

/// <summary>
/// A SKU as a basket sees it in one store right now: what it is, whether it is still sold, its
/// price in force for the store's region and the units free to reserve.
/// </summary>
public sealed record SkuSnapshot(
    int SkuId, int ProductId, string Slug, string Title, string Brand, string SizeLabel, string? ImageUrl,
    bool IsActive, Money? Price, bool Stocked, int AvailableQty, int LowStockThreshold)
{
    /// <summary>Sold here at all: active, priced for the region and stocked by the store (even if now at zero).</summary>
    public bool IsSold => IsActive && Price is not null && Stocked;

    public Availability Availability => new(Math.Max(0, AvailableQty), LowStockThreshold);
}

public static class SkuSnapshots
{
    /// <summary>Snapshots of the SKUs that exist among <paramref name="skuIds"/>; unknown ids are simply absent.</summary>
    public static async Task<IReadOnlyDictionary<int, SkuSnapshot>> LoadAsync(QCommerceDbContext db, StoreSummary store,
        IReadOnlyCollection<int> skuIds, DateTime now, CancellationToken ct)
    {
        var ids = skuIds.Distinct().ToList();
        if (ids.Count == 0) return new Dictionary<int, SkuSnapshot>();
        var skus = await db.Skus.AsNoTracking()
            .Where(s => ids.Contains(s.Id))
            .Join(db.Products, s => s.ProductId, p => p.Id, (s, p) => new { s.Id, s.ProductId, p.Slug, p.Title, p.Brand, s.Unit, s.Size, p.IsActive, p.Images })
            .ToListAsync(ct);
        var regionId = store.RegionId;
        var prices = (await db.Prices.AsNoTracking()
                .Where(p => ids.Contains(p.SkuId) && p.RegionId == regionId && p.EffectiveFromUtc <= now && (p.EffectiveToUtc == null || p.EffectiveToUtc > now))
                .ToListAsync(ct))
            .GroupBy(p => p.SkuId)
            .ToDictionary(g => g.Key, g => Price.Resolve(g, g.Key, regionId, now)!.Amount);
        var storeId = store.Id;
        var stock = await db.Stock.AsNoTracking()
            .Where(s => s.StoreId == storeId && ids.Contains(s.SkuId))
            .Select(s => new { s.SkuId, Available = s.OnHand - s.Reserved, s.LowStockThreshold })
            .ToDictionaryAsync(s => s.SkuId, ct);
        return skus.ToDictionary(s => s.Id, s =>
        {
            var level = stock.GetValueOrDefault(s.Id);
            return new SkuSnapshot(s.Id, s.ProductId, s.Slug, s.Title, s.Brand, SkuSizes.Label(s.Unit, s.Size),
                s.Images.OrderBy(i => i.SortOrder).FirstOrDefault()?.Url, s.IsActive,
                prices.TryGetValue(s.Id, out var price) ? price : null,
                level is not null, level?.Available ?? 0, level?.LowStockThreshold ?? 0);
        });
    }
}
