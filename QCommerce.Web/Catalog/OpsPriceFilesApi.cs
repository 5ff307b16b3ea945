using QCommerce.Core.Catalog;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Catalog;

/// <summary><c>/v1/ops/imports/prices</c> and <c>/v1/ops/exports/prices</c>: price lists as CSV (the rules every import follows are <see cref="CsvFiles"/>'s).</summary>
public static class OpsPriceFilesApi
{
    public static RouteGroupBuilder MapOpsPriceFilesApi(this RouteGroupBuilder ops)
    {
        var imports = ops.MapGroup("/imports").WithTags("Ops: imports and exports");
        // Catalog, prices, categories and coupons are every store's: only an admin (who alone sees every store) changes them.
        var importsChanges = imports.MapGroup("").RequireAuthorization(Roles.Admin);

        importsChanges.MapPost("/prices", async Task<IResult> (HttpRequest request, HttpContext http,
            PriceImport import, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            CsvFiles.RefuseUnknownParameters(request, problems, "dryRun");
            var dryRun = CsvFiles.DryRun(request, problems);
            if (problems.Any) return problems.ToProblem();
            var (csv, unreadable) = await CsvFiles.ReadCsvAsync(request, ct);
            if (unreadable is not null) return unreadable;
            var staff = await http.StaffAsync(ct);
            var report = dryRun ? await import.PreviewAsync(staff, csv!, ct) : await import.ApplyAsync(staff, csv!, ct);
            return CsvFiles.Answer(report, dryRun);
        })
        .WithSummary("Imports a price list: sku,region,amount,currency,effectiveFrom,effectiveTo (amount in minor units; empty effectiveFrom is now). ?dryRun=true previews it.")
        .WithDryRunParameter()
        .Accepts<string>("text/csv").Produces<OpsImportDto>().ProducesValidationProblem().ProducesProblem(403).ProducesProblem(413).ProducesProblem(415).ProducesValidationProblem(422);

        var exports = ops.MapGroup("/exports").WithTags("Ops: imports and exports");

        exports.MapGet("/prices", async (PriceImport import, CancellationToken ct) =>
            CsvFiles.Csv(await import.ExportAsync(ct), "prices"))
            .WithSummary("The prices in force and scheduled, in the import's columns.").Produces<string>(200, "text/csv");

        return ops;
    }
}
