using Microsoft.Extensions.Caching.Memory;
using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

public sealed record CategoryNode(int Id, string Name, string Slug, int? ParentId, IReadOnlyList<CategoryNode> Children)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Category, Id);
}

/// <summary>
/// The category tree shoppers see, cached briefly: every page's navigation and every category filter reads it. Only
/// active categories are in it (and so nothing below an inactive one); ops read the whole tree from <see cref="CategoryService"/>.
/// </summary>
public sealed class CategoryTree(IDbContextFactory<QCommerceDbContext> contexts, IMemoryCache cache)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);
    private const string CacheKey = "categories:tree";

    private sealed record Snapshot(IReadOnlyList<CategoryNode> Roots, IReadOnlyDictionary<int, CategoryNode> ById, IReadOnlyDictionary<string, CategoryNode> BySlug);

    public async Task<IReadOnlyList<CategoryNode>> RootsAsync(CancellationToken ct = default) => (await LoadAsync(ct)).Roots;

    public async Task<CategoryNode?> FindAsync(int id, CancellationToken ct = default) =>
        (await LoadAsync(ct)).ById.GetValueOrDefault(id);

    public async Task<CategoryNode?> FindBySlugAsync(string slug, CancellationToken ct = default) =>
        (await LoadAsync(ct)).BySlug.GetValueOrDefault(slug);

    /// <summary>The category and every category below it: browsing "Drinks" shows juice too.</summary>
    public async Task<IReadOnlyList<int>> SubtreeIdsAsync(int id, CancellationToken ct = default)
    {
        var node = await FindAsync(id, ct) ?? throw new NotFoundException("Category", PublicId.Format(PublicId.Category, id));
        var ids = new List<int>();
        var stack = new Stack<CategoryNode>([node]);
        while (stack.TryPop(out var n))
        {
            ids.Add(n.Id);
            foreach (var child in n.Children) stack.Push(child);
        }
        return ids;
    }

    /// <summary>The path from the root down to the category, for breadcrumbs.</summary>
    public async Task<IReadOnlyList<CategoryNode>> PathAsync(int id, CancellationToken ct = default)
    {
        var snapshot = await LoadAsync(ct);
        var path = new List<CategoryNode>();
        for (var node = snapshot.ById.GetValueOrDefault(id); node is not null; node = node.ParentId is { } p ? snapshot.ById.GetValueOrDefault(p) : null)
            path.Insert(0, node);
        return path;
    }

    public void Invalidate() => cache.Remove(CacheKey);

    private async Task<Snapshot> LoadAsync(CancellationToken ct) =>
        (await cache.GetOrCreateAsync(CacheKey, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Freshness;
            await using var db = await contexts.CreateDbContextAsync(ct);
            var rows = await db.Categories.AsNoTracking().Where(c => c.IsActive).OrderBy(c => c.SortOrder).ThenBy(c => c.Name)
                .Select(c => new { c.Id, c.Name, c.Slug, c.ParentId }).ToListAsync(ct);
            var byParent = rows.ToLookup(r => r.ParentId);
            CategoryNode Build(int id, string name, string slug, int? parent) =>
                new(id, name, slug, parent, byParent[id].Select(c => Build(c.Id, c.Name, c.Slug, c.ParentId)).ToList());
            var roots = byParent[null].Select(r => Build(r.Id, r.Name, r.Slug, null)).ToList();
            var all = new Dictionary<int, CategoryNode>();
            var stack = new Stack<CategoryNode>(roots);
            while (stack.TryPop(out var n))
            {
                all[n.Id] = n;
                foreach (var child in n.Children) stack.Push(child);
            }
            return new Snapshot(roots, all, all.Values.ToDictionary(n => n.Slug, StringComparer.OrdinalIgnoreCase));
        }))!;
}
