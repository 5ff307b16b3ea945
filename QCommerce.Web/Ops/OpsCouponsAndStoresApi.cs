using System.Globalization;
using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;
using QCommerce.Web.Common;
using QCommerce.Web.Stores;

namespace QCommerce.Web.Ops;

public sealed record OpsCouponDto(string Code, string Kind, int? PercentOff, MoneyDto? AmountOff, MoneyDto MinimumBasket, DateTime ValidFrom, DateTime? ValidTo,
    int? UsageLimit, int? PerCustomerLimit, string? Region, bool Active, int TimesUsed, string State, string Describe)
{
    public static OpsCouponDto From(CouponRow c) => new(c.Code, c.Kind == CouponKind.Percent ? "percent" : "amount",
        c.Kind == CouponKind.Percent ? c.PercentOff : null, c.Kind == CouponKind.FixedAmount ? MoneyDto.From(c.AmountOff) : null, MoneyDto.From(c.MinimumBasket),
        c.ValidFromUtc, c.ValidToUtc, c.UsageLimit, c.PerCustomerLimit, c.RegionCode, c.IsActive, c.TimesUsed, c.State, c.Describe);
}

public sealed record OpsCouponRequest(string? Code, string? Kind, int? PercentOff, long? AmountOff, long? MinimumBasket, string? Currency, DateTime? ValidFrom,
    DateTime? ValidTo, int? UsageLimit, int? PerCustomerLimit, string? Region, bool? Active);

public sealed record OpsStoreSettingsDto(StoreId StoreId, string Name, string Region, string Opens, string Closes, string TimeZone, IReadOnlyList<string> DeliveryZips,
    MoneyDto DeliveryFee, MoneyDto FreeDeliveryThreshold, int BaseEtaMinutes, int SlotMinutes, int SlotCapacity)
{
    public static OpsStoreSettingsDto From(StoreSummary s) => new(StoreId.Of(s.Id), s.Name, s.RegionCode, s.Hours.Opens.ToString("HH:mm", CultureInfo.InvariantCulture),
        s.Hours.Closes.ToString("HH:mm", CultureInfo.InvariantCulture), s.Hours.TimeZoneId, s.DeliveryZips, MoneyDto.From(s.DeliveryFee),
        MoneyDto.From(s.FreeDeliveryThreshold), s.EtaMinutes, s.SlotMinutes, s.SlotCapacity);
}

public sealed record OpsStoreSettingsRequest(string? Opens, string? Closes, List<string>? DeliveryZips, long? DeliveryFee, long? FreeDeliveryThreshold,
    int? BaseEtaMinutes, int? SlotMinutes, int? SlotCapacity);

/// <summary>
/// <c>/v1/ops/coupons</c> (list with usage, create, edit or disable; catalog-wide staff change them) and
/// <c>/v1/ops/stores/{storeId}</c> (settings: any staff of the store reads them, an admin changes them).
/// </summary>
public static class OpsCouponsAndStoresApi
{
    public static RouteGroupBuilder MapOpsCouponsAndStoresApi(this RouteGroupBuilder ops)
    {
        var coupons = ops.MapGroup("/coupons").WithTags("Ops: coupons");

        coupons.MapGet("/", async (CouponService service, CancellationToken ct) =>
            TypedResults.Ok((await service.ListAsync(ct)).Select(OpsCouponDto.From).ToList()))
            .WithSummary("Every coupon with its terms, times used and state (active, scheduled, expired, used up, disabled).");

        coupons.MapPost("/", async Task<Results<Created<OpsCouponDto>, ValidationProblem>> ([FromBody] OpsCouponRequest? body, ClaimsPrincipal user,
            StaffDirectory directory, CouponService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var draft = Draft(body, problems, body?.Code);
            if (problems.Any) return problems.ToProblem();
            var created = await service.CreateAsync(await directory.RequireAsync(user, ct), draft!, ct);
            return TypedResults.Created($"/v1/ops/coupons/{created.Code}", OpsCouponDto.From(created));
        })
        .WithSummary("Creates a coupon: {code, kind: percent|amount, percentOff | amountOff, minimumBasket, currency, validFrom?, validTo?, usageLimit?, perCustomerLimit?, region?}.")
        .Accepts<OpsCouponRequest>("application/json").ProducesProblem(403).ProducesValidationProblem(422);

        coupons.MapPut("/{code}", async Task<Results<Ok<OpsCouponDto>, ValidationProblem>> ([FromBody] OpsCouponRequest? body, string code, ClaimsPrincipal user,
            StaffDirectory directory, CouponService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var draft = Draft(body, problems, body?.Code ?? code);
            if (problems.Any) return problems.ToProblem();
            return TypedResults.Ok(OpsCouponDto.From(await service.UpdateAsync(await directory.RequireAsync(user, ct), code, draft!, ct)));
        })
        .WithSummary("Replaces a coupon's terms; active:false disables it (checkout refuses it at once). The code itself cannot change.")
        .Accepts<OpsCouponRequest>("application/json").ProducesProblem(403).ProducesProblem(404).ProducesValidationProblem(422);

        var stores = ops.MapGroup("/stores").WithTags("Ops: stores");

        stores.MapGet("/{storeId:store}", async Task<Results<Ok<OpsStoreSettingsDto>, ProblemHttpResult>> (StoreId storeId, ClaimsPrincipal user, StaffDirectory directory,
            StoreDirectory storeDirectory, CancellationToken ct) =>
        {
            var staff = await directory.RequireAsync(user, ct);
            return staff.CanSee(storeId.Value) && await storeDirectory.FindAsync(storeId.Value, ct) is { } store
                ? TypedResults.Ok(OpsStoreSettingsDto.From(store))
                : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Store '{storeId}' was not found.");
        })
        .WithSummary("A store's settings: hours (local time), delivery zips, fee, free-delivery threshold, base ETA, slot length and capacity.");

        stores.MapPut("/{storeId:store}", async Task<Results<Ok<OpsStoreSettingsDto>, ValidationProblem>> ([FromBody] OpsStoreSettingsRequest? body, StoreId storeId,
            ClaimsPrincipal user, StaffDirectory directory, StoreSettingsService service, StoreDirectory storeDirectory, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            if (body is null) problems.Add("body", "Send {opens, closes, deliveryZips, deliveryFee, freeDeliveryThreshold, baseEtaMinutes, slotMinutes, slotCapacity}.");
            var opens = Time(problems, "opens", body?.Opens);
            var closes = Time(problems, "closes", body?.Closes);
            if (problems.Any) return problems.ToProblem();
            await service.ChangeAsync(await directory.RequireAsync(user, ct), storeId.Value, new StoreSettings(opens, closes, body!.DeliveryZips, body.DeliveryFee,
                body.FreeDeliveryThreshold, body.BaseEtaMinutes, body.SlotMinutes, body.SlotCapacity), ct);
            return TypedResults.Ok(OpsStoreSettingsDto.From(await storeDirectory.GetAsync(storeId.Value, ct)));
        })
        .RequireAuthorization(Roles.Admin)
        .WithSummary("Changes a store's settings (Admin); the storefront and the slot grid follow at once.")
        .Accepts<OpsStoreSettingsRequest>("application/json").ProducesProblem(403).ProducesProblem(404).ProducesValidationProblem(422);

        return ops;
    }

    private static TimeOnly? Time(ProblemList problems, string field, string? raw)
    {
        if (raw is null) return null;
        if (TimeOnly.TryParseExact(raw, "HH:mm", CultureInfo.InvariantCulture, DateTimeStyles.None, out var time)) return time;
        problems.Add(field, $"'{TextRules.Excerpt(raw)}' is not a time; write 07:00.");
        return null;
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
