namespace QCommerce.Core.Catalog;

/// <summary>A node of the category tree; top-level categories have no parent.</summary>
public sealed class Category
{
    private Category() { }

    public Category(string name, string slug, int sortOrder, Category? parent = null)
    {
        Name = name;
        Slug = slug;
        SortOrder = sortOrder;
        Parent = parent;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public string Slug { get; private set; } = "";
    public int SortOrder { get; private set; }
    public int? ParentId { get; private set; }
    public Category? Parent { get; private set; }
}
