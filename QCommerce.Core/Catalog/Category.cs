namespace QCommerce.Core.Catalog;

/// <summary>A node of the category tree; top-level categories have no parent. An inactive category is not shown to shoppers.</summary>
public sealed class Category
{
    public const int MaxNameLength = 80;

    private Category() { }

    public Category(string name, string slug, int sortOrder, Category? parent = null)
    {
        Name = name;
        Slug = slug;
        SortOrder = sortOrder;
        Parent = parent;
        IsActive = true;
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public string Slug { get; private set; } = "";
    public int SortOrder { get; private set; }
    public int? ParentId { get; private set; }
    public Category? Parent { get; private set; }
    public bool IsActive { get; private set; } = true;

    public void Rename(string name) => Name = name;

    /// <summary>Under another parent (null: the top level), at a place among its siblings.</summary>
    public void MoveTo(int? parentId, int sortOrder)
    {
        if (parentId == Id && Id != 0) throw new DomainException("A category cannot be inside itself.");
        ParentId = parentId;
        Parent = null;
        SortOrder = sortOrder;
    }

    public void PlaceAt(int sortOrder) => SortOrder = sortOrder;

    public void Deactivate() => IsActive = false;

    public void Activate() => IsActive = true;
}
