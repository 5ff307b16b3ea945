using Microsoft.AspNetCore.Http.HttpResults;
using QCommerce.Core.Common;
using QCommerce.Core.Ordering;
using QCommerce.Core.Stores;
using QCommerce.Web.Common;

namespace QCommerce.Web.Stores;

/// <summary>
/// A dark store. <c>etaMinutes</c> and <c>asapBy</c> are the ASAP promise of this moment (the store's base time, its queue,
/// its opening if closed): what an order placed now is promised.
/// </summary>
public sealed record StoreDto(
    StoreId Id, string Name, RegionDto Region, AddressDto Address, IReadOnlyList<string> DeliveryZips,
    MoneyDto DeliveryFee, MoneyDto FreeDeliveryThreshold, int EtaMinutes, DateTime AsapBy, bool OpenNow, string OpeningHours)
{
    public static StoreDto From(StoreSummary s, DateTimeOffset now, AsapPromise promise) => new(
        StoreId.Of(s.Id), s.Name, new RegionDto(s.RegionCode, s.RegionName, s.Currency), new AddressDto(s.Address.Line1, s.Address.City, s.Address.Zip),
        s.DeliveryZips, MoneyDto.From(s.DeliveryFee), MoneyDto.From(s.FreeDeliveryThreshold), promise.Minutes, promise.ByUtc, s.IsOpenAt(now), s.Hours.Describe());

    public static async Task<List<StoreDto>> FromAsync(IEnumerable<StoreSummary> stores, DeliveryPromises promises, DateTimeOffset now, CancellationToken ct)
    {
        var list = new List<StoreDto>();
        foreach (var store in stores) list.Add(From(store, now, await promises.AsapAsync(store, ct)));
        return list;
    }
}

public sealed record RegionDto(string Code, string Name, string Currency);

public sealed record AddressDto(string Line1, string City, string Zip);

public sealed record SlotDto(SlotId Id, DateTime Start, DateTime End, int Remaining, bool Full);

public static class StoresApi
{
    public static RouteGroupBuilder MapStoresApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/stores").WithTags("Stores");

        group.MapGet("/", async Task<Results<Ok<List<StoreDto>>, ValidationProblem>> (string? zip, StoreDirectory stores, DeliveryPromises promises, TimeProvider clock, CancellationToken ct) =>
        {
            var now = clock.GetUtcNow();
            if (zip is null) return TypedResults.Ok(await StoreDto.FromAsync(await stores.ListAsync(ct), promises, now, ct));
            if (Zips.Normalize(zip) is null)
            {
                var errors = new ProblemList();
                errors.Add("zip", $"'{TextRules.Excerpt(zip)}' is not a zip code.");
                return errors.ToProblem();
            }
            return TypedResults.Ok(await StoreDto.FromAsync(await stores.ServingAsync(zip, ct), promises, now, ct));
        })
        .WithSummary("All dark stores, or those delivering to a zip (quickest first).");

        group.MapGet("/{storeId:store}", async Task<Results<Ok<StoreDto>, ProblemHttpResult>> (StoreId storeId, StoreDirectory stores, DeliveryPromises promises, TimeProvider clock, CancellationToken ct) =>
        {
            var store = await stores.FindAsync(storeId.Value, ct);
            return store is null
                ? StoreNotFound(storeId)
                : TypedResults.Ok(StoreDto.From(store, clock.GetUtcNow(), await promises.AsapAsync(store, ct)));
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
