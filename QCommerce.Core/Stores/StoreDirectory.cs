using Microsoft.Extensions.Caching.Memory;
using QCommerce.Core.Data;

namespace QCommerce.Core.Stores;

public sealed record StoreSummary(
    int Id, string Name, int RegionId, string RegionCode, string RegionName, string Currency,
    StoreAddress Address, IReadOnlyList<string> DeliveryZips, Money DeliveryFee, Money FreeDeliveryThreshold,
    int EtaMinutes, OpeningHours Hours, int SlotMinutes = 60, int SlotCapacity = 6, string Locale = "en-US")
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Store, Id);
    public bool IsOpenAt(DateTimeOffset instant) => Hours.IsOpenAt(instant);
}

/// <summary>
/// The dark stores, read often and changed rarely: held in memory for a short while so that every
/// catalog request does not ask the database which region its store prices in.
/// </summary>
public sealed class StoreDirectory(IDbContextFactory<QCommerceDbContext> contexts, IMemoryCache cache)
{
    private static readonly TimeSpan Freshness = TimeSpan.FromSeconds(30);
    private const string CacheKey = "stores:all";

    public async Task<IReadOnlyList<StoreSummary>> ListAsync(CancellationToken ct = default) =>
        (await cache.GetOrCreateAsync(CacheKey, async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = Freshness;
            await using var db = await contexts.CreateDbContextAsync(ct);
            var rows = await db.Stores.AsNoTracking().Include(s => s.Region).Include(s => s.DeliveryZips).OrderBy(s => s.Id).ToListAsync(ct);
            return (IReadOnlyList<StoreSummary>)rows.Select(s => new StoreSummary(
                s.Id, s.Name, s.RegionId, s.Region.Code, s.Region.Name, s.Region.Currency, s.Address,
                s.DeliveryZips.Select(z => z.Zip).Order(StringComparer.Ordinal).ToList(),
                new Money(s.Region.Currency, s.DeliveryFeeMinor), new Money(s.Region.Currency, s.FreeDeliveryThresholdMinor),
                s.BaseEtaMinutes, s.Hours, s.SlotMinutes, s.SlotCapacity, s.Region.Locale)).ToList();
        }))!;

    /// <summary>The stores that deliver to <paramref name="zip"/>, quickest first; empty for a zip nobody serves.</summary>
    public async Task<IReadOnlyList<StoreSummary>> ServingAsync(string zip, CancellationToken ct = default)
    {
        var normalized = Zips.Normalize(zip);
        if (normalized is null) return [];
        var all = await ListAsync(ct);
        return all.Where(s => s.DeliveryZips.Contains(normalized)).OrderBy(s => s.EtaMinutes).ToList();
    }

    public async Task<StoreSummary?> FindAsync(int storeId, CancellationToken ct = default) =>
        (await ListAsync(ct)).FirstOrDefault(s => s.Id == storeId);

    public async Task<StoreSummary> GetAsync(int storeId, CancellationToken ct = default) =>
        await FindAsync(storeId, ct) ?? throw new NotFoundException("Store", PublicId.Format(PublicId.Store, storeId));

    public void Invalidate() => cache.Remove(CacheKey);
}
