using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Common;
using QCommerce.Core.Promotions;
using QCommerce.Core.Identity;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Promotions;

public sealed record OpsCouponDto(string Code, string Kind, int? PercentOff, MoneyDto? AmountOff, MoneyDto MinimumBasket, DateTime ValidFrom, DateTime? ValidTo,
    int? UsageLimit, int? PerCustomerLimit, string? Region, bool Active, int TimesUsed, string State, string Describe)
{
    public static OpsCouponDto From(CouponRow c) => new(c.Code, c.Kind == CouponKind.Percent ? "percent" : "amount",
        c.Kind == CouponKind.Percent ? c.PercentOff : null, c.Kind == CouponKind.FixedAmount ? MoneyDto.From(c.AmountOff) : null, MoneyDto.From(c.MinimumBasket),
        c.ValidFromUtc, c.ValidToUtc, c.UsageLimit, c.PerCustomerLimit, c.RegionCode, c.IsActive, c.TimesUsed, c.State, c.Describe);
}

public sealed record OpsCouponRequest(string? Code, string? Kind, int? PercentOff, long? AmountOff, long? MinimumBasket, string? Currency, DateTime? ValidFrom,
    DateTime? ValidTo, int? UsageLimit, int? PerCustomerLimit, string? Region, bool? Active);

/// <summary><c>/v1/ops/coupons</c>: list with usage, create, edit or disable; catalog-wide staff change them.</summary>
public static class OpsCouponsApi
{
    public static RouteGroupBuilder MapOpsCouponsApi(this RouteGroupBuilder ops)
    {
        var coupons = ops.MapGroup("/coupons").WithTags("Ops: coupons");
        // Catalog, prices, categories and coupons are every store's: only an admin (who alone sees every store) changes them.
        var couponsChanges = coupons.MapGroup("").RequireAuthorization(Roles.Admin);

        coupons.MapGet("/", async (CouponService service, CancellationToken ct) =>
            TypedResults.Ok((await service.ListAsync(ct)).Select(OpsCouponDto.From).ToList()))
            .WithSummary("Every coupon with its terms, times used and state (active, scheduled, expired, used up, disabled).");

        couponsChanges.MapPost("/", async Task<Results<Created<OpsCouponDto>, ValidationProblem>> ([FromBody] OpsCouponRequest? body, HttpContext http, CouponService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var draft = Draft(body, problems, body?.Code);
            if (problems.Any) return problems.ToProblem();
            var created = await service.CreateAsync(await http.StaffAsync(ct), draft!, ct);
            return TypedResults.Created($"/v1/ops/coupons/{created.Code}", OpsCouponDto.From(created));
        })
        .WithSummary("Creates a coupon: {code, kind: percent|amount, percentOff | amountOff, minimumBasket, currency, validFrom?, validTo?, usageLimit?, perCustomerLimit?, region?}.")
        .Accepts<OpsCouponRequest>("application/json").ProducesProblem(403).ProducesValidationProblem(422);

        couponsChanges.MapPut("/{code}", async Task<Results<Ok<OpsCouponDto>, ValidationProblem>> ([FromBody] OpsCouponRequest? body, string code, HttpContext http, CouponService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var draft = Draft(body, problems, body?.Code ?? code);
            if (problems.Any) return problems.ToProblem();
            return TypedResults.Ok(OpsCouponDto.From(await service.UpdateAsync(await http.StaffAsync(ct), code, draft!, ct)));
        })
        .WithSummary("Replaces a coupon's terms; active:false disables it (checkout refuses it at once). The code itself cannot change.")
        .Accepts<OpsCouponRequest>("application/json").ProducesProblem(403).ProducesProblem(404).ProducesValidationProblem(422);

        return ops;
    }

    private static CouponDraft? Draft(OpsCouponRequest? body, ProblemList problems, string? code)
    {
        if (body is null)
        {
            problems.Add("body", "Send {code, kind, percentOff | amountOff, minimumBasket, currency, validFrom?, validTo?, usageLimit?, perCustomerLimit?, region?}.");
            return null;
        }
        CouponKind? kind = body.Kind switch
        {
            "percent" => CouponKind.Percent,
            "amount" => CouponKind.FixedAmount,
            null => null,
            _ => null,
        };
        if (body.Kind is not null && kind is null) problems.Add("kind", "Use percent or amount.");
        return new CouponDraft(code, kind, body.PercentOff, body.AmountOff, body.MinimumBasket, body.Currency, body.ValidFrom?.ToUniversalTime(),
            body.ValidTo?.ToUniversalTime(), body.UsageLimit, body.PerCustomerLimit, body.Region, body.Active ?? true);
    }
}
