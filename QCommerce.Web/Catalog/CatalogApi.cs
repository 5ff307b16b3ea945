using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Catalog;
using QCommerce.Core.Common;
using QCommerce.Core.Inventory;
using QCommerce.Web.Common;

namespace QCommerce.Web.Catalog;

public sealed record CategoryDto(CategoryId Id, string Name, string Slug, IReadOnlyList<CategoryDto> Children)
{
    public static CategoryDto From(CategoryNode n) => new(CategoryId.Of(n.Id), n.Name, n.Slug, n.Children.Select(From).ToList());
}

public sealed record AvailabilityDto(bool InStock, int AvailableQty, bool LowStock, string Label)
{
    public static AvailabilityDto? From(Availability? a) => a is { } v ? new(v.InStock, v.AvailableQty, v.IsLow, v.Label) : null;
}

public sealed record ImageDto(string Url, string Alt);

/// <summary>A product offered by the search box: open it at <c>/p/{slug}</c>.</summary>
public sealed record ProductSuggestionDto(ProductId Id, string Slug, string Title, string Brand);

public sealed record ProductSummaryDto(
    ProductId Id, string Slug, string Title, string Brand, ImageDto? Image, SkuId SkuId, string Size, int SkuCount,
    MoneyDto? Price, AvailabilityDto? Availability);

public sealed record SkuDto(SkuId Id, string Code, string Barcode, string Unit, decimal Size, string SizeLabel, MoneyDto? Price, AvailabilityDto? Availability);

public sealed record ProductDetailDto(
    ProductId Id, string Slug, string Title, string Brand, string Description, IReadOnlyList<CategoryRefDto> Categories,
    IReadOnlyList<ImageDto> Images, IReadOnlyDictionary<string, string> Attributes, IReadOnlyList<SkuDto> Skus, StoreId? StoreId);

public sealed record CategoryRefDto(CategoryId Id, string Name, string Slug);

public sealed record AvailabilityBatchRequest(string? StoreId, List<string?>? SkuIds);

public sealed record SkuAvailabilityDto(SkuId SkuId, bool InStock, int AvailableQty, bool LowStock, string Label);

public sealed record AvailabilityBatchResponse(IReadOnlyList<SkuAvailabilityDto> Items);

public static class CatalogApi
{
    private static readonly Dictionary<string, ProductSort> Sorts = new(StringComparer.OrdinalIgnoreCase)
    {
        ["relevance"] = ProductSort.Relevance,
        ["name"] = ProductSort.Name,
        ["price_asc"] = ProductSort.PriceAsc,
        ["price_desc"] = ProductSort.PriceDesc,
    };

    public static RouteGroupBuilder MapCatalogApi(this RouteGroupBuilder v1)
    {
        v1.MapGet("/categories", async (CategoryTree tree, CancellationToken ct) =>
                TypedResults.Ok((await tree.RootsAsync(ct)).Select(CategoryDto.From).ToList()))
            .WithTags("Catalog").WithSummary("The category tree.");

        var products = v1.MapGroup("/products").WithTags("Catalog");

        products.MapGet("/", async Task<Results<Ok<PageDto<ProductSummaryDto>>, ValidationProblem>> (string? query, string? categoryId, string? storeId, string? page, string? pageSize, string? sort,
            CatalogQueries catalog, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            var pageNumber = errors.Int("page", page, 1, 1, 1_000_000);
            var size = errors.Int("pageSize", pageSize, 24, 1, Paging.MaxPageSize);
            var category = errors.QueryId<CategoryId>("categoryId", categoryId);
            var store = errors.QueryId<StoreId>("storeId", storeId);
            ProductSort? order = null;
            if (!string.IsNullOrEmpty(sort))
            {
                if (Sorts.TryGetValue(sort, out var s)) order = s;
                else errors.Add("sort", $"'{TextRules.Excerpt(sort)}' is not a sort; use one of {string.Join(", ", Sorts.Keys)}.");
            }
            if (query is { Length: > 200 }) errors.Add("query", "A search is at most 200 characters.");
            if (errors.Any) return errors.ToProblem();
            // An unknown store or category is a NotFoundException from the query: a 404 problem.

            var result = await catalog.SearchAsync(new ProductQuery(query, category, store, pageNumber, size, order), ct);
            return TypedResults.Ok(new PageDto<ProductSummaryDto>(result.Items.Select(ToDto).ToList(), result.PageNumber, result.PageSize, result.Total));
        })
        .WithSummary("Search and browse products, with price and availability for a store.")
        .ProducesProblem(404);

        products.MapGet("/suggest", async Task<Results<Ok<List<ProductSuggestionDto>>, ValidationProblem>> (string? query, CatalogQueries catalog, CancellationToken ct) =>
        {
            if (query is { Length: > 200 })
            {
                var errors = new ProblemList();
                errors.Add("query", "A search is at most 200 characters.");
                return errors.ToProblem();
            }
            var suggestions = await catalog.SuggestAsync(query, ct);
            return TypedResults.Ok(suggestions.Select(s => new ProductSuggestionDto(ProductId.Of(s.ProductId), s.Slug, s.Title, s.Brand)).ToList());
        })
        .WithSummary("Up to 8 products for a search box while the shopper types (typos forgiven); empty under two letters.");

        products.MapGet("/{productId:product}", async Task<Results<Ok<ProductDetailDto>, ValidationProblem, ProblemHttpResult>> (ProductId productId, string? storeId, CatalogQueries catalog, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            var store = errors.QueryId<StoreId>("storeId", storeId);
            if (errors.Any) return errors.ToProblem();
            var detail = await catalog.FindProductAsync(productId.Value, store, ct);
            return detail is null
                ? TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Product '{productId}' was not found.")
                : TypedResults.Ok(ToDto(detail));
        })
        .WithSummary("One product: its SKUs with price and availability for a store.")
        .ProducesProblem(404);

        v1.MapPost("/availability:batch", async Task<IResult> ([FromBody] AvailabilityBatchRequest? request, CatalogQueries catalog, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            if (request is null) { errors.Add("body", "Send {\"storeId\": \"st_1\", \"skuIds\": [\"sku_1\"]}."); return errors.ToProblem(); }
            var store = errors.RequiredId<StoreId>("storeId", request.StoreId);
            var skuIds = new List<int>();
            if (request.SkuIds is null or { Count: 0 }) errors.Add("skuIds", "Name at least one SKU.");
            else if (request.SkuIds.Count > CatalogQueries.MaxBatchSkus) errors.Add("skuIds", $"Ask for at most {CatalogQueries.MaxBatchSkus} SKUs at once.");
            else
                for (var i = 0; i < request.SkuIds.Count; i++)
                    if (errors.RequiredId<SkuId>($"skuIds[{i}]", request.SkuIds[i]) is { } skuId) skuIds.Add(skuId);
            if (errors.Any) return errors.ToProblem();

            var items = await catalog.AvailabilityAsync(store!.Value, skuIds, ct);
            return TypedResults.Ok(new AvailabilityBatchResponse(items.Select(i => new SkuAvailabilityDto(SkuId.Of(i.SkuId), i.InStock, i.AvailableQty, i.Low, i.Label)).ToList()));
        })
        .WithTags("Catalog").WithName("AvailabilityBatch")
        .WithSummary("Stock of up to 100 SKUs in one store.")
        .Accepts<AvailabilityBatchRequest>("application/json")
        .Produces<AvailabilityBatchResponse>().ProducesValidationProblem().ProducesProblem(404);

        return v1;
    }

    private static ProductSummaryDto ToDto(ProductCard c) => new(
        ProductId.Of(c.ProductId), c.Slug, c.Title, c.Brand,
        c.Image is { } i ? new ImageDto(i.Url, i.AltText) : null,
        SkuId.Of(c.SkuId), c.SizeLabel, c.SkuCount, MoneyDto.From(c.Price), AvailabilityDto.From(c.Availability));

    private static ProductDetailDto ToDto(ProductDetail d) => new(
        ProductId.Of(d.ProductId), d.Slug, d.Title, d.Brand, d.Description,
        d.CategoryPath.Select(c => new CategoryRefDto(CategoryId.Of(c.Id), c.Name, c.Slug)).ToList(),
        d.Images.Select(i => new ImageDto(i.Url, i.AltText)).ToList(),
        d.Attributes.GroupBy(a => a.Name).ToDictionary(g => g.Key, g => string.Join(", ", g.Select(a => a.Value))),
        d.Skus.Select(s => new SkuDto(SkuId.Of(s.SkuId), s.Code, s.Barcode, s.Unit.ToString().ToLowerInvariant(), s.Size, s.SizeLabel,
            MoneyDto.From(s.Price), AvailabilityDto.From(s.Availability))).ToList(),
        d.Store is { } store ? StoreId.Of(store.Id) : null);
}
