namespace QCommerce.Core.Inventory;

/// <summary>
/// Stock of one SKU in one store. Available = OnHand − Reserved, never negative. Reservations are
/// taken with a conditional UPDATE (see architecture §3), never by reading, subtracting and writing back.
/// </summary>
public sealed class StockLevel
{
    private StockLevel() { }

    public StockLevel(int storeId, int skuId, int onHand, int lowStockThreshold)
    {
        if (onHand < 0) throw new DomainException("Stock on hand cannot be negative.");
        if (lowStockThreshold < 0) throw new DomainException("A low-stock threshold cannot be negative.");
        StoreId = storeId;
        SkuId = skuId;
        OnHand = onHand;
        LowStockThreshold = lowStockThreshold;
    }

    public int StoreId { get; private set; }
    public int SkuId { get; private set; }
    public int OnHand { get; private set; }
    public int Reserved { get; private set; }
    public int LowStockThreshold { get; private set; }

    /// <summary>Where pickers find it in this store (aisle-bay-shelf, e.g. <c>A03-2</c>); pick lists walk the store in this order.</summary>
    public string? ShelfLocation { get; private set; }

    public int Available => OnHand - Reserved;

    /// <summary>
    /// Since when the free units have been at or below <see cref="LowStockThreshold"/> (null while above it): set once per
    /// crossing, so each crossing raises one alert and one <c>StockLow</c> event (see <see cref="LowStock"/>).
    /// </summary>
    public DateTime? LowSinceUtc { get; private set; }

    public const int MaxShelfLocationLength = 20;

    /// <summary>A bound on any one store's units of a SKU: far above a dark store's shelves, far below an int's overflow.</summary>
    public const int MaxUnits = 100_000;

    public bool IsLow => Available <= LowStockThreshold;

    public void SetLowStockThreshold(int threshold)
    {
        if (threshold is < 0 or > MaxUnits) throw new DomainException($"A low-stock threshold is between 0 and {MaxUnits:N0}.");
        LowStockThreshold = threshold;
    }

    /// <summary>A shelf count replaces on hand (the caller writes the difference to the ledger); reserved units must still be there.</summary>
    internal void Count(int counted)
    {
        if (counted < Reserved || counted > MaxUnits) throw new DomainException($"A count of {counted} is below the {Reserved} reserved, or above {MaxUnits:N0}.");
        OnHand = counted;
    }

    /// <summary>The seed's own mark for a row that starts out low (no alert event: nothing crossed).</summary>
    internal void MarkLowSince(DateTime now) => LowSinceUtc = IsLow ? now : null;

    public void PlaceAt(string? location)
    {
        var value = string.IsNullOrWhiteSpace(location) ? null : location.Trim().ToUpperInvariant();
        if (TextRules.Problem(value, MaxShelfLocationLength, "A shelf location") is { } problem) throw new DomainException(problem);
        if (value is not null && !value.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '.' or '/' or ' '))
            throw new DomainException("A shelf location is letters, digits and - . / (aisle-bay-shelf, e.g. A03-2).");
        ShelfLocation = value;
    }
}
