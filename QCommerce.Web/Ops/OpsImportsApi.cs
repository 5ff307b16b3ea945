using System.Security.Claims;
using System.Text;
using Microsoft.AspNetCore.Http.HttpResults;
using QCommerce.Core.Catalog;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Core.Inventory;
using QCommerce.Web.Common;

namespace QCommerce.Web.Ops;

public sealed record OpsImportDto(int Rows, int Changes, int Unchanged, bool DryRun, bool Applied);

/// <summary>
/// <c>/v1/ops/imports</c> and <c>/v1/ops/exports</c>: price lists and stock counts as CSV. An import's body is the file
/// (<c>text/csv</c>, UTF-8, at most 10 MB); <c>dryRun=true</c> previews; any bad row answers 422 with <c>errors</c> keyed by row
/// and column (<c>rows[3].amount</c>) and nothing applied; otherwise every row is applied in one transaction. An export is
/// the same columns, so an edited export imports back.
/// </summary>
public static class OpsImportsApi
{
    private const int MaxFileBytes = CsvImport.MaxBytes;

    public static RouteGroupBuilder MapOpsImportsApi(this RouteGroupBuilder ops)
    {
        var imports = ops.MapGroup("/imports").WithTags("Ops: imports and exports");

        imports.MapPost("/prices", async Task<IResult> (HttpRequest request, ClaimsPrincipal user, StaffDirectory directory,
            PriceImport import, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            RefuseUnknownParameters(request, problems, "dryRun");
            var dryRun = DryRun(request, problems);
            if (problems.Any) return problems.ToProblem();
            var (csv, unreadable) = await ReadCsvAsync(request, ct);
            if (unreadable is not null) return unreadable;
            var staff = await directory.RequireAsync(user, ct);
            var report = dryRun ? await import.PreviewAsync(staff, csv!, ct) : await import.ApplyAsync(staff, csv!, ct);
            return Answer(report, dryRun);
        })
        .WithSummary("Imports a price list: sku,region,amount,currency,effectiveFrom,effectiveTo (amount in minor units; empty effectiveFrom is now). ?dryRun=true previews it.")
        .WithDryRunParameter()
        .Accepts<string>("text/csv").Produces<OpsImportDto>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(413).ProducesProblem(415).ProducesValidationProblem(422);

        imports.MapPost("/stock", async Task<IResult> (string? storeId, HttpRequest request, ClaimsPrincipal user, StaffDirectory directory,
            StockCountImport import, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var store = problems.Id<StoreId>("storeId", storeId);
            RefuseUnknownParameters(request, problems, "storeId", "dryRun");
            var dryRun = DryRun(request, problems);
            if (problems.Any) return problems.ToProblem();
            var (csv, unreadable) = await ReadCsvAsync(request, ct);
            if (unreadable is not null) return unreadable;
            var staff = await directory.RequireAsync(user, ct);
            var report = dryRun ? await import.PreviewAsync(staff, csv!, store, ct) : await import.ApplyAsync(staff, csv!, store, ct);
            return Answer(report, dryRun);
        })
        .WithSummary("Imports shelf counts: store,sku,counted[,note]; each difference to the books becomes a count-correction movement. storeId binds every row to one store; ?dryRun=true previews.")
        .WithDryRunParameter()
        .Accepts<string>("text/csv").Produces<OpsImportDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(413).ProducesProblem(415).ProducesValidationProblem(422);

        var exports = ops.MapGroup("/exports").WithTags("Ops: imports and exports");

        exports.MapGet("/prices", async (PriceImport import, CancellationToken ct) =>
            Csv(await import.ExportAsync(ct), "prices"))
            .WithSummary("The prices in force and scheduled, in the import's columns.").Produces<string>(200, "text/csv");

        exports.MapGet("/stock", async Task<IResult> (string? storeId, ClaimsPrincipal user, StaffDirectory directory, StockCountImport import, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var store = problems.Id<StoreId>("storeId", storeId);
            if (problems.Any) return problems.ToProblem();
            return Csv(await import.ExportAsync(await directory.RequireAsync(user, ct), store, ct), store is { } s ? $"stock-{PublicId.Format(PublicId.Store, s)}" : "stock");
        })
        .WithSummary("Your stores' stock (or one store's) as a count sheet: store,sku,counted and columns to read by.").Produces<string>(200, "text/csv");

        return ops;
    }

    /// <summary>
    /// A parameter an import does not know is refused, not ignored: <c>?dry-run=true</c> would otherwise apply the file
    /// its sender meant to preview.
    /// </summary>
    private static void RefuseUnknownParameters(HttpRequest request, ProblemList problems, params string[] known)
    {
        foreach (var name in request.Query.Keys)
            if (!known.Contains(name, StringComparer.OrdinalIgnoreCase))
                problems.Add(name, $"{name} is not a parameter of this import; dryRun=true previews it.");
    }

    /// <summary>
    /// ?dryRun=true previews, false or none applies; any other value, an empty one too, is refused, so a preview is never
    /// applied by mistake. Read from the query, not bound: the compile-time request delegates (RequestDelegateGenerator)
    /// bind an empty <c>?dryRun=</c> as no value at all, which would apply the file.
    /// </summary>
    private static bool DryRun(HttpRequest request, ProblemList problems)
    {
        if (!request.Query.TryGetValue("dryRun", out var values)) return false;
        if (values.Count == 1 && bool.TryParse(values[0], out var dryRun)) return dryRun;
        problems.Add("dryRun", "dryRun is true (a preview: nothing is applied) or false.");
        return true;
    }

    /// <summary>dryRun is read by hand (above), so the API reference is told of it here.</summary>
    private static RouteHandlerBuilder WithDryRunParameter(this RouteHandlerBuilder endpoint) =>
        endpoint.AddOpenApiOperationTransformer((operation, _, _) =>
        {
            operation.Parameters ??= [];
            operation.Parameters.Add(new Microsoft.OpenApi.OpenApiParameter
            {
                Name = "dryRun",
                In = Microsoft.OpenApi.ParameterLocation.Query,
                Description = "true previews the file (nothing is applied); false or none applies it.",
                Schema = new Microsoft.OpenApi.OpenApiSchema { Type = Microsoft.OpenApi.JsonSchemaType.Boolean },
            });
            return Task.CompletedTask;
        });

    private static IResult Answer(ImportReport report, bool dryRun) =>
        report.HasProblems
            ? TypedResults.Problem(new HttpValidationProblemDetails(report.ProblemsByKey())
            {
                Status = StatusCodes.Status422UnprocessableEntity,
                Title = $"{report.Problems.Count} problem(s) in the file; nothing was applied",
                Detail = "Fix the rows named in errors (rows[n] is the file's row n, the header being row 1) and send the file again.",
            })
            : TypedResults.Ok(new OpsImportDto(report.Rows, report.Changes, report.Unchanged, dryRun, report.Applied));

    private static IResult Csv(string text, string name) =>
        Results.File(Encoding.UTF8.GetBytes(text), "text/csv; charset=utf-8", $"{name}-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv");

    /// <summary>The body as text: 415 unless it says CSV (or plain text), 413 above the limit, 400 when it is not UTF-8.</summary>
    internal static async Task<(string? Csv, IResult? Problem)> ReadCsvAsync(HttpRequest request, CancellationToken ct)
    {
        var type = request.ContentType?.Split(';')[0].Trim().ToLowerInvariant();
        if (type is not ("text/csv" or "text/plain" or "application/csv"))
            return (null, TypedResults.Problem(statusCode: 415, title: "Unsupported media type", detail: "Send the file as the body with Content-Type: text/csv."));
        if (request.ContentLength > MaxFileBytes) return (null, TooBig());
        using var buffer = new MemoryStream();
        var chunk = new byte[81920];
        int read;
        while ((read = await request.Body.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > MaxFileBytes) return (null, TooBig());
            buffer.Write(chunk, 0, read);
        }
        try
        {
            return (new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(buffer.GetBuffer(), 0, (int)buffer.Length), null);
        }
        catch (DecoderFallbackException)
        {
            return (null, TypedResults.Problem(statusCode: 400, title: "Not UTF-8", detail: "Save the file as CSV UTF-8 and send it again."));
        }
    }

    private static IResult TooBig() =>
        TypedResults.Problem(statusCode: 413, title: "File too large", detail: $"A file is at most {MaxFileBytes / (1024 * 1024)} MB; split it.");
}
