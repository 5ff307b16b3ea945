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
    /// <summary>
    /// Snapshots of the SKUs that exist among <paramref name="skuIds"/>; unknown ids are simply absent. One statement:
    /// each SKU with its product, the store's stock row (if it has one) and its price in force for the store's region
    /// (a subquery per SKU that seeks the price index, latest start first, then latest id: Price.Resolve's rule, in SQL).
    /// </summary>
    public static async Task<IReadOnlyDictionary<int, SkuSnapshot>> LoadAsync(QCommerceDbContext db, StoreSummary store,
        IReadOnlyCollection<int> skuIds, DateTime now, CancellationToken ct)
    {
        var ids = skuIds.Distinct().ToList();
        if (ids.Count == 0) return new Dictionary<int, SkuSnapshot>();
        var regionId = store.RegionId;
        var storeId = store.Id;
        var rows = await (
            from s in db.Skus.AsNoTracking()
            where ids.Contains(s.Id)
            join p in db.Products on s.ProductId equals p.Id
            from level in db.Stock.Where(l => l.StoreId == storeId && l.SkuId == s.Id).DefaultIfEmpty()
            select new
            {
                s.Id, s.ProductId, p.Slug, p.Title, p.Brand, s.Unit, s.Size, p.IsActive, p.Images,
                Amount = db.Prices.Where(pr => pr.SkuId == s.Id && pr.RegionId == regionId && pr.EffectiveFromUtc <= now && (pr.EffectiveToUtc == null || pr.EffectiveToUtc > now))
                    .OrderByDescending(pr => pr.EffectiveFromUtc).ThenByDescending(pr => pr.Id).Select(pr => (long?)pr.AmountMinor).FirstOrDefault(),
                Currency = db.Prices.Where(pr => pr.SkuId == s.Id && pr.RegionId == regionId && pr.EffectiveFromUtc <= now && (pr.EffectiveToUtc == null || pr.EffectiveToUtc > now))
                    .OrderByDescending(pr => pr.EffectiveFromUtc).ThenByDescending(pr => pr.Id).Select(pr => pr.Currency).FirstOrDefault(),
                Stocked = level != null,
                Available = level != null ? level.OnHand - level.Reserved : 0,
                Threshold = level != null ? level.LowStockThreshold : 0,
            }).ToListAsync(ct);
        return rows.ToDictionary(r => r.Id, r => new SkuSnapshot(r.Id, r.ProductId, r.Slug, r.Title, r.Brand, SkuSizes.Label(r.Unit, r.Size),
            r.Images.OrderBy(i => i.SortOrder).FirstOrDefault()?.Url, r.IsActive,
            r.Amount is { } amount && r.Currency is { } currency ? new Money(currency, amount) : null,
            r.Stocked, r.Available, r.Threshold));
    }
}
