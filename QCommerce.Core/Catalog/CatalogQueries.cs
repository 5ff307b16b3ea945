using QCommerce.Core.Data;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Catalog;

public enum ProductSort
{
    Relevance,
    Name,
    PriceAsc,
    PriceDesc,
}

/// <summary>What a shopper asked to see. Without a store there are no prices or stock to show.</summary>
public sealed record ProductQuery(
    string? Text = null, int? CategoryId = null, int? StoreId = null,
    int Page = 1, int PageSize = 24, ProductSort? Sort = null, bool FeaturedOnly = false);

/// <summary>A product as a card in a grid: its first SKU's size, price and stock in the chosen store.</summary>
public sealed record ProductCard(
    int ProductId, string Slug, string Title, string Brand, ProductImage? Image,
    int SkuId, string SizeLabel, int SkuCount, Money? Price, Availability? Availability);

public sealed record SkuOffer(int SkuId, string Code, string Barcode, SkuUnit Unit, decimal Size, string SizeLabel, Money? Price, Availability? Availability);

public sealed record ProductDetail(
    int ProductId, string Slug, string Title, string Brand, string Description,
    IReadOnlyList<CategoryNode> CategoryPath, IReadOnlyList<ProductImage> Images,
    IReadOnlyList<ProductAttribute> Attributes, IReadOnlyList<SkuOffer> Skus, StoreSummary? Store);

/// <summary>A SKU's stock in one store as shoppers are told it (<see cref="Label"/>: "In stock", "Only 3 left", "Sold out").</summary>
public sealed record SkuAvailability(int SkuId, bool InStock, int AvailableQty, bool Low = false, string Label = "Sold out");

/// <summary>
/// The catalog as shoppers read it. Prices come from the store's region and stock from the store
/// itself, resolved at the moment of the request.
/// </summary>
public sealed class CatalogQueries(IDbContextFactory<QCommerceDbContext> contexts, DatabaseInfo database,
    StoreDirectory stores, CategoryTree categories, IStockView stockView, TimeProvider clock)
{
    public const int MaxBatchSkus = 100;

    public async Task<Page<ProductCard>> SearchAsync(ProductQuery query, CancellationToken ct = default)
    {
        if (query.Page < 1) throw new DomainException("Page numbers start at 1.");
        if (query.PageSize is < 1 or > Paging.MaxPageSize) throw new DomainException($"Page size must be between 1 and {Paging.MaxPageSize}.");

        var store = query.StoreId is { } storeId ? await stores.GetAsync(storeId, ct) : null;
        var categoryIds = query.CategoryId is { } categoryId ? await categories.SubtreeIdsAsync(categoryId, ct) : null;
        var now = clock.UtcNow();

        await using var db = await contexts.CreateDbContextAsync(ct);
        var products = db.Products.AsNoTracking().Where(p => p.IsActive);
        if (categoryIds is not null) products = products.Where(p => categoryIds.Contains(p.CategoryId));
        if (query.FeaturedOnly) products = products.Where(p => p.IsFeatured);

        var hits = ProductSearch.Match(db, database.Provider, query.Text);
        if (hits is null && !string.IsNullOrWhiteSpace(query.Text))
            return new Page<ProductCard>([], query.Page, query.PageSize, 0); // only punctuation: nothing can match

        var sort = query.Sort ?? (hits is null ? ProductSort.Name : ProductSort.Relevance);
        var total = hits is null
            ? await products.CountAsync(ct)
            : await products.Join(hits, p => p.Id, h => h.ProductId, (p, h) => p).CountAsync(ct);

        var skip = (long)(query.Page - 1) * query.PageSize;
        if (skip >= total) return new Page<ProductCard>([], query.Page, query.PageSize, total);

        IQueryable<Product> ordered;
        if (hits is not null && sort == ProductSort.Relevance)
        {
            ordered = products.Join(hits, p => p.Id, h => h.ProductId, (p, h) => new { p, h.Rank })
                .OrderBy(x => x.Rank).ThenBy(x => x.p.Title).Select(x => x.p);
        }
        else
        {
            var matched = hits is null ? products : products.Join(hits, p => p.Id, h => h.ProductId, (p, h) => p);
            var regionId = store?.RegionId ?? 0;
            // The price a card shows: its first SKU's price in force, resolved as OffersAsync does.
            // Products without a price sort last either way.
            var priced = matched.Select(p => new
            {
                Product = p,
                Price = db.Prices
                    .Where(pr => pr.RegionId == regionId && pr.SkuId == db.Skus.Where(s => s.ProductId == p.Id).Min(s => s.Id)
                        && pr.EffectiveFromUtc <= now && (pr.EffectiveToUtc == null || pr.EffectiveToUtc > now))
                    .OrderByDescending(pr => pr.EffectiveFromUtc).ThenByDescending(pr => pr.Id)
                    .Select(pr => (long?)pr.AmountMinor)
                    .FirstOrDefault(),
            });
            ordered = sort switch
            {
                ProductSort.PriceAsc => priced.OrderBy(x => x.Price ?? long.MaxValue).ThenBy(x => x.Product.Title).Select(x => x.Product),
                ProductSort.PriceDesc => priced.OrderByDescending(x => x.Price ?? -1).ThenBy(x => x.Product.Title).Select(x => x.Product),
                _ => matched.OrderBy(p => p.Title).ThenBy(p => p.Id),
            };
        }

        var rows = await ordered.Skip((int)skip).Take(query.PageSize)
            .Select(p => new { p.Id, p.Slug, p.Title, p.Brand, p.Images })
            .ToListAsync(ct);

        var offers = await OffersAsync(db, rows.Select(r => r.Id).ToList(), store, now, ct);
        var cards = rows.Select(r =>
        {
            var skus = offers[r.Id].ToList();
            var first = skus[0];
            return new ProductCard(r.Id, r.Slug, r.Title, r.Brand, r.Images.OrderBy(i => i.SortOrder).FirstOrDefault(),
                first.SkuId, first.SizeLabel, skus.Count, first.Price, first.Availability);
        }).ToList();
        return new Page<ProductCard>(cards, query.Page, query.PageSize, total);
    }

    public async Task<ProductDetail?> FindProductAsync(int productId, int? storeId, CancellationToken ct = default)
    {
        var store = storeId is { } id ? await stores.GetAsync(id, ct) : null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var product = await db.Products.AsNoTracking()
            .Where(p => p.Id == productId && p.IsActive)
            .Select(p => new { p.Id, p.Slug, p.Title, p.Brand, p.Description, p.CategoryId, p.Images, p.Attributes })
            .FirstOrDefaultAsync(ct);
        if (product is null) return null;
        var offers = await OffersAsync(db, [product.Id], store, clock.UtcNow(), ct);
        return new ProductDetail(product.Id, product.Slug, product.Title, product.Brand, product.Description,
            await categories.PathAsync(product.CategoryId, ct), product.Images.OrderBy(i => i.SortOrder).ToList(),
            product.Attributes.ToList(), offers[product.Id].ToList(), store);
    }

    public async Task<int?> FindProductIdBySlugAsync(string slug, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Products.AsNoTracking().Where(p => p.Slug == slug && p.IsActive).Select(p => (int?)p.Id).FirstOrDefaultAsync(ct);
    }

    /// <summary>Stock of many SKUs in one store; SKUs the store does not carry, and those of inactive products, are reported as not in stock.</summary>
    public async Task<IReadOnlyList<SkuAvailability>> AvailabilityAsync(int storeId, IReadOnlyCollection<int> skuIds, CancellationToken ct = default)
    {
        if (skuIds.Count > MaxBatchSkus) throw new DomainException($"Ask for at most {MaxBatchSkus} SKUs at once.");
        await stores.GetAsync(storeId, ct);
        var distinct = skuIds.Distinct().ToList();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var known = await db.Skus.AsNoTracking().Where(s => distinct.Contains(s.Id))
            .Select(s => new { s.Id, Active = db.Products.Any(p => p.Id == s.ProductId && p.IsActive) }).ToListAsync(ct);
        var missing = distinct.Except(known.Select(k => k.Id)).ToList();
        if (missing.Count > 0) throw new NotFoundException("SKU", string.Join(", ", missing.Select(m => PublicId.Format(PublicId.Sku, m))));
        var inactive = known.Where(k => !k.Active).Select(k => k.Id).ToHashSet();
        var stock = await stockView.InStoreAsync(db, storeId, distinct, ct);
        return distinct.Select(id => !inactive.Contains(id) && stock.TryGetValue(id, out var availability) && availability.InStock
            ? new SkuAvailability(id, true, availability.AvailableQty, availability.IsLow, availability.Label)
            : new SkuAvailability(id, false, 0)).ToList();
    }

    /// <summary>
    /// The SKUs of some products with the price in force for the store's region and the store's stock.
    /// Three small queries that each seek an index, joined in memory: a single LINQ query with
    /// FirstOrDefault subqueries becomes ROW_NUMBER() over every price of the region, which grows with the catalog.
    /// </summary>
    private async Task<ILookup<int, SkuOffer>> OffersAsync(QCommerceDbContext db, List<int> productIds,
        StoreSummary? store, DateTime now, CancellationToken ct)
    {
        var skus = await db.Skus.AsNoTracking()
            .Where(s => productIds.Contains(s.ProductId))
            .OrderBy(s => s.Id)
            .Select(s => new { s.Id, s.ProductId, s.Code, s.Barcode, s.Unit, s.Size })
            .ToListAsync(ct);
        var skuIds = skus.Select(s => s.Id).ToList();

        Dictionary<int, Price> prices = [];
        IReadOnlyDictionary<int, Availability> stock = new Dictionary<int, Availability>();
        if (store is not null)
        {
            var regionId = store.RegionId;
            var candidates = await db.Prices.AsNoTracking()
                .Where(p => skuIds.Contains(p.SkuId) && p.RegionId == regionId && p.EffectiveFromUtc <= now && (p.EffectiveToUtc == null || p.EffectiveToUtc > now))
                .ToListAsync(ct);
            prices = candidates.GroupBy(p => p.SkuId).ToDictionary(g => g.Key, g => Price.Resolve(g, g.Key, regionId, now)!);
            stock = await stockView.InStoreAsync(db, store.Id, skuIds, ct);
        }

        return skus.ToLookup(s => s.ProductId, s => new SkuOffer(s.Id, s.Code, s.Barcode, s.Unit, s.Size, SkuSizes.Label(s.Unit, s.Size),
            store is null ? null : prices.GetValueOrDefault(s.Id)?.Amount,
            store is null ? null : stock.GetValueOrDefault(s.Id, Availability.None)));
    }
}
