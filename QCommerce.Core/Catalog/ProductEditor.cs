using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>A SKU as staff describe it: its barcode, unit and size (its code is made from the product's address).</summary>
public sealed record SkuDraft(string? Barcode, SkuUnit? Unit, decimal? Size);

/// <summary>A product as staff describe it. <see cref="Skus"/> is read when creating (at least one); changes to SKUs go one by one.</summary>
public sealed record ProductDraft(string? Title, string? Brand, string? Description, int? CategoryId, bool Active, bool Featured,
    IReadOnlyList<ProductAttribute>? Attributes = null, IReadOnlyList<SkuDraft>? Skus = null);

/// <summary>
/// The catalog as ops change it: products with their words, category, attributes and SKUs (a barcode is a valid GTIN and
/// belongs to one SKU only); their pictures are <see cref="ProductGallery"/>'s, the grid's reading <see cref="OpsProductQueries"/>'s. Catalog-wide: staff limited to some stores read, not change. Every problem of a
/// draft is named at once by field; each change has its audit row in its transaction; a product made inactive leaves the
/// storefront and <c>/v1/products</c> at their next read, because every shopper read asks for active products.
/// </summary>
public sealed class ProductEditor(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock,
    ILogger<ProductEditor> logger)
{
    public const decimal MaxSize = 100_000;

    public async Task<int> CreateAsync(StaffActor staff, ProductDraft draft, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        var problems = new ProblemList();
        Check(draft, problems);
        var skus = draft.Skus ?? [];
        if (skus.Count == 0) problems.Add("skus", "A product needs at least one SKU (its barcode, unit and size).");
        if (skus.Count > 20) problems.Add("skus", "A product has at most 20 SKUs.");
        for (var i = 0; i < skus.Count; i++) CheckSku(skus[i], problems, $"skus[{i}].");
        foreach (var twice in skus.Select((s, i) => (s.Barcode?.Trim().TrimStart('0'), i)).Where(x => x.Item1 is { Length: > 0 }).GroupBy(x => x.Item1).Where(g => g.Count() > 1))
            problems.Add($"skus[{twice.Last().i}].barcode", $"The barcode {twice.Key} is given to two SKUs.");
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var category = await CategoryAsync(db, draft.CategoryId, problems, ct);
        await BarcodesFreeAsync(db, skus.Select((s, i) => (s.Barcode?.Trim(), $"skus[{i}].barcode")), null, problems, ct);
        problems.ThrowIfAny();

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var slug = await UniqueSlugAsync(db, $"{draft.Brand} {draft.Title}", ct);
        var product = new Product(draft.Title!.Trim(), slug, draft.Description?.Trim() ?? "", draft.Brand!.Trim(), category!,
            skus.Select((s, i) => new Sku($"{slug}-{i + 1}", s.Barcode!.Trim(), s.Unit!.Value, s.Size!.Value)), [], Attributes(draft));
        if (!draft.Active) product.Deactivate();
        product.SetFeatured(draft.Featured);
        db.Products.Add(product);
        await db.SaveChangesAsync(ct);
        Audit.Record(db, staff, AuditActions.ProductCreate, "product", product.PublicIdOf(), null, null,
            new { title = product.Title, category = category!.Slug, active = product.IsActive, skus = product.Skus.Select(s => s.Barcode) }, null, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Product {ProductId} '{Title}' created by {StaffId} with {Skus} SKU(s)", product.PublicIdOf(), product.Title, staff.UserId, product.Skus.Count);
        return product.Id;
    }

    /// <summary>Changes the product's words, category, attributes, active and featured flags (its SKUs and pictures have their own actions).</summary>
    public async Task UpdateAsync(StaffActor staff, int productId, ProductDraft draft, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        var problems = new ProblemList();
        Check(draft, problems);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var category = await CategoryAsync(db, draft.CategoryId, problems, ct);
        problems.ThrowIfAny();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var product = await ProductRows.LoadAsync(db, productId, ct);
        var before = Snapshot(product);
        var wasActive = product.IsActive;
        product.Describe(draft.Title!, draft.Brand!, draft.Description ?? "", category!);
        product.ReplaceAttributes(Attributes(draft));
        if (draft.Active) product.Activate(); else product.Deactivate();
        product.SetFeatured(draft.Featured);
        product.Touch();
        Audit.Record(db, staff, AuditActions.ProductChange, "product", product.PublicIdOf(), null, before, Snapshot(product), null, now);
        await ProductRows.SaveOrConflictAsync(db, product, ct);
        await tx.CommitAsync(ct);
        if (wasActive != product.IsActive)
            logger.LogInformation("Product {ProductId} {State} by {StaffId}", product.PublicIdOf(), product.IsActive ? "activated" : "deactivated", staff.UserId);
    }

    public async Task<int> AddSkuAsync(StaffActor staff, int productId, SkuDraft draft, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        var problems = new ProblemList();
        CheckSku(draft, problems, "");
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await BarcodesFreeAsync(db, [(draft.Barcode?.Trim(), "barcode")], null, problems, ct);
        problems.ThrowIfAny();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var product = await ProductRows.LoadAsync(db, productId, ct);
        if (product.Skus.Count >= 20) throw CategoryService.Rejected("skus", "A product has at most 20 SKUs.");
        var taken = product.Skus.Select(s => s.Code).ToHashSet(StringComparer.Ordinal);
        var n = product.Skus.Count + 1;
        while (taken.Contains($"{product.Slug}-{n}") || await db.Skus.AnyAsync(s => s.Code == $"{product.Slug}-{n}", ct)) n++;
        var sku = new Sku($"{product.Slug}-{n}", draft.Barcode!.Trim(), draft.Unit!.Value, draft.Size!.Value);
        product.AddSku(sku);
        product.Touch();
        await SaveCatchingBarcodeAsync(db, "barcode", ct);
        Audit.Record(db, staff, AuditActions.SkuCreate, "sku", PublicId.Format(PublicId.Sku, sku.Id), null, null,
            new { product = product.PublicIdOf(), barcode = sku.Barcode, size = sku.SizeLabel }, null, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return sku.Id;
    }

    public async Task ChangeSkuAsync(StaffActor staff, int skuId, SkuDraft draft, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        var problems = new ProblemList();
        CheckSku(draft, problems, "");
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await BarcodesFreeAsync(db, [(draft.Barcode?.Trim(), "barcode")], skuId, problems, ct);
        problems.ThrowIfAny();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var sku = await db.Skus.FirstOrDefaultAsync(s => s.Id == skuId, ct) ?? throw new NotFoundException("SKU", PublicId.Format(PublicId.Sku, skuId));
        var before = new { barcode = sku.Barcode, size = sku.SizeLabel };
        sku.Change(draft.Barcode!.Trim(), draft.Unit!.Value, draft.Size!.Value);
        Audit.Record(db, staff, AuditActions.SkuChange, "sku", PublicId.Format(PublicId.Sku, skuId), null, before, new { barcode = sku.Barcode, size = sku.SizeLabel }, null, now);
        await SaveCatchingBarcodeAsync(db, "barcode", ct);
        await tx.CommitAsync(ct);
    }

    private static void Check(ProductDraft draft, ProblemList problems)
    {
        if (string.IsNullOrWhiteSpace(draft.Title)) problems.Add("title", "A product needs a title.");
        else if (TextRules.Problem(draft.Title.Trim(), Product.MaxTitleLength, "A title") is { } title) problems.Add("title", title);
        if (string.IsNullOrWhiteSpace(draft.Brand)) problems.Add("brand", "Say the brand (the maker's name on the pack).");
        else if (TextRules.Problem(draft.Brand.Trim(), Product.MaxBrandLength, "A brand") is { } brand) problems.Add("brand", brand);
        if (TextRules.Problem(draft.Description?.Trim(), Product.MaxDescriptionLength, "A description") is { } description) problems.Add("description", description);
        if (draft.CategoryId is null) problems.Add("categoryId", "Choose the category shoppers find it in.");
        var attributes = draft.Attributes ?? [];
        if (attributes.Count > Product.MaxAttributes) problems.Add("attributes", $"A product has at most {Product.MaxAttributes} attributes.");
        for (var i = 0; i < attributes.Count; i++)
        {
            if (string.IsNullOrWhiteSpace(attributes[i].Name)) problems.Add($"attributes[{i}].name", "An attribute needs a name (Origin).");
            else if (TextRules.Problem(attributes[i].Name.Trim(), 40, "An attribute's name") is { } name) problems.Add($"attributes[{i}].name", name);
            if (string.IsNullOrWhiteSpace(attributes[i].Value)) problems.Add($"attributes[{i}].value", "An attribute needs a value (Spain).");
            else if (TextRules.Problem(attributes[i].Value.Trim(), 200, "An attribute's value") is { } value) problems.Add($"attributes[{i}].value", value);
        }
    }

    private static void CheckSku(SkuDraft sku, ProblemList problems, string prefix)
    {
        if (Barcodes.Problem(sku.Barcode) is { } barcode) problems.Add($"{prefix}barcode", barcode);
        if (sku.Unit is not { } unit || !Enum.IsDefined(unit)) problems.Add($"{prefix}unit", "Choose a unit: piece, pack, gram, kilogram, millilitre or litre.");
        if (sku.Size is not { } size || size <= 0 || size > MaxSize || decimal.Round(size, 3) != size)
            problems.Add($"{prefix}size", $"A size is a positive number up to {MaxSize:N0}, with at most 3 decimals (500 for 500 g).");
    }

    private static async Task<Category?> CategoryAsync(QCommerceDbContext db, int? categoryId, ProblemList problems, CancellationToken ct)
    {
        if (categoryId is not { } id) return null;
        var all = await db.Categories.ToListAsync(ct);
        var category = all.FirstOrDefault(c => c.Id == id);
        if (category is null) { problems.Add("categoryId", $"There is no category {PublicId.Format(PublicId.Category, id)}."); return null; }
        // The category and every one above it must be active, or shoppers could not browse to the product.
        for (var at = category; at is not null; at = all.FirstOrDefault(c => c.Id == at.ParentId))
            if (!at.IsActive)
            {
                problems.Add("categoryId", at == category
                    ? $"{category.Name} is inactive; shoppers could not browse to the product. Choose another or activate it."
                    : $"{category.Name} is inside {at.Name}, which is inactive; shoppers could not browse to the product. Choose another or activate it.");
                break;
            }
        return category;
    }

    private static async Task BarcodesFreeAsync(QCommerceDbContext db, IEnumerable<(string? Barcode, string Field)> barcodes, int? exceptSkuId, ProblemList problems,
        CancellationToken ct)
    {
        var wanted = barcodes.Where(b => b.Barcode is { Length: > 0 } && !problems.Has(b.Field)).ToList();
        if (wanted.Count == 0) return;
        var codes = wanted.SelectMany(w => Barcodes.Spellings(w.Barcode!)).Distinct().ToList();
        var taken = await db.Skus.AsNoTracking().Where(s => codes.Contains(s.Barcode) && (exceptSkuId == null || s.Id != exceptSkuId))
            .Select(s => new { s.Barcode, s.Id, s.ProductId }).ToListAsync(ct);
        foreach (var (barcode, field) in wanted)
            if (taken.FirstOrDefault(t => Barcodes.Spellings(barcode!).Contains(t.Barcode)) is { } owner)
                problems.Add(field, $"The barcode {barcode} already belongs to {PublicId.Format(PublicId.Sku, owner.Id)} (product {PublicId.Format(PublicId.Product, owner.ProductId)}).");
    }

    /// <summary>The unique index has the last word on barcodes (two desks saving the same one at once): its refusal is the same problem.</summary>
    private static async Task SaveCatchingBarcodeAsync(QCommerceDbContext db, string field, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException ex) when (ex.InnerException?.Message.Contains("Barcode", StringComparison.OrdinalIgnoreCase) == true
            || ex.InnerException?.Message.Contains("UNIQUE", StringComparison.OrdinalIgnoreCase) == true)
        {
            throw CategoryService.Rejected(field, "That barcode was just given to another SKU.");
        }
    }

    /// <summary>The fields a change of a product can touch, for its audit row (the description by its length and start: it can be long).</summary>
    private static object Snapshot(Product p) => new
    {
        title = p.Title, brand = p.Brand, category = p.CategoryId, active = p.IsActive, featured = p.IsFeatured,
        description = p.Description.Length <= 200 ? p.Description : p.Description[..200] + "…",
        attributes = p.Attributes.Select(a => $"{a.Name}: {a.Value}").ToList(),
    };

    private static IEnumerable<ProductAttribute> Attributes(ProductDraft draft) =>
        (draft.Attributes ?? []).Select(a => new ProductAttribute(a.Name.Trim(), a.Value.Trim()));

    private static Task<string> UniqueSlugAsync(QCommerceDbContext db, string text, CancellationToken ct) =>
        Slugs.UniqueAsync(text, Product.MaxTitleLength, "product", async slug => await db.Products.Where(p => p.Slug.StartsWith(slug)).Select(p => p.Slug).ToListAsync(ct));
}
