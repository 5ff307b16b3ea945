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
    /// <summary>What the shopper ordered.</summary>
    public int Quantity { get; private set; }

    /// <summary>Units the picker could not find (a short pick): not delivered, not charged.</summary>
    public int ShortQuantity { get; private set; }

    /// <summary>Units staff refunded after picking (damaged, missing at the door); they stay on the order as bought.</summary>
    public int RefundedQuantity { get; private set; }

    /// <summary>What leaves the store: ordered less short-picked.</summary>
    public int PickedQuantity => Quantity - ShortQuantity;

    public Money UnitPrice => new(Currency, UnitPriceMinor);

    /// <summary>What the line costs: the units that were picked (all of them until picking is done).</summary>
    public Money LineTotal => UnitPrice * PickedQuantity;

    internal void ShortPick(int found)
    {
        if (found < 0 || found > Quantity) throw new DomainException($"Between 0 and {Quantity} of {Title} can be picked.");
        ShortQuantity = Quantity - found;
    }

    internal void Refund(int units)
    {
        if (units < 1 || units > PickedQuantity - RefundedQuantity)
            throw new DomainException($"At most {PickedQuantity - RefundedQuantity} of {Title} can still be refunded.");
        RefundedQuantity += units;
    }
}
