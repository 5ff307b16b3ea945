using System.Globalization;
using CsvHelper;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Core.Ops;
using QCommerce.Core.Ordering;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Ops;

/// <summary>Downloads for the portal's lists, by the same filters as the page (its URL's query), streamed row by row.</summary>
public static class OpsExports
{
    public static IEndpointRouteBuilder MapOpsExports(this IEndpointRouteBuilder app)
    {
        // The staff policy asked the staff directory who this is (a locked or demoted colleague never gets here); the route reads that answer.
        app.MapGet("/ops/orders/export.csv", async (HttpContext http, string? q, string? state, string? method, string? from, string? to, string? store,
            OpsOrderQueries queries, CancellationToken ct) =>
        {
            var staff = await http.StaffAsync(ct);
            int? storeId = null;
            if (!string.IsNullOrEmpty(store))
            {
                if (!PublicId.TryParse(PublicId.Store, store, out var id) || !staff.CanSee(id)) return Results.NotFound();
                storeId = id;
            }
            var (filter, problem) = OrderGridQuery.Read(q, state, method, from, to, storeId);
            problem ??= OrderGridQuery.Check(state, method, from, to);
            if (problem is not null) return Results.BadRequest(problem);
            http.Response.ContentType = "text/csv; charset=utf-8";
            http.Response.Headers.ContentDisposition = $"attachment; filename=\"orders-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv\"";
            // Written a batch at a time into a string, then sent asynchronously: the response takes no synchronous writes,
            // and memory stays flat however many orders the filter matches.
            var batch = new List<OpsOrderRow>(500);
            await WriteAsync(http, batch, header: true, ct);
            await foreach (var row in queries.ExportAsync(staff, filter, ct))
            {
                batch.Add(row);
                if (batch.Count == 500) await WriteAsync(http, batch, header: false, ct);
            }
            await WriteAsync(http, batch, header: false, ct);
            return Results.Empty;
        }).RequireAuthorization(Roles.Ops).WithMetadata(new Microsoft.AspNetCore.Mvc.ProducesAttribute("text/csv")).ExcludeFromDescription();

        // The imports page's downloads: the same exports as /v1/ops/exports, for the portal's cookie.
        app.MapGet("/ops/exports/prices.csv", async (QCommerce.Core.Catalog.PriceImport prices, CancellationToken ct) =>
                Results.File(System.Text.Encoding.UTF8.GetBytes(await prices.ExportAsync(ct)), "text/csv; charset=utf-8", $"prices-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv"))
            .RequireAuthorization(Roles.Ops).ExcludeFromDescription();
        app.MapGet("/ops/exports/stock.csv", async (string? store, HttpContext http, QCommerce.Core.Inventory.StockCountImport stock, CancellationToken ct) =>
        {
            var staff = await http.StaffAsync(ct);
            int? storeId = null;
            if (!string.IsNullOrEmpty(store))
            {
                if (!PublicId.TryParse(PublicId.Store, store, out var id) || !staff.CanSee(id)) return Results.NotFound();
                storeId = id;
            }
            return Results.File(System.Text.Encoding.UTF8.GetBytes(await stock.ExportAsync(staff, storeId, ct)), "text/csv; charset=utf-8",
                $"stock{(store is { Length: > 0 } ? "-" + store : "")}-{DateTime.UtcNow:yyyyMMdd-HHmm}.csv");
        }).RequireAuthorization(Roles.Ops).ExcludeFromDescription();
        return app;
    }

    private static async Task WriteAsync(HttpContext http, List<OpsOrderRow> rows, bool header, CancellationToken ct)
    {
        using var text = new StringWriter(CultureInfo.InvariantCulture);
        using (var csv = CsvWriter.Create(text))
        {
            if (header)
            {
                foreach (var name in new[] { "orderId", "status", "store", "placedAtUtc", "customerEmail", "paymentMethod", "items", "total", "currency" }) csv.WriteField(name);
                csv.EndRecord();
            }
            foreach (var row in rows)
            {
                csv.WriteField(row.PublicId);
                csv.WriteField(WireNames.Of(row.Status));
                csv.WriteField(CsvImport.Defused(row.StoreName));
                csv.WriteField(row.PlacedAtUtc.ToString("O", CultureInfo.InvariantCulture));
                csv.WriteField(CsvImport.Defused(row.CustomerEmail));
                csv.WriteField(row.PaymentMethod == PaymentMethod.Card ? "card" : "cod");
                csv.WriteField(row.Items.ToString(CultureInfo.InvariantCulture));
                csv.WriteField((row.Total.MinorUnits / 100m).ToString("0.00", CultureInfo.InvariantCulture));
                csv.WriteField(row.Total.Currency);
                csv.EndRecord();
            }
            csv.Flush();
        }
        rows.Clear();
        await http.Response.WriteAsync(text.ToString(), ct);
    }
}
