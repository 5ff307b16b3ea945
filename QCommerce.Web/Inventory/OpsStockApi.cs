using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Common;
using QCommerce.Core.Inventory;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Inventory;

public sealed record OpsStockRowDto(StoreId StoreId, SkuId SkuId, ProductId ProductId, string Title, string Size, string Code, string Barcode, int OnHand,
    int Reserved, int Available, int LowStockThreshold, string? Location, bool Low, DateTime? LowSince)
{
    public static OpsStockRowDto From(StockRow r) => new(StoreId.Of(r.StoreId), SkuId.Of(r.SkuId), ProductId.Of(r.ProductId), r.Title, r.SizeLabel, r.Code,
        r.Barcode, r.OnHand, r.Reserved, r.Available, r.LowStockThreshold, r.ShelfLocation, r.IsLow, r.LowSinceUtc);
}

public sealed record OpsStockListDto(IReadOnlyList<OpsStockRowDto> Items, string? NextCursor);

public sealed record OpsStockAdjustmentRequest(string? SkuId, string? Type, int? Qty, string? Note);

public sealed record OpsStockAdjustedDto(SkuId SkuId, string Type, int Change, int OnHand, int Reserved, int Available);

public sealed record OpsStockSettingsRequest(int? LowStockThreshold, string? Location);

public sealed record OpsLedgerLineDto(string Type, int Qty, int OnHandAfter, string? Reason, string? Reference, string Staff, DateTime At);

public sealed record OpsLedgerDto(OpsStockRowDto Stock, IReadOnlyList<OpsLedgerLineDto> Items, string? NextCursor);

/// <summary>
/// <c>/v1/ops/stores/{storeId}/stock</c>: a store's stock, its ledger and the hand-made movements (received, count, damaged,
/// expired) for integrations and scanners. The same Core use cases as the portal; a store outside a scoped member of
/// staff's stores is 404; an adjustment that would take on hand below what open orders reserved is 422.
/// </summary>
public static class OpsStockApi
{
    public static RouteGroupBuilder MapOpsStockApi(this RouteGroupBuilder ops)
    {
        var stock = ops.MapGroup("/stores/{storeId:store}/stock").WithTags("Ops: stock");

        stock.MapGet("/", async Task<Results<Ok<OpsStockListDto>, ValidationProblem>> (StoreId storeId, string? skuId, bool? low, string? q, string? cursor,
            string? pageSize, HttpContext http, StockQueries queries, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var sku = problems.Id<SkuId>("skuId", skuId);
            var size = problems.Int("pageSize", pageSize, 50, 1, StockQueries.MaxPageSize);
            if (q is { Length: > 100 }) problems.Add("q", "A search is at most 100 characters.");
            if (problems.Any) return problems.ToProblem();
            var page = await queries.ListAsync(await http.StaffAsync(ct), storeId.Value, new StockFilter(q, sku, low ?? false), cursor, size, ct);
            return TypedResults.Ok(new OpsStockListDto(page.Items.Select(OpsStockRowDto.From).ToList(), page.NextCursor));
        })
        .WithSummary("The store's stock by SKU (keyset pages: pass nextCursor back as cursor); low=true for the SKUs at or below their threshold.");

        stock.MapPost("/adjustments", async Task<Results<Ok<OpsStockAdjustedDto>, ValidationProblem>> ([FromBody] OpsStockAdjustmentRequest? body,
            StoreId storeId, HttpContext http, StockAdjustmentService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            if (body is null) problems.Add("body", "Send {skuId, type: received|count|damaged|expired, qty, note}.");
            var sku = problems.RequiredId<SkuId>("skuId", body?.SkuId);
            StockAdjustmentKind? kind = body?.Type switch
            {
                "received" => StockAdjustmentKind.Received,
                "count" => StockAdjustmentKind.Count,
                "damaged" => StockAdjustmentKind.Damaged,
                "expired" => StockAdjustmentKind.Expired,
                _ => null,
            };
            if (body is not null && kind is null) problems.Add("type", "Use received, count (the counted total), damaged or expired.");
            if (body is not null && body.Qty is null) problems.Add("qty", "qty is required: units received or written off, or the counted total.");
            if (problems.Any) return problems.ToProblem();
            var done = await service.AdjustAsync(await http.StaffAsync(ct), storeId.Value, new StockAdjustment(sku!.Value, kind!.Value, body!.Qty!.Value, body.Note), ct);
            return TypedResults.Ok(new OpsStockAdjustedDto(SkuId.Of(done.SkuId), WireNames.Of(done.Kind), done.Change, done.OnHand, done.Reserved, done.OnHand - done.Reserved));
        })
        .WithSummary("A typed stock movement: received (a positive qty), count (the counted total), damaged or expired (a positive qty and a note). 422 below reserved.")
        .Accepts<OpsStockAdjustmentRequest>("application/json").ProducesProblem(404).ProducesValidationProblem(422);

        stock.MapGet("/{skuId:sku}/ledger", async Task<Results<Ok<OpsLedgerDto>, ProblemHttpResult>> (StoreId storeId, SkuId skuId, string? cursor,
            HttpContext http, StockQueries queries, CancellationToken ct) =>
            await queries.LedgerAsync(await http.StaffAsync(ct), storeId.Value, skuId.Value, cursor, 50, ct) is { } ledger
                ? TypedResults.Ok(new OpsLedgerDto(OpsStockRowDto.From(ledger.Stock),
                    ledger.Items.Select(l => new OpsLedgerLineDto(WireNames.Of(l.Kind), l.Quantity, l.OnHandAfter, l.Note, l.Reference, l.Actor, l.AtUtc)).ToList(),
                    ledger.NextCursor))
                : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Store '{storeId}' was not found among your stores, or does not stock '{skuId}'."))
        .WithSummary("The SKU's stock ledger in the store, newest first: type, signed qty, on hand after, reason, order, staff, time.");

        stock.MapPut("/{skuId:sku}", async Task<Results<Ok<OpsStockRowDto>, ProblemHttpResult>> ([FromBody] OpsStockSettingsRequest? body, StoreId storeId,
            SkuId skuId, HttpContext http, StockAdjustmentService service, StockQueries queries, CancellationToken ct) =>
        {
            var staff = await http.StaffAsync(ct);
            await service.ChangeSettingsAsync(staff, storeId.Value, skuId.Value, new StockSettings(body?.LowStockThreshold, body?.Location), ct);
            return TypedResults.Ok(OpsStockRowDto.From((await queries.FindAsync(staff, storeId.Value, skuId.Value, ct))!));
        })
        .WithSummary("Sets the SKU's low-stock threshold and/or shelf location in the store (a field left out stays as it is).")
        .Accepts<OpsStockSettingsRequest>("application/json").ProducesValidationProblem(422);

        ops.MapGet("/stock/alerts", async Task<Results<Ok<OpsStockListDto>, ValidationProblem>> (string? storeId, HttpContext http,
            StockQueries queries, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var store = problems.Id<StoreId>("storeId", storeId);
            if (problems.Any) return problems.ToProblem();
            var alerts = await queries.AlertsAsync(await http.StaffAsync(ct), store, ct: ct);
            return TypedResults.Ok(new OpsStockListDto(alerts.Select(OpsStockRowDto.From).ToList(), null));
        })
        .WithTags("Ops: stock").WithSummary("The low-stock alerts of your stores (or of one), most recent first.");

        return ops;
    }
}
