using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>A category as ops see it: active or not, how many products it holds directly, its children.</summary>
public sealed record OpsCategoryNode(int Id, string Name, string Slug, int? ParentId, int SortOrder, bool IsActive, int ProductCount, int ActiveProductCount,
    IReadOnlyList<OpsCategoryNode> Children)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Category, Id);
}

/// <summary>A change to a category: each field left null stays as it is; <see cref="ParentId"/> 0 moves it to the top level.</summary>
public sealed record CategoryChange(string? Name = null, int? ParentId = null, int? SortOrder = null, bool? Active = null);

/// <summary>
/// The category tree for ops: create, rename, move (never under itself or its own descendants), reorder among siblings,
/// deactivate (only once no active product is in it, so no product is left where shoppers cannot browse to it) and
/// delete (only an empty leaf). Catalog-wide: staff limited to some stores read it, not change it. Each change has its
/// audit row in its transaction, and the shoppers' tree is refreshed at once.
/// </summary>
public sealed class CategoryService(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock,
    ILogger<CategoryService> logger)
{
    public async Task<IReadOnlyList<OpsCategoryNode>> TreeAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Categories.AsNoTracking().OrderBy(c => c.SortOrder).ThenBy(c => c.Name)
            .Select(c => new { c.Id, c.Name, c.Slug, c.ParentId, c.SortOrder, c.IsActive }).ToListAsync(ct);
        var counts = await db.Products.AsNoTracking().GroupBy(p => p.CategoryId)
            .Select(g => new { CategoryId = g.Key, All = g.Count(), Active = g.Count(p => p.IsActive) }).ToDictionaryAsync(g => g.CategoryId, ct);
        var byParent = rows.ToLookup(r => r.ParentId);
        OpsCategoryNode Build(int id)
        {
            var r = rows.First(x => x.Id == id);
            var count = counts.GetValueOrDefault(id);
            return new OpsCategoryNode(r.Id, r.Name, r.Slug, r.ParentId, r.SortOrder, r.IsActive, count?.All ?? 0, count?.Active ?? 0,
                byParent[id].Select(c => Build(c.Id)).ToList());
        }
        return byParent[null].Select(r => Build(r.Id)).ToList();
    }

    public async Task<int> CreateAsync(StaffActor staff, string? name, int? parentId, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        var clean = CheckName(name);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        Category? parent = null;
        if (parentId is { } p)
            parent = await db.Categories.FirstOrDefaultAsync(c => c.Id == p, ct) ?? throw Rejected("parentId", $"There is no category {PublicId.Format(PublicId.Category, p)}.");
        var siblings = await db.Categories.Where(c => c.ParentId == parentId).Select(c => (int?)c.SortOrder).MaxAsync(ct) ?? -1;
        var category = new Category(clean, await UniqueSlugAsync(db, clean, ct), siblings + 1, parent);
        db.Categories.Add(category);
        await db.SaveChangesAsync(ct);
        Audit.Record(db, staff, AuditActions.CategoryCreate, "category", PublicId.Format(PublicId.Category, category.Id), null, null,
            new { name = clean, parent = parentId is { } pp ? PublicId.Format(PublicId.Category, pp) : null }, null, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Category {CategoryId} '{Name}' created by {StaffId}", PublicId.Format(PublicId.Category, category.Id), clean, staff.UserId);
        return category.Id;
    }

    public async Task ChangeAsync(StaffActor staff, int categoryId, CategoryChange change, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        var name = change.Name is null ? null : CheckName(change.Name);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var all = await db.Categories.ToListAsync(ct);
        var category = all.FirstOrDefault(c => c.Id == categoryId) ?? throw new NotFoundException("Category", PublicId.Format(PublicId.Category, categoryId));
        var before = new { name = category.Name, parent = category.ParentId, sortOrder = category.SortOrder, active = category.IsActive };
        if (name is not null) category.Rename(name);
        if (change.ParentId is { } newParent)
        {
            int? parent = newParent == 0 ? null : newParent;
            if (parent is { } pid)
            {
                if (all.All(c => c.Id != pid)) throw Rejected("parentId", $"There is no category {PublicId.Format(PublicId.Category, pid)}.");
                // Walking up from the new parent must never reach the category itself.
                for (int? at = pid; at is { } cur; at = all.First(c => c.Id == cur).ParentId)
                    if (cur == categoryId) throw Rejected("parentId", "A category cannot move inside itself or one of its own subcategories.");
            }
            if (parent != category.ParentId)
                category.MoveTo(parent, (all.Where(c => c.ParentId == parent && c.Id != categoryId).Select(c => (int?)c.SortOrder).Max() ?? -1) + 1);
        }
        if (change.SortOrder is { } place)
        {
            // A place among its siblings (0 first): the others close up around it.
            var siblings = all.Where(c => c.ParentId == category.ParentId && c.Id != categoryId).OrderBy(c => c.SortOrder).ThenBy(c => c.Name).ToList();
            siblings.Insert(Math.Clamp(place, 0, siblings.Count), category);
            for (var i = 0; i < siblings.Count; i++) siblings[i].PlaceAt(i);
        }
        if (change.Active is false && category.IsActive)
        {
            var active = await db.Products.CountAsync(p => p.CategoryId == categoryId && p.IsActive, ct);
            if (active > 0) throw Rejected("active", $"{category.Name} still holds {active} active product(s); move or deactivate them first, so none is left where shoppers cannot find it.");
            category.Deactivate();
        }
        else if (change.Active is true) category.Activate();
        Audit.Record(db, staff, AuditActions.CategoryChange, "category", PublicId.Format(PublicId.Category, categoryId), null, before,
            new { name = category.Name, parent = category.ParentId, sortOrder = category.SortOrder, active = category.IsActive }, null, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>Deletes an empty leaf; a category with products or subcategories is refused, naming what it holds.</summary>
    public async Task DeleteAsync(StaffActor staff, int categoryId, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var category = await db.Categories.FirstOrDefaultAsync(c => c.Id == categoryId, ct) ?? throw new NotFoundException("Category", PublicId.Format(PublicId.Category, categoryId));
        var products = await db.Products.CountAsync(p => p.CategoryId == categoryId, ct);
        if (products > 0) throw new ConflictException($"{category.Name} holds {products} product(s) and cannot be deleted; move them, or deactivate the category instead.");
        if (await db.Categories.AnyAsync(c => c.ParentId == categoryId, ct))
            throw new ConflictException($"{category.Name} has subcategories; move or delete them first.");
        db.Categories.Remove(category);
        Audit.Record(db, staff, AuditActions.CategoryDelete, "category", PublicId.Format(PublicId.Category, categoryId), null, new { name = category.Name }, null, null, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    private static string CheckName(string? name)
    {
        var clean = name?.Trim();
        if (string.IsNullOrEmpty(clean)) throw Rejected("name", "A category needs a name.");
        if (TextRules.Problem(clean, Category.MaxNameLength, "A category name") is { } problem) throw Rejected("name", problem);
        return clean;
    }

    private static Task<string> UniqueSlugAsync(QCommerceDbContext db, string name, CancellationToken ct) =>
        Slugs.UniqueAsync(name, Category.MaxNameLength, "category", async slug => await db.Categories.Where(c => c.Slug.StartsWith(slug)).Select(c => c.Slug).ToListAsync(ct));

    internal static RequestRejectedException Rejected(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}

/// <summary>
/// Addresses made from names, as the demo's are: lower-case ASCII letters and digits, words joined by one dash (spaces,
/// dashes, ampersands and slashes part words; accents and other punctuation are dropped: "Ben & Jerry's" is ben-jerrys).
/// </summary>
public static class Slugs
{
    public static string From(string text, int maxLength)
    {
        var sb = new System.Text.StringBuilder(text.Length);
        foreach (var c in text.Normalize(System.Text.NormalizationForm.FormD).ToLowerInvariant())
        {
            if (sb.Length >= maxLength) break;
            if (char.IsAsciiLetterOrDigit(c)) sb.Append(c);
            else if (c is ' ' or '-' or '&' or '/' && sb.Length > 0 && sb[^1] != '-') sb.Append('-');
        }
        return sb.ToString().Trim('-');
    }

    /// <summary>
    /// The slug of <paramref name="text"/>, or with -2, -3… when taken: <paramref name="taken"/> gives the slugs in use that
    /// start with a candidate (one query; a racing twin is stopped by the unique index).
    /// </summary>
    public static async Task<string> UniqueAsync(string text, int maxLength, string fallback, Func<string, Task<IReadOnlyCollection<string>>> taken)
    {
        var slug = From(text, maxLength - 8);
        if (slug.Length == 0) slug = fallback;
        var used = (await taken(slug)).ToHashSet(StringComparer.OrdinalIgnoreCase);
        if (!used.Contains(slug)) return slug;
        for (var n = 2; ; n++)
        {
            var candidate = string.Create(System.Globalization.CultureInfo.InvariantCulture, $"{slug}-{n}");
            if (!used.Contains(candidate)) return candidate;
        }
    }
}
