namespace QCommerce.Core.Catalog;

/// <summary>
/// Something the catalog sells, in one or more SKUs (sizes). A product always has at least one SKU,
/// and its first SKU is the one a product card shows.
/// </summary>
public sealed class Product
{
    private readonly List<Sku> _skus = [];
    private readonly List<ProductImage> _images = [];
    private readonly List<ProductAttribute> _attributes = [];

    private Product() { }

    public Product(string title, string slug, string description, string brand, Category category,
        IEnumerable<Sku> skus, IEnumerable<ProductImage> images, IEnumerable<ProductAttribute>? attributes = null)
    {
        if (string.IsNullOrWhiteSpace(title)) throw new DomainException("A product needs a title.");
        if (string.IsNullOrWhiteSpace(slug)) throw new DomainException("A product needs a slug.");
        Title = title.Trim();
        Slug = slug;
        Description = description;
        Brand = brand;
        Category = category;
        _skus.AddRange(skus);
        if (_skus.Count == 0) throw new DomainException($"Product '{title}' needs at least one SKU.");
        if (_skus.Select(s => s.Code).Distinct(StringComparer.Ordinal).Count() != _skus.Count)
            throw new DomainException($"Product '{title}' has two SKUs with one code.");
        _images.AddRange(images);
        _attributes.AddRange(attributes ?? []);
        IsActive = true;
    }

    public int Id { get; private set; }
    public string Title { get; private set; } = "";
    public string Slug { get; private set; } = "";
    public string Description { get; private set; } = "";
    public string Brand { get; private set; } = "";
    public int CategoryId { get; private set; }
    public Category Category { get; private set; } = null!;
    public bool IsActive { get; private set; }
    public bool IsFeatured { get; private set; }
    public IReadOnlyList<Sku> Skus => _skus;
    public IReadOnlyList<ProductImage> Images => _images;
    public IReadOnlyList<ProductAttribute> Attributes => _attributes;

    /// <summary>Bumped by every change: two desks changing one product at once (two uploads, say) make the second save a conflict, never a lost change.</summary>
    public int Version { get; private set; }

    /// <summary>Marks a change made through the editor (the save then checks no one else changed the product meanwhile).</summary>
    public void Touch() => Version++;

    public const int MaxTitleLength = 200;
    public const int MaxBrandLength = 80;
    public const int MaxDescriptionLength = 4000;
    public const int MaxImages = 8;
    public const int MaxAttributes = 20;

    public void Feature() => IsFeatured = true;

    public void SetFeatured(bool featured) => IsFeatured = featured;

    /// <summary>New words for the product (the caller checked the fields; the slug, its address, stays).</summary>
    public void Describe(string title, string brand, string description, Category category)
    {
        Title = title.Trim();
        Brand = brand.Trim();
        Description = description.Trim();
        Category = category;
        CategoryId = category.Id;
    }

    public void ReplaceAttributes(IEnumerable<ProductAttribute> attributes)
    {
        _attributes.Clear();
        _attributes.AddRange(attributes);
    }

    /// <summary>Adds a picture after the others (the first is the one a card shows); drawn placeholders give way to the first real one.</summary>
    public void AddImage(string url, string altText)
    {
        var real = _images.Where(i => !i.IsPlaceholder).ToList();
        if (real.Count >= MaxImages) throw new DomainException($"A product has at most {MaxImages} pictures; remove one first.");
        _images.Clear();
        _images.AddRange(real.Select((i, n) => i with { SortOrder = n }));
        _images.Add(new ProductImage(url, altText, real.Count));
    }

    public ProductImage RemoveImage(string url)
    {
        var image = _images.FirstOrDefault(i => i.Url == url) ?? throw new NotFoundException("Picture", url);
        var rest = _images.Where(i => i.Url != url).OrderBy(i => i.SortOrder).Select((i, n) => i with { SortOrder = n }).ToList();
        _images.Clear();
        _images.AddRange(rest);
        return image;
    }

    /// <summary>Makes a picture the first, the one product cards show.</summary>
    public void MakeImageFirst(string url)
    {
        var image = _images.FirstOrDefault(i => i.Url == url) ?? throw new NotFoundException("Picture", url);
        var order = new[] { image }.Concat(_images.Where(i => i.Url != url).OrderBy(i => i.SortOrder)).Select((i, n) => i with { SortOrder = n }).ToList();
        _images.Clear();
        _images.AddRange(order);
    }

    public void Deactivate() => IsActive = false;

    public void Activate() => IsActive = true;

    public void AddSku(Sku sku)
    {
        if (_skus.Any(s => s.Code == sku.Code)) throw new DomainException($"Product '{Title}' already has SKU '{sku.Code}'.");
        _skus.Add(sku);
    }

    public void RemoveSku(string code)
    {
        var sku = _skus.SingleOrDefault(s => s.Code == code) ?? throw new DomainException($"Product '{Title}' has no SKU '{code}'.");
        if (_skus.Count == 1) throw new DomainException($"Product '{Title}' must keep at least one SKU.");
        _skus.Remove(sku);
    }
}

/// <summary>A picture of a product, served from this host (never an external URL).</summary>
public sealed record ProductImage(string Url, string AltText, int SortOrder)
{
    /// <summary>A tile drawn from the product's emoji (the demo's), not a photo someone uploaded.</summary>
    public bool IsPlaceholder => Url.StartsWith("/images/products/", StringComparison.Ordinal);
}

/// <summary>A labelled fact shown on the product page ("Origin": "Spain").</summary>
public sealed record ProductAttribute(string Name, string Value);
