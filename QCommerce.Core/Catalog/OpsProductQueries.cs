using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

public sealed record OpsSku(int Id, string Code, string Barcode, SkuUnit Unit, decimal Size, string SizeLabel);

/// <summary>A product as the ops editor shows it.</summary>
public sealed record OpsProduct(int Id, string Slug, string Title, string Brand, string Description, int CategoryId, string CategoryName, bool IsActive,
    bool IsFeatured, IReadOnlyList<ProductAttribute> Attributes, IReadOnlyList<ProductImage> Images, IReadOnlyList<OpsSku> Skus)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Product, Id);
}

/// <summary>A row of the ops products grid.</summary>
public sealed record OpsProductRow(int Id, string Title, string Brand, string CategoryName, bool IsActive, bool IsFeatured, int SkuCount, string? ImageUrl,
    string FirstBarcode);

public sealed record OpsProductFilter(string? Text = null, int? CategoryId = null, bool? Active = null);

/// <summary>The catalog as the ops portal and <c>/v1/ops/products</c> read it: one product whole, or the products grid by title or by id.</summary>
public sealed class OpsProductQueries(IDbContextFactory<QCommerceDbContext> contexts)
{
    public const int MaxPageSize = 200;

    public async Task<OpsProduct?> FindAsync(int productId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var p = await db.Products.AsNoTracking().Include(x => x.Skus).Include(x => x.Category).FirstOrDefaultAsync(x => x.Id == productId, ct);
        return p is null ? null : new OpsProduct(p.Id, p.Slug, p.Title, p.Brand, p.Description, p.CategoryId, p.Category.Name, p.IsActive, p.IsFeatured,
            p.Attributes.ToList(), p.Images.OrderBy(i => i.SortOrder).ToList(),
            p.Skus.OrderBy(s => s.Id).Select(s => new OpsSku(s.Id, s.Code, s.Barcode, s.Unit, s.Size, s.SizeLabel)).ToList());
    }

    /// <summary>The products grid: a page by title (page numbers, a total), filtered by text (title, brand, SKU code or barcode), category and state.</summary>
    public async Task<Page<OpsProductRow>> ListAsync(OpsProductFilter filter, int page, int pageSize, CancellationToken ct = default)
    {
        page = Math.Max(1, page);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = Filtered(db, filter, await SubtreeAsync(db, filter.CategoryId, ct));
        var total = await rows.CountAsync(ct);
        var items = await Rows(db, rows.OrderBy(p => p.Title).ThenBy(p => p.Id).Skip((page - 1) * pageSize).Take(pageSize), ct);
        return new Page<OpsProductRow>(items, page, pageSize, total);
    }

    /// <summary>The same rows by id in keyset pages, for <c>/v1/ops/products</c> (a cursor never skips or repeats a product as others are added).</summary>
    public async Task<(IReadOnlyList<OpsProductRow> Items, string? NextCursor)> ListAfterAsync(OpsProductFilter filter, string? cursor, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        int? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!PublicId.TryParse(PublicId.Product, cursor, out var last)) throw CategoryService.Rejected("cursor", "This cursor is not one a page of this list gave; start from the first page.");
            after = last;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = Filtered(db, filter, await SubtreeAsync(db, filter.CategoryId, ct));
        if (after is { } a) rows = rows.Where(p => p.Id > a);
        var items = await Rows(db, rows.OrderBy(p => p.Id).Take(pageSize + 1), ct);
        var page = items.Take(pageSize).ToList();
        return (page, items.Count > pageSize ? PublicId.Format(PublicId.Product, page[^1].Id) : null);
    }

    /// <summary>A category and every one below it ("Drinks" holds its juices), or null for every category.</summary>
    private static async Task<List<int>?> SubtreeAsync(QCommerceDbContext db, int? categoryId, CancellationToken ct)
    {
        if (categoryId is not { } root) return null;
        var all = await db.Categories.AsNoTracking().Select(c => new { c.Id, c.ParentId }).ToListAsync(ct);
        var ids = new List<int> { root };
        for (var i = 0; i < ids.Count; i++) ids.AddRange(all.Where(c => c.ParentId == ids[i]).Select(c => c.Id));
        return ids;
    }

    private static IQueryable<Product> Filtered(QCommerceDbContext db, OpsProductFilter filter, List<int>? categoryIds)
    {
        var rows = db.Products.AsNoTracking();
        if (categoryIds is not null) rows = rows.Where(p => categoryIds.Contains(p.CategoryId));
        if (filter.Active is { } active) rows = rows.Where(p => p.IsActive == active);
        // Every word must be somewhere in the title, the brand or a SKU's code ("horizon milk"), or be a SKU's barcode.
        foreach (var word in TextRules.Searchable(filter.Text).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(6))
        {
            var lower = word.ToLowerInvariant();
            rows = rows.Where(p => p.Title.ToLower().Contains(lower) || p.Brand.ToLower().Contains(lower)
                || db.Skus.Any(s => s.ProductId == p.Id && (s.Barcode == word || s.Code.ToLower().Contains(lower))));
        }
        return rows;
    }

    private static async Task<List<OpsProductRow>> Rows(QCommerceDbContext db, IQueryable<Product> page, CancellationToken ct)
    {
        var rows = await page.Select(p => new
        {
            p.Id, p.Title, p.Brand, Category = p.Category.Name, p.IsActive, p.IsFeatured, p.Images,
            Skus = db.Skus.Count(s => s.ProductId == p.Id),
            Barcode = db.Skus.Where(s => s.ProductId == p.Id).OrderBy(s => s.Id).Select(s => s.Barcode).FirstOrDefault(),
        }).ToListAsync(ct);
        return rows.Select(r => new OpsProductRow(r.Id, r.Title, r.Brand, r.Category, r.IsActive, r.IsFeatured, r.Skus,
            r.Images.OrderBy(i => i.SortOrder).FirstOrDefault()?.Url is { } url ? ProductPictures.CardUrl(url) : null, r.Barcode ?? "")).ToList();
    }
}
