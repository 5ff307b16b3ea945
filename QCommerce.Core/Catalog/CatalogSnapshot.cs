using System.Collections.Concurrent;
using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>A SKU as the snapshot holds it; <see cref="ProductActive"/> says whether its product is sold at all.</summary>
public sealed record CatalogSku(int Id, int ProductId, string Code, string Barcode, SkuUnit Unit, decimal Size, string SizeLabel, bool ProductActive);

/// <summary>An active product as the snapshot holds it, its SKUs in id order (the first is the one a card shows).</summary>
public sealed record CatalogProduct(int Id, string Slug, string Title, string Brand, string Description, int CategoryId, bool IsFeatured,
    IReadOnlyList<ProductImage> Images, IReadOnlyList<ProductAttribute> Attributes, IReadOnlyList<CatalogSku> Skus)
{
    public ProductImage? FirstImage => Images.Count > 0 ? Images[0] : null;
}

/// <summary>
/// What building a snapshot cost: read whole, or how many products, SKUs and prices a change read again, whether the
/// search index and categories were rebuilt (<see cref="CatalogSnapshot.ListWork"/> says what became of the grid orders).
/// </summary>
public sealed record CatalogWork(bool Whole, int Products, int Skus, int Prices, bool Categories, bool SearchRebuilt);

/// <summary>
/// The catalog shoppers read, whole and immutable: active products by id and slug in title order, every SKU, the
/// active category tree, the price in force of every SKU in every region, and a full-text index of the products.
/// Read whole at start-up (<see cref="Whole"/>); after that each version is made from the one before by what a change
/// touched (<see cref="With"/>), sharing everything else. The orders a grid needs (a category by price) are worked
/// out on first use and carried to the next version, patched where the change touched them.
/// </summary>
public sealed partial class CatalogSnapshot
{
    private readonly LayeredMap<long, Money> _prices;
    private readonly PriceBoundary[] _boundaries;
    private readonly ConcurrentDictionary<ListKey, CatalogProduct[]> _lists = new();

    private CatalogSnapshot(long changeId, Guid stamp, long localChanges, DateTime loadedAtUtc, LayeredMap<int, CatalogProduct> products,
        LayeredMap<string, CatalogProduct> bySlug, LayeredMap<int, CatalogSku> skus, CategoryTreeSnapshot categories,
        LayeredMap<long, Money> prices, PriceBoundary[] boundaries, CatalogProduct[] byTitle, CatalogSearchIndex search, CatalogWork work)
    {
        ChangeId = changeId;
        Stamp = stamp;
        _localChanges = localChanges;
        LoadedAtUtc = loadedAtUtc;
        Products = products;
        BySlug = bySlug;
        Skus = skus;
        Categories = categories;
        _prices = prices;
        _boundaries = boundaries;
        ByTitle = byTitle;
        Search = search;
        Work = work;
    }

    internal static CatalogSnapshot Whole(long changeId, Guid stamp, long localChanges, DateTime now, CatalogParts parts)
    {
        var byTitle = parts.Products.Order(TitleOrder.Instance).ToArray();
        return new CatalogSnapshot(changeId, stamp, localChanges, now,
            new LayeredMap<int, CatalogProduct>(parts.Products.Select(p => KeyValuePair.Create(p.Id, p))),
            new LayeredMap<string, CatalogProduct>(parts.Products.Select(p => KeyValuePair.Create(p.Slug, p)), StringComparer.Ordinal),
            new LayeredMap<int, CatalogSku>(parts.Skus.Select(s => KeyValuePair.Create(s.Id, s))),
            parts.Categories, new LayeredMap<long, Money>(parts.Prices), [.. parts.Boundaries], byTitle, new CatalogSearchIndex(byTitle),
            new CatalogWork(true, parts.Products.Count, parts.Skus.Count, parts.Prices.Count, true, true));
    }

    /// <summary>The last <see cref="CatalogChange"/> line it holds.</summary>
    internal long ChangeId { get; }

    /// <summary>The <see cref="CatalogRevision.Stamp"/> read with it: a new stamp with no new line means a writer that keeps no log.</summary>
    internal Guid Stamp { get; }

    /// <summary>How many local catalog commits it has seen (raised when a check finds nothing new).</summary>
    internal long LocalChanges => Interlocked.Read(ref _localChanges);

    private long _localChanges;

    internal void Acknowledge(long localChanges)
    {
        for (var seen = LocalChanges; seen < localChanges; seen = LocalChanges)
            if (Interlocked.CompareExchange(ref _localChanges, localChanges, seen) == seen) return;
    }

    public DateTime LoadedAtUtc { get; }

    /// <summary>The next moment a price it holds starts or ends: from then on it is out of date.</summary>
    internal DateTime? PricesChangeAtUtc => _boundaries.Length > 0 ? _boundaries[0].AtUtc : null;

    /// <summary>Every moment still to come when a price it holds starts or ends (for comparing snapshots).</summary>
    internal IReadOnlyList<PriceBoundary> Boundaries => _boundaries;

    /// <summary>The (region, SKU) keys whose price starts or ends by <paramref name="now"/>: what a reload must read again.</summary>
    internal IReadOnlyCollection<long> DuePrices(DateTime now) => _boundaries.TakeWhile(b => b.AtUtc <= now).Select(b => b.Key).ToHashSet();

    public LayeredMap<int, CatalogProduct> Products { get; }
    public LayeredMap<string, CatalogProduct> BySlug { get; }
    public LayeredMap<int, CatalogSku> Skus { get; }
    public CategoryTreeSnapshot Categories { get; }

    /// <summary>Every active product, by title (then id, so pages never overlap).</summary>
    public IReadOnlyList<CatalogProduct> ByTitle { get; }

    /// <summary>Full-text search over the active products.</summary>
    public CatalogSearchIndex Search { get; }

    /// <summary>What making this version cost.</summary>
    public CatalogWork Work { get; }

    /// <summary>The price in force for a SKU in a region, or null when it has none (then it is not sold there).</summary>
    public Money? PriceOf(int regionId, int skuId) => _prices.TryGetValue(Key(regionId, skuId), out var price) ? price : null;

    /// <summary>Every price in force, by <see cref="Key"/> (for comparing snapshots).</summary>
    internal IEnumerable<KeyValuePair<long, Money>> Prices => _prices;

    /// <summary>
    /// The active products of a category and every category below it (0: all), featured only if asked, in a sort that
    /// needs no search rank: by name, or by the price of their first SKU in a region (those without one last).
    /// </summary>
    public IReadOnlyList<CatalogProduct> List(int categoryId, bool featuredOnly, int regionId, ProductSort sort)
    {
        if (sort is ProductSort.Relevance) sort = ProductSort.Name;
        if (sort is ProductSort.Name) regionId = 0;
        return _lists.GetOrAdd(new ListKey(categoryId, featuredOnly, regionId, sort), key =>
        {
            var member = Membership(key);
            return ByTitle.Where(member).Order(new ListOrder(this, key)).ToArray();
        });
    }

    /// <summary>Some products (a search's hits) in a sort; <see cref="ProductSort.Relevance"/> keeps the order given.</summary>
    public IEnumerable<CatalogProduct> Sort(IEnumerable<CatalogProduct> products, int regionId, ProductSort sort) =>
        sort is ProductSort.Relevance ? products : products.Order(new ListOrder(this, new ListKey(0, false, regionId, sort)));

    private long? FirstPrice(CatalogProduct product, int regionId) => PriceOf(regionId, product.Skus[0].Id)?.MinorUnits;

    public static long Key(int regionId, int skuId) => ((long)regionId << 32) | (uint)skuId;

    private readonly record struct ListKey(int CategoryId, bool Featured, int RegionId, ProductSort Sort);

    private Func<CatalogProduct, bool> Membership(ListKey key)
    {
        if (key.CategoryId == 0) return p => !key.Featured || p.IsFeatured;
        var inTree = Categories.SubtreeIds(key.CategoryId).ToHashSet();
        return p => inTree.Contains(p.CategoryId) && (!key.Featured || p.IsFeatured);
    }

    /// <summary>A grid's order: by name, or by the first SKU's price in a region (those without one last), then by name.</summary>
    private sealed class ListOrder(CatalogSnapshot snapshot, ListKey key) : IComparer<CatalogProduct>
    {
        public int Compare(CatalogProduct? x, CatalogProduct? y)
        {
            var byPrice = key.Sort switch
            {
                ProductSort.PriceAsc => (snapshot.FirstPrice(x!, key.RegionId) ?? long.MaxValue).CompareTo(snapshot.FirstPrice(y!, key.RegionId) ?? long.MaxValue),
                ProductSort.PriceDesc => (snapshot.FirstPrice(y!, key.RegionId) ?? -1).CompareTo(snapshot.FirstPrice(x!, key.RegionId) ?? -1),
                _ => 0,
            };
            return byPrice != 0 ? byPrice : TitleOrder.Instance.Compare(x, y);
        }
    }

    /// <summary>Shoppers' order of names: case does not matter; the id settles equal titles.</summary>
    private sealed class TitleOrder : IComparer<CatalogProduct>
    {
        public static readonly TitleOrder Instance = new();

        public int Compare(CatalogProduct? x, CatalogProduct? y)
        {
            var byTitle = StringComparer.OrdinalIgnoreCase.Compare(x!.Title, y!.Title);
            return byTitle != 0 ? byTitle : x.Id.CompareTo(y.Id);
        }
    }
}
