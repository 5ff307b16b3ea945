using System.Globalization;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Core.Stores;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Stores;

public sealed record OpsStoreSettingsDto(StoreId StoreId, string Name, string Region, string Opens, string Closes, string TimeZone, IReadOnlyList<string> DeliveryZips,
    MoneyDto DeliveryFee, MoneyDto FreeDeliveryThreshold, int BaseEtaMinutes, int SlotMinutes, int SlotCapacity)
{
    public static OpsStoreSettingsDto From(StoreSummary s) => new(StoreId.Of(s.Id), s.Name, s.RegionCode, s.Hours.Opens.ToString("HH:mm", CultureInfo.InvariantCulture),
        s.Hours.Closes.ToString("HH:mm", CultureInfo.InvariantCulture), s.Hours.TimeZoneId, s.DeliveryZips, MoneyDto.From(s.DeliveryFee),
        MoneyDto.From(s.FreeDeliveryThreshold), s.EtaMinutes, s.SlotMinutes, s.SlotCapacity);
}

public sealed record OpsStoreSettingsRequest(string? Opens, string? Closes, List<string>? DeliveryZips, long? DeliveryFee, long? FreeDeliveryThreshold,
    int? BaseEtaMinutes, int? SlotMinutes, int? SlotCapacity);

/// <summary><c>/v1/ops/stores/{storeId}</c>: a store's settings; any staff of the store reads them, an admin changes them.</summary>
public static class OpsStoresApi
{
    public static RouteGroupBuilder MapOpsStoresApi(this RouteGroupBuilder ops)
    {
        var stores = ops.MapGroup("/stores").WithTags("Ops: stores");

        stores.MapGet("/{storeId:store}", async Task<Results<Ok<OpsStoreSettingsDto>, ProblemHttpResult>> (StoreId storeId, HttpContext http,
            StoreDirectory storeDirectory, CancellationToken ct) =>
        {
            var staff = await http.StaffAsync(ct);
            return staff.CanSee(storeId.Value) && await storeDirectory.FindAsync(storeId.Value, ct) is { } store
                ? TypedResults.Ok(OpsStoreSettingsDto.From(store))
                : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Store '{storeId}' was not found.");
        })
        .WithSummary("A store's settings: hours (local time), delivery zips, fee, free-delivery threshold, base ETA, slot length and capacity.");

        stores.MapPut("/{storeId:store}", async Task<Results<Ok<OpsStoreSettingsDto>, ValidationProblem>> ([FromBody] OpsStoreSettingsRequest? body, StoreId storeId,
            HttpContext http, StoreSettingsService service, StoreDirectory storeDirectory, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            if (body is null) problems.Add("body", "Send {opens, closes, deliveryZips, deliveryFee, freeDeliveryThreshold, baseEtaMinutes, slotMinutes, slotCapacity}.");
            var opens = Time(problems, "opens", body?.Opens);
            var closes = Time(problems, "closes", body?.Closes);
            if (problems.Any) return problems.ToProblem();
            await service.ChangeAsync(await http.StaffAsync(ct), storeId.Value, new StoreSettings(opens, closes, body!.DeliveryZips, body.DeliveryFee,
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
}
