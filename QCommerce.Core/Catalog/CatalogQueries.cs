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

/// <summary>A product the search box offers while the shopper types.</summary>
public sealed record ProductSuggestion(int ProductId, string Slug, string Title, string Brand);

/// <summary>A SKU's stock in one store as shoppers are told it (<see cref="Label"/>: "In stock", "Only 3 left", "Sold out").</summary>
public sealed record SkuAvailability(int SkuId, bool InStock, int AvailableQty, bool Low = false, string Label = "Sold out");

/// <summary>
/// The catalog as shoppers read it: products, SKUs, categories and prices from this instance's
/// <see cref="CatalogSnapshot"/> (text search included), stock from <see cref="IStockView"/>, resolved at the moment
/// of the request: a read asks the database nothing while the snapshot and the stock cache are fresh.
/// </summary>
public sealed class CatalogQueries(StoreDirectory stores, CatalogSnapshots snapshots, IStockView stockView)
{
    public const int MaxBatchSkus = 100;

    /// <summary>How much of its relevance a sold-out product keeps in a store's search (ranks are negative scores).</summary>
    private const double SoldOutRelevance = 0.8;

    /// <summary>How many of a search's best hits are weighed by stock (the first pages; past them relevance alone orders).</summary>
    private const int ReRankedHits = 96;

    public async Task<Page<ProductCard>> SearchAsync(ProductQuery query, CancellationToken ct = default)
    {
        if (query.Page < 1) throw new DomainException("Page numbers start at 1.");
        if (query.PageSize is < 1 or > Paging.MaxPageSize) throw new DomainException($"Page size must be between 1 and {Paging.MaxPageSize}.");

        var store = query.StoreId is { } storeId ? await stores.GetAsync(storeId, ct) : null;
        var catalog = await snapshots.GetAsync(ct);
        if (query.CategoryId is { } categoryId && !catalog.Categories.ById.ContainsKey(categoryId))
            throw new NotFoundException("Category", PublicId.Format(PublicId.Category, categoryId));
        var regionId = store?.RegionId ?? 0;

        IReadOnlyList<CatalogProduct> matched;
        if (string.IsNullOrWhiteSpace(query.Text))
        {
            matched = catalog.List(query.CategoryId ?? 0, query.FeaturedOnly, regionId, query.Sort ?? ProductSort.Name);
        }
        else
        {
            var hits = catalog.Search.Match(ProductSearch.Terms(query.Text)); // only punctuation: no terms, nothing can match
            var inTree = query.CategoryId is { } c ? catalog.Categories.SubtreeIds(c).ToHashSet() : null;
            var found = hits.Select(h => (Hit: h, Product: catalog.Products.GetValueOrDefault(h.ProductId)!))
                .Where(x => x.Product is not null && (inTree is null || inTree.Contains(x.Product.CategoryId)) && (!query.FeaturedOnly || x.Product.IsFeatured))
                .ToList();
            var sort = query.Sort ?? ProductSort.Relevance;
            found.Sort((a, b) => a.Hit.Rank != b.Hit.Rank ? a.Hit.Rank.CompareTo(b.Hit.Rank)
                : StringComparer.OrdinalIgnoreCase.Compare(a.Product.Title, b.Product.Title) is var byTitle and not 0 ? byTitle : a.Product.Id.CompareTo(b.Product.Id));
            if (store is not null && sort == ProductSort.Relevance && found.Count > 1)
            {
                // In a store, what the shopper can buy comes first among hits about as relevant: a sold-out product keeps
                // its place only when it matches clearly better (a fifth). Among the best hits only, whose pages people
                // read; their stock comes from the cache in memory.
                var top = found.Take(ReRankedHits).ToList();
                var stocked = await stockView.InStoreAsync(store.Id, top.Select(x => x.Product.Skus[0].Id).ToList(), ct);
                var reordered = top.Select((x, i) => (x, i, Rank: stocked.TryGetValue(x.Product.Skus[0].Id, out var level) && level.InStock ? x.Hit.Rank : x.Hit.Rank * SoldOutRelevance))
                    .OrderBy(t => t.Rank).ThenBy(t => t.i).Select(t => t.x);
                found = [.. reordered, .. found.Skip(ReRankedHits)];
            }
            matched = catalog.Sort(found.Select(x => x.Product), regionId, sort).ToList();
        }

        var skip = (long)(query.Page - 1) * query.PageSize;
        if (skip >= matched.Count) return new Page<ProductCard>([], query.Page, query.PageSize, matched.Count);
        var page = matched.Skip((int)skip).Take(query.PageSize).ToList();
        var stock = store is null ? null : await stockView.InStoreAsync(store.Id, page.Select(p => p.Skus[0].Id).ToList(), ct);
        var cards = page.Select(p =>
        {
            var first = p.Skus[0];
            return new ProductCard(p.Id, p.Slug, p.Title, p.Brand, p.FirstImage, first.Id, first.SizeLabel, p.Skus.Count,
                store is null ? null : catalog.PriceOf(regionId, first.Id),
                stock is null ? null : stock.GetValueOrDefault(first.Id, Availability.None));
        }).ToList();
        return new Page<ProductCard>(cards, query.Page, query.PageSize, matched.Count);
    }

    public const int MaxSuggestions = 8;

    /// <summary>
    /// What the search box offers while the shopper types: the best-matching products' titles (typos forgiven as in
    /// search), from the snapshot in memory; nothing for fewer than two letters.
    /// </summary>
    public async Task<IReadOnlyList<ProductSuggestion>> SuggestAsync(string? text, CancellationToken ct = default)
    {
        var terms = ProductSearch.Terms(text);
        if (terms.Count == 0 || terms.Sum(t => t.Length) < 2) return [];
        var catalog = await snapshots.GetAsync(ct);
        return catalog.Search.Match(terms)
            .Select(h => (Hit: h, Product: catalog.Products.GetValueOrDefault(h.ProductId)))
            .Where(x => x.Product is not null)
            .OrderBy(x => x.Hit.Rank).ThenBy(x => x.Product!.Title, StringComparer.OrdinalIgnoreCase).ThenBy(x => x.Product!.Id)
            .Take(MaxSuggestions)
            .Select(x => new ProductSuggestion(x.Product!.Id, x.Product.Slug, x.Product.Title, x.Product.Brand))
            .ToList();
    }

    public async Task<ProductDetail?> FindProductAsync(int productId, int? storeId, CancellationToken ct = default)
    {
        var store = storeId is { } id ? await stores.GetAsync(id, ct) : null;
        var catalog = await snapshots.GetAsync(ct);
        if (!catalog.Products.TryGetValue(productId, out var product)) return null;
        var stock = store is null ? null : await stockView.InStoreAsync(store.Id, product.Skus.Select(s => s.Id).ToList(), ct);
        var offers = product.Skus.Select(s => new SkuOffer(s.Id, s.Code, s.Barcode, s.Unit, s.Size, s.SizeLabel,
            store is null ? null : catalog.PriceOf(store.RegionId, s.Id),
            stock is null ? null : stock.GetValueOrDefault(s.Id, Availability.None))).ToList();
        return new ProductDetail(product.Id, product.Slug, product.Title, product.Brand, product.Description,
            catalog.Categories.Path(product.CategoryId), product.Images, product.Attributes, offers, store);
    }

    public async Task<int?> FindProductIdBySlugAsync(string slug, CancellationToken ct = default) =>
        (await snapshots.GetAsync(ct)).BySlug.GetValueOrDefault(slug)?.Id;

    /// <summary>Stock of many SKUs in one store; SKUs the store does not carry, and those of inactive products, are reported as not in stock.</summary>
    public async Task<IReadOnlyList<SkuAvailability>> AvailabilityAsync(int storeId, IReadOnlyCollection<int> skuIds, CancellationToken ct = default)
    {
        if (skuIds.Count > MaxBatchSkus) throw new DomainException($"Ask for at most {MaxBatchSkus} SKUs at once.");
        await stores.GetAsync(storeId, ct);
        var distinct = skuIds.Distinct().ToList();
        var catalog = await snapshots.GetAsync(ct);
        var missing = distinct.Where(id => !catalog.Skus.ContainsKey(id)).ToList();
        if (missing.Count > 0) throw new NotFoundException("SKU", string.Join(", ", missing.Select(m => PublicId.Format(PublicId.Sku, m))));
        var stock = await stockView.InStoreAsync(storeId, distinct, ct);
        return distinct.Select(id => catalog.Skus[id].ProductActive && stock.TryGetValue(id, out var availability) && availability.InStock
            ? new SkuAvailability(id, true, availability.AvailableQty, availability.IsLow, availability.Label)
            : new SkuAvailability(id, false, 0)).ToList();
    }
}
