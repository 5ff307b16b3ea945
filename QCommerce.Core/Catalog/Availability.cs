namespace QCommerce.Core.Catalog;

/// <summary>What a shopper is told about a SKU's stock in their store.</summary>
public readonly record struct Availability(int AvailableQty, int LowStockThreshold)
{
    public bool InStock => AvailableQty > 0;
    public bool IsLow => InStock && AvailableQty <= LowStockThreshold;

    public string Label => !InStock ? "Sold out" : IsLow ? $"Only {AvailableQty} left" : "In stock";

    public static Availability None => new(0, 0);
}

/// <summary>
/// Stock as the catalog shows it, answered by Inventory (a later feature), so the catalog never reads stock rows
/// itself: only SKUs the store carries are in the answer. It may come from a cache, never older than a second and
/// refreshed at once by this instance's own commits; checkout reads stock itself.
/// </summary>
public interface IStockView
{
    Task<IReadOnlyDictionary<int, Availability>> InStoreAsync(int storeId, IReadOnlyCollection<int> skuIds, CancellationToken ct);
}
