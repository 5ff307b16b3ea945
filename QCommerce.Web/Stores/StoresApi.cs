using QCommerce.Core.Common;
using QCommerce.Core.Stores;
using QCommerce.Web.Common;

namespace QCommerce.Web.Stores;

public sealed record StoreDto(
    string Id, string Name, RegionDto Region, AddressDto Address, IReadOnlyList<string> DeliveryZips,
    MoneyDto DeliveryFee, MoneyDto FreeDeliveryThreshold, int EtaMinutes, bool OpenNow, string OpeningHours)
{
    public static StoreDto From(StoreSummary s, DateTimeOffset now) => new(
        s.PublicId, s.Name, new RegionDto(s.RegionCode, s.RegionName, s.Currency), new AddressDto(s.Address.Line1, s.Address.City, s.Address.Zip),
        s.DeliveryZips, MoneyDto.From(s.DeliveryFee), MoneyDto.From(s.FreeDeliveryThreshold), s.EtaMinutes, s.IsOpenAt(now), s.Hours.Describe());
}

public sealed record RegionDto(string Code, string Name, string Currency);

public sealed record AddressDto(string Line1, string City, string Zip);

public sealed record SlotDto(string Id, DateTime Start, DateTime End, int Remaining, bool Full);

public static class StoresApi
{
    public static RouteGroupBuilder MapStoresApi(this RouteGroupBuilder v1)
    {
        var group = v1.MapGroup("/stores").WithTags("Stores");

        group.MapGet("/", async Task<IResult> (string? zip, StoreDirectory stores, TimeProvider clock, CancellationToken ct) =>
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
        .WithSummary("All dark stores, or those delivering to a zip (quickest first).")
        .Produces<List<StoreDto>>().ProducesValidationProblem();

        group.MapGet("/{storeId}", async Task<IResult> (string storeId, StoreDirectory stores, TimeProvider clock, CancellationToken ct) =>
        {
            var store = PublicId.TryParse(PublicId.Store, storeId, out var id) ? await stores.FindAsync(id, ct) : null;
            return store is null
                ? Results.Problem(statusCode: 404, title: "Not found", detail: $"Store '{TextRules.Excerpt(storeId)}' was not found.")
                : TypedResults.Ok(StoreDto.From(store, clock.GetUtcNow()));
        })
        .WithSummary("One dark store.")
        .Produces<StoreDto>().ProducesProblem(404);

        group.MapGet("/{storeId}/slots", async Task<IResult> (string storeId, StoreDirectory stores, DeliverySlots slots, CancellationToken ct) =>
        {
            var store = PublicId.TryParse(PublicId.Store, storeId, out var sid) ? await stores.FindAsync(sid, ct) : null;
            if (store is null) return Results.Problem(statusCode: 404, title: "Not found", detail: $"Store '{TextRules.Excerpt(storeId)}' was not found.");
            return TypedResults.Ok((await slots.UpcomingAsync(store.Id, ct)).Select(s => new SlotDto(s.PublicId, s.StartUtc, s.EndUtc, s.Remaining, s.IsFull)).ToList());
        })
        .WithSummary("A store's delivery slots for the next two days, full ones included.")
        .Produces<List<SlotDto>>().ProducesProblem(404);

        return v1;
    }
}
