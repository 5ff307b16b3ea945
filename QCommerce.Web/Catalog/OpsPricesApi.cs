using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Catalog;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Catalog;

public sealed record OpsPriceDto(PriceId PriceId, SkuId SkuId, string Region, MoneyDto Amount, DateTime EffectiveFrom, DateTime? EffectiveTo, string State)
{
    public static OpsPriceDto From(PriceEntry p) => new(PriceId.Of(p.Id), SkuId.Of(p.SkuId), p.RegionCode, MoneyDto.From(p.Amount), p.EffectiveFromUtc,
        p.EffectiveToUtc, WireNames.Of(p.State));
}

public sealed record OpsPriceListDto(IReadOnlyList<OpsPriceDto> Items);

public sealed record OpsPriceAmountRequest(string? Currency, long? Value);

public sealed record OpsPriceRequest(string? SkuId, string? Region, OpsPriceAmountRequest? Amount, DateTime? EffectiveFrom, DateTime? EffectiveTo);

/// <summary>
/// <c>/v1/ops/prices</c>: a SKU's prices per region (current, scheduled, overridden, past) and scheduling a new one. The
/// same use case as the portal: the region's currency, no start in the past, an end after the start; a retry of the same
/// price answers with the one already scheduled. Changing prices is for staff not limited to some stores (403 otherwise).
/// </summary>
public static class OpsPricesApi
{
    public static RouteGroupBuilder MapOpsPricesApi(this RouteGroupBuilder ops)
    {
        var prices = ops.MapGroup("/prices").WithTags("Ops: prices");
        // Catalog, prices, categories and coupons are every store's: only an admin (who alone sees every store) changes them.
        var pricesChanges = prices.MapGroup("").RequireAuthorization(Roles.Admin);

        prices.MapGet("/", async Task<Results<Ok<OpsPriceListDto>, ValidationProblem>> (string? skuId, string? region, PriceService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var sku = problems.RequiredId<SkuId>("skuId", skuId);
            if (region is { Length: > 32 }) problems.Add("region", "A region code is at most 32 characters.");
            if (problems.Any) return problems.ToProblem();
            return TypedResults.Ok(new OpsPriceListDto((await service.HistoryAsync(sku!.Value, region, ct)).Select(OpsPriceDto.From).ToList()));
        })
        .WithSummary("A SKU's prices in every region (or one, by the code /v1/stores shows): state current, scheduled, overridden or past.");

        pricesChanges.MapPost("/", async Task<Results<Created<OpsPriceDto>, ValidationProblem>> ([FromBody] OpsPriceRequest? body, HttpContext http, PriceService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            if (body is null) problems.Add("body", "Send {skuId, region, amount: {currency, value}, effectiveFrom?, effectiveTo?}.");
            var sku = problems.RequiredId<SkuId>("skuId", body?.SkuId);
            if (body is not null && body.Amount is null) problems.Add("amount", "Send amount: {currency: \"USD\", value: 349} (value in minor units).");
            if (problems.Any) return problems.ToProblem();
            var staff = await http.StaffAsync(ct);
            var entry = await service.ScheduleAsync(staff, new PriceInput(sku!.Value, body!.Region, body.Amount!.Currency, body.Amount.Value,
                body.EffectiveFrom?.ToUniversalTime(), body.EffectiveTo?.ToUniversalTime()), ct);
            return TypedResults.Created($"/v1/ops/prices?skuId={SkuId.Of(entry.SkuId)}", OpsPriceDto.From(entry));
        })
        .WithSummary("Schedules a price (from now when effectiveFrom is left out); scheduled starts fall on the minute.")
        .Accepts<OpsPriceRequest>("application/json").ProducesProblem(403).ProducesValidationProblem(422);

        pricesChanges.MapDelete("/{priceId:price}", async Task<NoContent> (PriceId priceId, HttpContext http, PriceService service,
            CancellationToken ct) =>
        {
            await service.WithdrawAsync(await http.StaffAsync(ct), priceId.Value, ct);
            return TypedResults.NoContent();
        })
        .WithSummary("Withdraws a price that has not started yet; 409 for one already in force.").ProducesProblem(404).ProducesProblem(409);

        return ops;
    }
}
