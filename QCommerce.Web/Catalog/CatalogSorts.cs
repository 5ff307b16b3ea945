using QCommerce.Core.Catalog;

namespace QCommerce.Web.Catalog;

/// <summary>The sort choices shown on category and search pages, and how the query string names them.</summary>
public static class CatalogSorts
{
    public static readonly IReadOnlyList<(string Value, string Label)> Browse =
        [("name", "Name A–Z"), ("price_asc", "Price: low to high"), ("price_desc", "Price: high to low")];

    public static readonly IReadOnlyList<(string Value, string Label)> Search = [("relevance", "Best match"), .. Browse];

    public static ProductSort? Parse(string? value) => value switch
    {
        "relevance" => ProductSort.Relevance,
        "name" => ProductSort.Name,
        "price_asc" => ProductSort.PriceAsc,
        "price_desc" => ProductSort.PriceDesc,
        _ => null,
    };

    /// <summary>Page numbers come from links people edit: anything odd is page 1.</summary>
    public static int PageNumber(int? page) => page is > 0 and < 100_000 ? page.Value : 1;

    public const int PageSize = 24;
}
