namespace QCommerce.Core.Catalog;

/// <summary>One price scheduled (or withdrawn: it will not start) in a region, as the <c>PriceChanged</c> event tells it.</summary>
public sealed record PriceChange(string SkuId, string Region, long AmountMinor, string Currency, DateTime EffectiveFromUtc, DateTime? EffectiveToUtc,
    bool Withdrawn = false);

/// <summary>The outbox event of prices scheduled or withdrawn together (one by hand, or up to a chunk of an import).</summary>
public sealed record PriceChangedEvent(IReadOnlyList<PriceChange> Prices)
{
    public static string Aggregate(string skuId) => $"price:{skuId}";
}

/// <summary>
/// The price of a SKU in a region for a period. The current price is the one whose period holds
/// now; when periods overlap the latest start wins, so a promotion is scheduled by adding a row.
/// </summary>
public sealed class Price
{
    private Price() { }

    public Price(int skuId, int regionId, Money amount, DateTime effectiveFromUtc, DateTime? effectiveToUtc = null)
    {
        if (amount.MinorUnits <= 0) throw new DomainException("A price must be positive.");
        if (effectiveToUtc is { } to && to <= effectiveFromUtc) throw new DomainException("A price period must end after it starts.");
        SkuId = skuId;
        RegionId = regionId;
        AmountMinor = amount.MinorUnits;
        Currency = amount.Currency;
        EffectiveFromUtc = effectiveFromUtc;
        EffectiveToUtc = effectiveToUtc;
    }

    public int Id { get; private set; }
    public int SkuId { get; private set; }
    public int RegionId { get; private set; }
    public long AmountMinor { get; private set; }
    public string Currency { get; private set; } = "";
    public DateTime EffectiveFromUtc { get; private set; }
    public DateTime? EffectiveToUtc { get; private set; }

    public Money Amount => new(Currency, AmountMinor);

    public bool IsEffectiveAt(DateTime instantUtc) =>
        EffectiveFromUtc <= instantUtc && (EffectiveToUtc is null || EffectiveToUtc > instantUtc);

    /// <summary>The price in force at <paramref name="instantUtc"/> for one SKU and region, or null.</summary>
    public static Price? Resolve(IEnumerable<Price> prices, int skuId, int regionId, DateTime instantUtc) =>
        prices.Where(p => p.SkuId == skuId && p.RegionId == regionId && p.IsEffectiveAt(instantUtc))
              .OrderByDescending(p => p.EffectiveFromUtc)
              .ThenByDescending(p => p.Id)
              .FirstOrDefault();
}
