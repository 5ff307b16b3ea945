using Microsoft.AspNetCore.Http.HttpResults;
using QCommerce.Core.Common;
using QCommerce.Core.Stores;
using QCommerce.Web.Common;

namespace QCommerce.Web.Stores;

public sealed record StoreDto(
    StoreId Id, string Name, RegionDto Region, AddressDto Address, IReadOnlyList<string> DeliveryZips,
    MoneyDto DeliveryFee, MoneyDto FreeDeliveryThreshold, int EtaMinutes, bool OpenNow, string OpeningHours)
{
    public static StoreDto From(StoreSummary s, DateTimeOffset now) => new(
        StoreId.Of(s.Id), s.Name, new RegionDto(s.RegionCode, s.RegionName, s.Currency), new AddressDto(s.Address.Line1, s.Address.City, s.Address.Zip),
        s.DeliveryZips, MoneyDto.From(s.DeliveryFee), MoneyDto.From(s.FreeDeliveryThreshold), s.EtaMinutes, s.IsOpenAt(now), s.Hours.Describe());
}

public sealed record RegionDto(string Code, string Name, string Currency);

public sealed record AddressDto(string Line1, string City, string Zip);

public sealed record SlotDto(SlotId Id, DateTime Start, DateTime End, int Remaining, bool Full);

public static class StoresApi
{
    public static RouteGroupBuilder MapStoresApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/stores").WithTags("Stores");

        group.MapGet("/", async Task<Results<Ok<List<StoreDto>>, ValidationProblem>> (string? zip, StoreDirectory stores, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            if (zip is null) return TypedResults.Ok((await stores.ListAsync(ct)).Select(s => StoreDto.From(s, now)).ToList());
            if (Zips.Normalize(zip) is null)
            {
                var errors = new ProblemList();
                errors.Add("zip", $"'{TextRules.Excerpt(zip)}' is not a zip code.");
                return errors.ToProblem();
            }
            return TypedResults.Ok((await stores.ServingAsync(zip, ct)).Select(s => StoreDto.From(s, now)).ToList());
        })
        .WithSummary("All dark stores, or those delivering to a zip (quickest first).");

        group.MapGet("/{storeId:store}", async Task<Results<Ok<StoreDto>, ProblemHttpResult>> (StoreId storeId, StoreDirectory stores, TimeProvider clock, CancellationToken ct) =>
        {
            var store = await stores.FindAsync(storeId.Value, ct);
            return store is null
                ? StoreNotFound(storeId)
                : TypedResults.Ok(StoreDto.From(store, clock.GetUtcNow()));
        })
        .WithSummary("One dark store.")
        .ProducesProblem(404);

        group.MapGet("/{storeId:store}/slots", async Task<Results<Ok<List<SlotDto>>, ProblemHttpResult>> (StoreId storeId, StoreDirectory stores, DeliverySlots slots, CancellationToken ct) =>
        {
            var store = await stores.FindAsync(storeId.Value, ct);
            if (store is null) return StoreNotFound(storeId);
            return TypedResults.Ok((await slots.UpcomingAsync(store.Id, ct)).Select(s => new SlotDto(SlotId.Of(s.Id), s.StartUtc, s.EndUtc, s.Remaining, s.IsFull)).ToList());
        })
        .WithSummary("A store's delivery slots for the next two days, full ones included.")
        .ProducesProblem(404);

        return v1;
    }

    private static ProblemHttpResult StoreNotFound(StoreId storeId) =>
        TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Store '{storeId}' was not found.");
}
