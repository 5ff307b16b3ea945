using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Catalog;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Catalog;

public sealed record OpsSkuRequest(string? Barcode, string? Unit, decimal? Size);

public sealed record OpsAttributeRequest(string? Name, string? Value);

public sealed record OpsProductRequest(string? Title, string? Brand, string? Description, string? CategoryId, bool? Active, bool? Featured,
    List<OpsAttributeRequest?>? Attributes, List<OpsSkuRequest?>? Skus);

public sealed record OpsSkuDto(SkuId SkuId, string Code, string Barcode, string Unit, decimal Size, string SizeLabel);

public sealed record OpsImageDto(string Url, string AltText);

public sealed record OpsProductDto(ProductId ProductId, string Slug, string Title, string Brand, string Description, CategoryId CategoryId, string Category,
    bool Active, bool Featured, IReadOnlyList<ProductAttribute> Attributes, IReadOnlyList<OpsImageDto> Images, IReadOnlyList<OpsSkuDto> Skus)
{
    public static OpsProductDto From(OpsProduct p) => new(ProductId.Of(p.Id), p.Slug, p.Title, p.Brand, p.Description, CategoryId.Of(p.CategoryId), p.CategoryName,
        p.IsActive, p.IsFeatured, p.Attributes, p.Images.Select(i => new OpsImageDto(i.Url, i.AltText)).ToList(),
        p.Skus.Select(s => new OpsSkuDto(SkuId.Of(s.Id), s.Code, s.Barcode, WireNames.Of(s.Unit), s.Size, s.SizeLabel)).ToList());
}

public sealed record OpsProductRowDto(ProductId ProductId, string Title, string Brand, string Category, bool Active, bool Featured, int SkuCount, string? ImageUrl);

/// <summary>A page of products: by cursor (id order, <see cref="NextCursor"/>), or by page number in title order with the <see cref="Total"/>, as the portal's grid reads them.</summary>
public sealed record OpsProductListDto(IReadOnlyList<OpsProductRowDto> Items, string? NextCursor, int? Page = null, int? Total = null);

public sealed record OpsCategoryDto(CategoryId CategoryId, string Name, string Slug, bool Active, int SortOrder, int Products, IReadOnlyList<OpsCategoryDto> Children)
{
    public static OpsCategoryDto From(OpsCategoryNode n) => new(CategoryId.Of(n.Id), n.Name, n.Slug, n.IsActive, n.SortOrder, n.ProductCount,
        n.Children.Select(From).ToList());
}

public sealed record OpsCategoryRequest(string? Name, string? ParentId, int? SortOrder, bool? Active);

/// <summary>
/// <c>/v1/ops/products</c> and <c>/v1/ops/categories</c>: the catalog for integrations, on the same Core use cases as the portal.
/// Reading is for all staff; changing is for staff not limited to some stores (403 otherwise). Bad input names its fields
/// (422); a picture that is not a real PNG, JPEG or WebP is 415, one too large or unreadable 422.
/// </summary>
public static class OpsCatalogApi
{
    public static RouteGroupBuilder MapOpsCatalogApi(this RouteGroupBuilder ops)
    {
        var products = ops.MapGroup("/products").WithTags("Ops: catalog");
        // Catalog, prices, categories and coupons are every store's: only an admin (who alone sees every store) changes them.
        var productsChanges = products.MapGroup("").RequireAuthorization(Roles.Admin);

        products.MapGet("/", async Task<Results<Ok<OpsProductListDto>, ValidationProblem>> (string? query, string? categoryId, bool? active, string? cursor,
            string? page, string? pageSize, OpsProductQueries queries, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var category = problems.Id<CategoryId>("categoryId", categoryId);
            var size = problems.Int("pageSize", pageSize, 50, 1, OpsProductQueries.MaxPageSize);
            var number = page is null ? (int?)null : problems.Int("page", page, 1, 1, 100_000);
            if (query is { Length: > 100 }) problems.Add("query", "A search is at most 100 characters.");
            if (number is not null && cursor is not null) problems.Add("page", "Page by cursor or by page number, not both.");
            if (problems.Any) return problems.ToProblem();
            var filter = new OpsProductFilter(query, category, active);
            static OpsProductRowDto Row(OpsProductRow r) => new(ProductId.Of(r.Id), r.Title, r.Brand, r.CategoryName, r.IsActive, r.IsFeatured, r.SkuCount, r.ImageUrl);
            if (number is { } n)
            {
                var byTitle = await queries.ListAsync(filter, n, size, ct);
                return TypedResults.Ok(new OpsProductListDto(byTitle.Items.Select(Row).ToList(), null, byTitle.PageNumber, byTitle.Total));
            }
            var (items, next) = await queries.ListAfterAsync(filter, cursor, size, ct);
            return TypedResults.Ok(new OpsProductListDto(items.Select(Row).ToList(), next));
        })
        .WithSummary("Products in id order (keyset pages: pass nextCursor back as cursor), or ?page=n in title order with the total, as the portal's grid; query matches title, brand, SKU code or barcode.");

        productsChanges.MapPost("/", async Task<Results<Created<OpsProductDto>, ValidationProblem>> ([FromBody] OpsProductRequest? body, HttpContext http, ProductEditor editor,
            OpsProductQueries queries, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var draft = Draft(body, problems, withSkus: true);
            if (problems.Any) return problems.ToProblem();
            var id = await editor.CreateAsync(await http.StaffAsync(ct), draft!, ct);
            return TypedResults.Created($"/v1/ops/products/{ProductId.Of(id)}", OpsProductDto.From((await queries.FindAsync(id, ct))!));
        })
        .WithSummary("Creates a product with its SKUs: {title, brand, description, categoryId, active, featured, attributes, skus: [{barcode, unit, size}]}.")
        .Accepts<OpsProductRequest>("application/json").ProducesProblem(403).ProducesValidationProblem(422);

        products.MapGet("/{productId:product}", async Task<Results<Ok<OpsProductDto>, ProblemHttpResult>> (ProductId productId, OpsProductQueries queries, CancellationToken ct) =>
            await queries.FindAsync(productId.Value, ct) is { } product
                ? TypedResults.Ok(OpsProductDto.From(product))
                : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Product '{productId}' was not found."))
        .WithSummary("One product with its SKUs, pictures and attributes, active or not.");

        productsChanges.MapPut("/{productId:product}", async Task<Results<Ok<OpsProductDto>, ValidationProblem>> ([FromBody] OpsProductRequest? body, ProductId productId,
            HttpContext http, ProductEditor editor, OpsProductQueries queries, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var draft = Draft(body, problems, withSkus: false);
            if (body?.Skus is not null) problems.Add("skus", "A product's SKUs are not replaced here: add one with POST /v1/ops/products/{productId}/skus.");
            if (problems.Any) return problems.ToProblem();
            await editor.UpdateAsync(await http.StaffAsync(ct), productId.Value, draft!, ct);
            return TypedResults.Ok(OpsProductDto.From((await queries.FindAsync(productId.Value, ct))!));
        })
        .WithSummary("Replaces the product's title, brand, description, category, attributes and flags; active:false takes it off the storefront at once.")
        .Accepts<OpsProductRequest>("application/json").ProducesProblem(403).ProducesProblem(404).ProducesValidationProblem(422);

        productsChanges.MapPost("/{productId:product}/skus", async Task<Results<Created<OpsSkuDto>, ValidationProblem>> ([FromBody] OpsSkuRequest? body,
            ProductId productId, HttpContext http, ProductEditor editor, OpsProductQueries queries, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            if (body is null) problems.Add("body", "Send {barcode, unit, size}.");
            var draft = SkuDraftOf(body, problems, "");
            if (problems.Any) return problems.ToProblem();
            var skuId = await editor.AddSkuAsync(await http.StaffAsync(ct), productId.Value, draft, ct);
            var sku = (await queries.FindAsync(productId.Value, ct))!.Skus.Single(s => s.Id == skuId);
            return TypedResults.Created($"/v1/ops/products/{productId}", new OpsSkuDto(SkuId.Of(sku.Id), sku.Code, sku.Barcode, WireNames.Of(sku.Unit), sku.Size, sku.SizeLabel));
        })
        .WithSummary("Adds a SKU (a size) to the product; its barcode must be a valid GTIN no other SKU has.")
        .Accepts<OpsSkuRequest>("application/json").ProducesProblem(403).ProducesProblem(404).ProducesValidationProblem(422);

        productsChanges.MapPost("/{productId:product}/images", async Task<IResult> (ProductId productId, HttpRequest request, HttpContext http, ProductGallery gallery, CancellationToken ct) =>
        {
            if (!request.HasFormContentType)
                return TypedResults.Problem(statusCode: 415, title: "Unsupported media type", detail: "Send the picture as multipart/form-data, in a field named file.");
            var form = await request.ReadFormOrRejectAsync(ct);
            var file = form.Files.GetFile("file") ?? form.Files.FirstOrDefault();
            if (file is null) return new ProblemList().Also("file", "Send the picture in a field named file.").ToProblem();
            if (file.Length > ProductPictures.MaxBytes)
                return TypedResults.Problem(new HttpValidationProblemDetails(new Dictionary<string, string[]> { ["file"] = [$"A picture is at most {ProductPictures.MaxBytes / (1024 * 1024)} MB."] })
                    { Status = 422, Title = "The picture cannot be used" });
            using var buffer = new MemoryStream((int)file.Length);
            await file.CopyToAsync(buffer, ct);
            var url = await gallery.AddImageAsync(await http.StaffAsync(ct), productId.Value, buffer.ToArray(), form["altText"].FirstOrDefault(), ct);
            return TypedResults.Created(url, new OpsImageDto(url, form["altText"].FirstOrDefault() ?? ""));
        })
        .DisableAntiforgery()
        .WithSummary("Uploads a picture (multipart, field file; optional altText): PNG, JPEG or WebP by content, at most 5 MB, resized and re-encoded; 415 for anything else.")
        .Accepts<IFormFile>("multipart/form-data").Produces<OpsImageDto>(201).ProducesProblem(403).ProducesProblem(415).ProducesValidationProblem(422);

        var categories = ops.MapGroup("/categories").WithTags("Ops: catalog");
        // Catalog, prices, categories and coupons are every store's: only an admin (who alone sees every store) changes them.
        var categoriesChanges = categories.MapGroup("").RequireAuthorization(Roles.Admin);

        categories.MapGet("/", async (CategoryService service, CancellationToken ct) =>
            TypedResults.Ok((await service.TreeAsync(ct)).Select(OpsCategoryDto.From).ToList()))
            .WithSummary("The whole category tree, inactive categories included, with each one's product count.");

        categoriesChanges.MapPost("/", async Task<Results<Created<OpsCategoryDto>, ValidationProblem>> ([FromBody] OpsCategoryRequest? body, HttpContext http, CategoryService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var parent = problems.Id<CategoryId>("parentId", body?.ParentId);
            if (problems.Any) return problems.ToProblem();
            var id = await service.CreateAsync(await http.StaffAsync(ct), body?.Name, parent, ct);
            var node = Flatten(await service.TreeAsync(ct)).First(n => n.Id == id);
            return TypedResults.Created($"/v1/ops/categories/{CategoryId.Of(id)}", OpsCategoryDto.From(node));
        })
        .WithSummary("Creates a category {name, parentId?} at the end of its siblings.").Accepts<OpsCategoryRequest>("application/json").ProducesValidationProblem(422);

        categoriesChanges.MapPut("/{categoryId:category}", async Task<Results<Ok<OpsCategoryDto>, ValidationProblem>> ([FromBody] OpsCategoryRequest? body,
            CategoryId categoryId, HttpContext http, CategoryService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            int? parent = body?.ParentId switch
            {
                null => null,
                "" or "root" => 0,
                var raw => problems.Id<CategoryId>("parentId", raw),
            };
            if (problems.Any) return problems.ToProblem();
            await service.ChangeAsync(await http.StaffAsync(ct), categoryId.Value, new CategoryChange(body?.Name, parent, body?.SortOrder, body?.Active), ct);
            return TypedResults.Ok(OpsCategoryDto.From(Flatten(await service.TreeAsync(ct)).First(n => n.Id == categoryId.Value)));
        })
        .WithSummary("Renames, moves (parentId; \"root\" for the top level), reorders (sortOrder among siblings) or (de)activates a category; fields left out stay.")
        .Accepts<OpsCategoryRequest>("application/json").ProducesProblem(404).ProducesValidationProblem(422);

        categoriesChanges.MapDelete("/{categoryId:category}", async Task<NoContent> (CategoryId categoryId, HttpContext http,
            CategoryService service, CancellationToken ct) =>
        {
            await service.DeleteAsync(await http.StaffAsync(ct), categoryId.Value, ct);
            return TypedResults.NoContent();
        })
        .WithSummary("Deletes an empty category; 409 while it holds products or subcategories.").ProducesProblem(404).ProducesProblem(409);

        return ops;
    }

    internal static IEnumerable<OpsCategoryNode> Flatten(IEnumerable<OpsCategoryNode> nodes) => nodes.SelectMany(n => new[] { n }.Concat(Flatten(n.Children)));

    private static ProblemList Also(this ProblemList problems, string field, string message)
    {
        problems.Add(field, message);
        return problems;
    }

    private static ProductDraft? Draft(OpsProductRequest? body, ProblemList problems, bool withSkus)
    {
        if (body is null)
        {
            problems.Add("body", "Send {title, brand, description, categoryId, active, featured, attributes, skus}.");
            return null;
        }
        var category = problems.RequiredId<CategoryId>("categoryId", body.CategoryId);
        // A PUT (the draft without SKUs) replaces the product: a flag left out must not quietly put a withdrawn product
        // back on sale, or take a featured one off the home page.
        if (!withSkus && body.Active is null) problems.Add("active", "Say whether the product is on sale: active true or false (a PUT replaces the whole product).");
        if (!withSkus && body.Featured is null) problems.Add("featured", "Say whether the product is featured: featured true or false (a PUT replaces the whole product).");
        var attributes = new List<ProductAttribute>();
        for (var i = 0; i < (body.Attributes?.Count ?? 0); i++)
        {
            if (body.Attributes![i] is not { } a) { problems.Add($"attributes[{i}]", "An attribute cannot be null."); continue; }
            attributes.Add(new ProductAttribute(a.Name ?? "", a.Value ?? ""));
        }
        var skus = new List<SkuDraft>();
        if (withSkus)
            for (var i = 0; i < (body.Skus?.Count ?? 0); i++)
            {
                if (body.Skus![i] is null) { problems.Add($"skus[{i}]", "A SKU cannot be null."); continue; }
                skus.Add(SkuDraftOf(body.Skus[i], problems, $"skus[{i}]."));
            }
        return new ProductDraft(body.Title, body.Brand, body.Description, category, body.Active ?? true, body.Featured ?? false, attributes, skus);
    }

    private static SkuDraft SkuDraftOf(OpsSkuRequest? body, ProblemList problems, string prefix)
    {
        SkuUnit? unit = null;
        if (body?.Unit is { } raw)
        {
            if (Enum.TryParse<SkuUnit>(raw, ignoreCase: true, out var u) && Enum.IsDefined(u) && !char.IsAsciiDigit(raw[0])) unit = u;
            else problems.Add($"{prefix}unit", $"'{TextRules.Excerpt(raw)}' is not a unit; use piece, pack, gram, kilogram, millilitre or litre.");
        }
        return new SkuDraft(body?.Barcode, unit, body?.Size);
    }
}
