using System.Collections.Concurrent;
using System.Collections.Frozen;
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
/// The catalog shoppers read, whole and immutable: active products by id and slug in title order, every SKU, the
/// active category tree, the price in force of every SKU in every region, and a full-text index of the products. Built by <see cref="CatalogSnapshots"/>
/// from one read of the database and replaced, never changed; the orders a grid needs (a category by price) are
/// worked out on first use and kept with it.
/// </summary>
public sealed class CatalogSnapshot
{
    private readonly FrozenDictionary<long, Money> _prices;
    private readonly ConcurrentDictionary<(int CategoryId, bool Featured, int RegionId, ProductSort Sort), CatalogProduct[]> _lists = new();

    internal CatalogSnapshot(Guid stamp, long localChanges, DateTime loadedAtUtc, DateTime? pricesChangeAtUtc,
        IReadOnlyCollection<CatalogProduct> products, IReadOnlyCollection<CatalogSku> skus, CategoryTreeSnapshot categories,
        IReadOnlyDictionary<long, Money> prices)
    {
        Stamp = stamp;
        LocalChanges = localChanges;
        LoadedAtUtc = loadedAtUtc;
        PricesChangeAtUtc = pricesChangeAtUtc;
        Products = products.ToFrozenDictionary(p => p.Id);
        BySlug = products.ToFrozenDictionary(p => p.Slug, StringComparer.Ordinal);
        Skus = skus.ToFrozenDictionary(s => s.Id);
        Categories = categories;
        ByTitle = products.Order(TitleOrder.Instance).ToArray();
        Search = new CatalogSearchIndex(ByTitle);
        _prices = prices.ToFrozenDictionary();
    }

    /// <summary>The <see cref="CatalogRevision.Stamp"/> it was read at.</summary>
    internal Guid Stamp { get; }

    /// <summary>How many local catalog commits had been signalled when it was read.</summary>
    internal long LocalChanges { get; }

    public DateTime LoadedAtUtc { get; }

    /// <summary>The next moment a price it holds starts or ends: from then on it is out of date.</summary>
    internal DateTime? PricesChangeAtUtc { get; }

    public FrozenDictionary<int, CatalogProduct> Products { get; }
    public FrozenDictionary<string, CatalogProduct> BySlug { get; }
    public FrozenDictionary<int, CatalogSku> Skus { get; }
    public CategoryTreeSnapshot Categories { get; }

    /// <summary>Every active product, by title (then id, so pages never overlap).</summary>
    public IReadOnlyList<CatalogProduct> ByTitle { get; }

    /// <summary>Full-text search over the active products.</summary>
    public CatalogSearchIndex Search { get; }

    /// <summary>The price in force for a SKU in a region, or null when it has none (then it is not sold there).</summary>
    public Money? PriceOf(int regionId, int skuId) => _prices.TryGetValue(Key(regionId, skuId), out var price) ? price : null;

    /// <summary>
    /// The active products of a category and every category below it (0: all), featured only if asked, in a sort that
    /// needs no search rank: by name, or by the price of their first SKU in a region (those without one last).
    /// </summary>
    public IReadOnlyList<CatalogProduct> List(int categoryId, bool featuredOnly, int regionId, ProductSort sort)
    {
        if (sort is ProductSort.Relevance) sort = ProductSort.Name;
        if (sort is ProductSort.Name) regionId = 0;
        return _lists.GetOrAdd((categoryId, featuredOnly, regionId, sort), key =>
        {
            IEnumerable<CatalogProduct> products = ByTitle;
            if (key.CategoryId != 0)
            {
                var inTree = Categories.SubtreeIds(key.CategoryId).ToHashSet();
                products = products.Where(p => inTree.Contains(p.CategoryId));
            }
            if (key.Featured) products = products.Where(p => p.IsFeatured);
            return Sort(products, key.RegionId, key.Sort).ToArray();
        });
    }

    /// <summary>Some products (a search's hits) in a sort; <see cref="ProductSort.Relevance"/> keeps the order given.</summary>
    public IEnumerable<CatalogProduct> Sort(IEnumerable<CatalogProduct> products, int regionId, ProductSort sort) => sort switch
    {
        ProductSort.PriceAsc => products.OrderBy(p => FirstPrice(p, regionId) ?? long.MaxValue).ThenBy(p => p, TitleOrder.Instance),
        ProductSort.PriceDesc => products.OrderByDescending(p => FirstPrice(p, regionId) ?? -1).ThenBy(p => p, TitleOrder.Instance),
        ProductSort.Name => products.Order(TitleOrder.Instance),
        _ => products,
    };

    private long? FirstPrice(CatalogProduct product, int regionId) => PriceOf(regionId, product.Skus[0].Id)?.MinorUnits;

    internal static long Key(int regionId, int skuId) => ((long)regionId << 32) | (uint)skuId;

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

/// <summary>The active category tree: roots in display order, and every node by id and by slug.</summary>
public sealed class CategoryTreeSnapshot
{
    public CategoryTreeSnapshot(IReadOnlyList<CategoryNode> roots)
    {
        Roots = roots;
        var all = new Dictionary<int, CategoryNode>();
        var stack = new Stack<CategoryNode>(roots);
        while (stack.TryPop(out var node))
        {
            all[node.Id] = node;
            foreach (var child in node.Children) stack.Push(child);
        }
        ById = all.ToFrozenDictionary();
        BySlug = all.Values.ToFrozenDictionary(n => n.Slug, StringComparer.OrdinalIgnoreCase);
    }

    public IReadOnlyList<CategoryNode> Roots { get; }
    public FrozenDictionary<int, CategoryNode> ById { get; }
    public FrozenDictionary<string, CategoryNode> BySlug { get; }

    /// <summary>The category and every category below it: browsing "Drinks" shows juice too. Empty for an unknown or inactive one.</summary>
    public IReadOnlyList<int> SubtreeIds(int id)
    {
        var ids = new List<int>();
        if (!ById.TryGetValue(id, out var top)) return ids;
        var stack = new Stack<CategoryNode>([top]);
        while (stack.TryPop(out var node))
        {
            ids.Add(node.Id);
            foreach (var child in node.Children) stack.Push(child);
        }
        return ids;
    }

    /// <summary>The path from the root down to the category, for breadcrumbs.</summary>
    public IReadOnlyList<CategoryNode> Path(int id)
    {
        var path = new List<CategoryNode>();
        for (var node = ById.GetValueOrDefault(id); node is not null; node = node.ParentId is { } parent ? ById.GetValueOrDefault(parent) : null)
            path.Insert(0, node);
        return path;
    }
}
