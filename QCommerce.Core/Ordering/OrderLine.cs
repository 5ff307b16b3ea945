using QCommerce.Core.Cart;

namespace QCommerce.Core.Ordering;

/// <summary>One line of an order, with the title and price the shopper saw when placing it.</summary>
public sealed class OrderLine
{
    private OrderLine() { }

    public OrderLine(int skuId, int productId, string title, string sizeLabel, string? imageUrl, Money unitPrice, int quantity)
    {
        if (quantity is < 1 or > OrderLimits.MaxQuantityPerLine) throw new DomainException($"A line's quantity is between 1 and {OrderLimits.MaxQuantityPerLine}.");
        if (unitPrice.MinorUnits <= 0) throw new DomainException("A line's price must be positive.");
        SkuId = skuId;
        ProductId = productId;
        Title = title;
        SizeLabel = sizeLabel;
        ImageUrl = imageUrl;
        UnitPriceMinor = unitPrice.MinorUnits;
        Currency = unitPrice.Currency;
        Quantity = quantity;
    }

    public int Id { get; private set; }
    public int OrderId { get; private set; }
    public int SkuId { get; private set; }
    public int ProductId { get; private set; }
    public string Title { get; private set; } = "";
    public string SizeLabel { get; private set; } = "";
    public string? ImageUrl { get; private set; }
    public long UnitPriceMinor { get; private set; }
    public string Currency { get; private set; } = "";
    public int Quantity { get; private set; }

    public Money UnitPrice => new(Currency, UnitPriceMinor);
    public Money LineTotal => UnitPrice * Quantity;
}
