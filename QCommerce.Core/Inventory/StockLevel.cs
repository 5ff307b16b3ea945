namespace QCommerce.Core.Inventory;

/// <summary>
/// Stock of one SKU in one store. Available = OnHand − Reserved, never negative. Reservations are
/// taken with a conditional UPDATE (see DESIGN §3), never by reading, subtracting and writing back.
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

    public const int MaxShelfLocationLength = 20;

    public void PlaceAt(string? location)
    {
        var value = string.IsNullOrWhiteSpace(location) ? null : location.Trim().ToUpperInvariant();
        if (TextRules.Problem(value, MaxShelfLocationLength, "A shelf location") is { } problem) throw new DomainException(problem);
        ShelfLocation = value;
    }
}
