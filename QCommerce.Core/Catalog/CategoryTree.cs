using System.Collections.Frozen;

namespace QCommerce.Core.Catalog;

public sealed record CategoryNode(int Id, string Name, string Slug, int? ParentId, IReadOnlyList<CategoryNode> Children)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Category, Id);
}

/// <summary>
/// The category tree shoppers see, from the catalog snapshot: every page's navigation and every category filter reads
/// it. Only active categories are in it (and so nothing below an inactive one); ops read the whole tree from
/// <see cref="CategoryService"/>.
/// </summary>
public sealed class CategoryTree(CatalogSnapshots snapshots)
{
    public async Task<IReadOnlyList<CategoryNode>> RootsAsync(CancellationToken ct = default) => (await LoadAsync(ct)).Roots;

    public async Task<CategoryNode?> FindAsync(int id, CancellationToken ct = default) =>
        (await LoadAsync(ct)).ById.GetValueOrDefault(id);

    public async Task<CategoryNode?> FindBySlugAsync(string slug, CancellationToken ct = default) =>
        (await LoadAsync(ct)).BySlug.GetValueOrDefault(slug);

    /// <summary>The category and every category below it: browsing "Drinks" shows juice too.</summary>
    public async Task<IReadOnlyList<int>> SubtreeIdsAsync(int id, CancellationToken ct = default)
    {
        var tree = await LoadAsync(ct);
        if (!tree.ById.ContainsKey(id)) throw new NotFoundException("Category", PublicId.Format(PublicId.Category, id));
        return tree.SubtreeIds(id);
    }

    /// <summary>The path from the root down to the category, for breadcrumbs.</summary>
    public async Task<IReadOnlyList<CategoryNode>> PathAsync(int id, CancellationToken ct = default) => (await LoadAsync(ct)).Path(id);

    private async Task<CategoryTreeSnapshot> LoadAsync(CancellationToken ct) => (await snapshots.GetAsync(ct)).Categories;
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
