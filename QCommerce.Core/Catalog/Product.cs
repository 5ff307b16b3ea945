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

    public void Feature() => IsFeatured = true;

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
public sealed record ProductImage(string Url, string AltText, int SortOrder);

/// <summary>A labelled fact shown on the product page ("Origin": "Spain").</summary>
public sealed record ProductAttribute(string Name, string Value);
