using QCommerce.Core.Common;
using QCommerce.Core.Inventory;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Inventory;

/// <summary><c>/v1/ops/imports/stock</c> and <c>/v1/ops/exports/stock</c>: shelf counts as CSV (the rules every import follows are <see cref="CsvFiles"/>'s).</summary>
public static class OpsStockFilesApi
{
    public static RouteGroupBuilder MapOpsStockFilesApi(this RouteGroupBuilder ops)
    {
        var imports = ops.MapGroup("/imports").WithTags("Ops: imports and exports");

        imports.MapPost("/stock", async Task<IResult> (string? storeId, HttpRequest request, HttpContext http,
            StockCountImport import, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var store = problems.Id<StoreId>("storeId", storeId);
            CsvFiles.RefuseUnknownParameters(request, problems, "storeId", "dryRun");
            var dryRun = CsvFiles.DryRun(request, problems);
            if (problems.Any) return problems.ToProblem();
            var (csv, unreadable) = await CsvFiles.ReadCsvAsync(request, ct);
            if (unreadable is not null) return unreadable;
            var staff = await http.StaffAsync(ct);
            var report = dryRun ? await import.PreviewAsync(staff, csv!, store, ct) : await import.ApplyAsync(staff, csv!, store, ct);
            return CsvFiles.Answer(report, dryRun);
        })
        .WithSummary("Imports shelf counts: store,sku,counted[,note]; each difference to the books becomes a count-correction movement. storeId binds every row to one store; ?dryRun=true previews.")
        .WithDryRunParameter()
        .Accepts<string>("text/csv").Produces<OpsImportDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(413).ProducesProblem(415).ProducesValidationProblem(422);

        var exports = ops.MapGroup("/exports").WithTags("Ops: imports and exports");

        exports.MapGet("/stock", async Task<IResult> (string? storeId, HttpContext http, StockCountImport import, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var store = problems.Id<StoreId>("storeId", storeId);
            if (problems.Any) return problems.ToProblem();
            return CsvFiles.Csv(await import.ExportAsync(await http.StaffAsync(ct), store, ct), store is { } s ? $"stock-{PublicId.Format(PublicId.Store, s)}" : "stock");
        })
        .WithSummary("Your stores' stock (or one store's) as a count sheet: store,sku,counted and columns to read by.").Produces<string>(200, "text/csv");

        return ops;
    }
}
