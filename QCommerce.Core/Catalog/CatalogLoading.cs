using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>A moment a price a snapshot holds starts or ends, and which (region, SKU) it is (<see cref="CatalogSnapshot.Key"/>).</summary>
public readonly record struct PriceBoundary(DateTime AtUtc, long Key);

/// <summary>Everything a snapshot is built from, read whole (at start-up, or when an instance is too far behind).</summary>
internal sealed record CatalogParts(IReadOnlyList<CatalogProduct> Products, IReadOnlyList<CatalogSku> Skus, CategoryTreeSnapshot Categories,
    IReadOnlyDictionary<long, Money> Prices, IReadOnlyList<PriceBoundary> Boundaries);

/// <summary>
/// What some <see cref="CatalogChange"/> lines (and prices starting or ending) changed, read again: each product named,
/// as shoppers now see it or null (gone, inactive, or without SKUs); each SKU named, or null when deleted; the whole
/// category tree if a category changed; and for each (region, SKU) named the price in force now, or null.
/// </summary>
internal sealed record CatalogDelta(IReadOnlyDictionary<int, CatalogProduct?> Products, IReadOnlyDictionary<int, CatalogSku?> Skus,
    CategoryTreeSnapshot? Categories, IReadOnlyDictionary<long, Money?> Prices, IReadOnlyList<PriceBoundary> Boundaries)
{
    public int Size => Products.Count + Skus.Count + Prices.Count + (Categories is null ? 0 : 1);
}

/// <summary>The database reads behind <see cref="CatalogSnapshots"/>: the whole catalog, or the rows some changes name.</summary>
internal static class CatalogLoading
{
    public static async Task<CatalogParts> LoadAllAsync(QCommerceDbContext db, DateTime now, CancellationToken ct)
    {
        var tree = await CategoriesAsync(db, ct);
        var productRows = await db.Products.AsNoTracking()
            .Select(p => new ProductRow(p.Id, p.Slug, p.Title, p.Brand, p.Description, p.CategoryId, p.IsActive, p.IsFeatured, p.Images, p.Attributes))
            .ToListAsync(ct);
        var skuRows = await db.Skus.AsNoTracking().OrderBy(s => s.Id)
            .Select(s => new SkuRow(s.Id, s.ProductId, s.Code, s.Barcode, s.Unit, s.Size)).ToListAsync(ct);
        // Every price not yet over: those in force now and those still to come, whose start is a boundary.
        var priceRows = await db.Prices.AsNoTracking().Where(p => p.EffectiveToUtc == null || p.EffectiveToUtc > now).ToListAsync(ct);
        var (products, skus) = Build(productRows, skuRows);
        var (prices, boundaries) = Resolve(priceRows, now);
        return new CatalogParts(products.Values.OfType<CatalogProduct>().ToList(), skus, tree,
            prices.Where(p => p.Value is not null).ToDictionary(p => p.Key, p => p.Value!.Value), boundaries);
    }

    public static async Task<CatalogDelta> LoadDeltaAsync(QCommerceDbContext db, IReadOnlyCollection<CatalogChange> lines,
        IReadOnlyCollection<long> duePrices, DateTime now, CancellationToken ct)
    {
        var productIds = lines.Where(l => l.ProductId is not null).Select(l => l.ProductId!.Value).Distinct().ToList();
        var namedSkus = lines.Where(l => l.SkuId is not null && l.RegionId is null).Select(l => l.SkuId!.Value).ToHashSet();
        var priceKeys = lines.Where(l => l.SkuId is not null && l.RegionId is not null).Select(l => CatalogSnapshot.Key(l.RegionId!.Value, l.SkuId!.Value))
            .Concat(duePrices).ToHashSet();

        var products = new Dictionary<int, CatalogProduct?>();
        var skus = new Dictionary<int, CatalogSku?>();
        if (productIds.Count > 0)
        {
            var productRows = await db.Products.AsNoTracking().Where(p => productIds.Contains(p.Id))
                .Select(p => new ProductRow(p.Id, p.Slug, p.Title, p.Brand, p.Description, p.CategoryId, p.IsActive, p.IsFeatured, p.Images, p.Attributes))
                .ToListAsync(ct);
            var skuRows = await db.Skus.AsNoTracking().Where(s => productIds.Contains(s.ProductId)).OrderBy(s => s.Id)
                .Select(s => new SkuRow(s.Id, s.ProductId, s.Code, s.Barcode, s.Unit, s.Size)).ToListAsync(ct);
            var (built, builtSkus) = Build(productRows, skuRows);
            foreach (var id in productIds) products[id] = built.GetValueOrDefault(id);
            foreach (var sku in builtSkus) skus[sku.Id] = sku;
        }
        var goneSkus = namedSkus.Where(id => skus.TryAdd(id, null)).ToList(); // named, and no longer there
        if (goneSkus.Count > 0) // its prices went with it (the database cascades): every region's is read again
            foreach (var region in await db.Regions.AsNoTracking().Select(r => r.Id).ToListAsync(ct))
                foreach (var sku in goneSkus) priceKeys.Add(CatalogSnapshot.Key(region, sku));

        var prices = new Dictionary<long, Money?>();
        var boundaries = new List<PriceBoundary>();
        if (priceKeys.Count > 0)
        {
            var skuIds = priceKeys.Select(k => (int)(uint)k).Distinct().ToList();
            var rows = await db.Prices.AsNoTracking()
                .Where(p => skuIds.Contains(p.SkuId) && (p.EffectiveToUtc == null || p.EffectiveToUtc > now)).ToListAsync(ct);
            (var resolved, boundaries) = Resolve(rows.Where(p => priceKeys.Contains(CatalogSnapshot.Key(p.RegionId, p.SkuId))), now);
            foreach (var key in priceKeys) prices[key] = resolved.GetValueOrDefault(key);
        }

        var categories = lines.Any(l => l.CategoryId is not null) ? await CategoriesAsync(db, ct) : null;
        return new CatalogDelta(products, skus, categories, prices, boundaries);
    }

    private sealed record ProductRow(int Id, string Slug, string Title, string Brand, string Description, int CategoryId, bool IsActive,
        bool IsFeatured, IEnumerable<ProductImage> Images, IEnumerable<ProductAttribute> Attributes);

    private sealed record SkuRow(int Id, int ProductId, string Code, string Barcode, SkuUnit Unit, decimal Size);

    private static async Task<CategoryTreeSnapshot> CategoriesAsync(QCommerceDbContext db, CancellationToken ct)
    {
        var rows = await db.Categories.AsNoTracking().Where(c => c.IsActive).OrderBy(c => c.SortOrder).ThenBy(c => c.Name)
            .Select(c => new { c.Id, c.Name, c.Slug, c.ParentId }).ToListAsync(ct);
        var byParent = rows.ToLookup(r => r.ParentId);
        CategoryNode Build(int id, string name, string slug, int? parent) =>
            new(id, name, slug, parent, byParent[id].Select(c => Build(c.Id, c.Name, c.Slug, c.ParentId)).ToList());
        return new CategoryTreeSnapshot(byParent[null].Select(r => Build(r.Id, r.Name, r.Slug, null)).ToList());
    }

    /// <summary>Products as shoppers see them (null: inactive, or no SKU to sell) and every SKU of the rows given.</summary>
    private static (Dictionary<int, CatalogProduct?> Products, List<CatalogSku> Skus) Build(List<ProductRow> productRows, List<SkuRow> skuRows)
    {
        var active = productRows.ToDictionary(p => p.Id, p => p.IsActive);
        var skus = skuRows.Where(s => active.ContainsKey(s.ProductId))
            .Select(s => new CatalogSku(s.Id, s.ProductId, s.Code, s.Barcode, s.Unit, s.Size, SkuSizes.Label(s.Unit, s.Size), active[s.ProductId]))
            .ToList();
        var skusByProduct = skus.ToLookup(s => s.ProductId);
        var products = productRows.ToDictionary(p => p.Id, p => p.IsActive && skusByProduct[p.Id].Any()
            ? new CatalogProduct(p.Id, p.Slug, p.Title, p.Brand, p.Description, p.CategoryId, p.IsFeatured,
                p.Images.OrderBy(i => i.SortOrder).ToList(), p.Attributes.ToList(), skusByProduct[p.Id].ToList())
            : null);
        return (products, skus);
    }

    /// <summary>The price in force now of each (region, SKU) the rows hold, and the moments still to come when one starts or ends.</summary>
    private static (Dictionary<long, Money?> Prices, List<PriceBoundary> Boundaries) Resolve(IEnumerable<Price> rows, DateTime now)
    {
        var prices = new Dictionary<long, Money?>();
        var boundaries = new List<PriceBoundary>();
        foreach (var group in rows.GroupBy(p => CatalogSnapshot.Key(p.RegionId, p.SkuId)))
        {
            var inForce = group.Where(p => p.IsEffectiveAt(now)).OrderByDescending(p => p.EffectiveFromUtc).ThenByDescending(p => p.Id).FirstOrDefault();
            if (inForce is not null) prices[group.Key] = inForce.Amount;
            foreach (var price in group)
            {
                if (price.EffectiveFromUtc > now) boundaries.Add(new PriceBoundary(price.EffectiveFromUtc, group.Key));
                if (price.EffectiveToUtc is { } to && to > now) boundaries.Add(new PriceBoundary(to, group.Key));
            }
        }
        boundaries.Sort((a, b) => a.AtUtc.CompareTo(b.AtUtc));
        return (prices, boundaries);
    }
}
