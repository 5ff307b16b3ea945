using QCommerce.Core.Cart;

namespace QCommerce.Core.Ordering;

/// <summary>
/// One line of an order, with the title and price the shopper saw when placing it, its share of the order's discount and
/// tax, and what became of its units: each one is kept by the shopper, short (not found at the pick) or refunded (before
/// the pick: it left the pick list; after it: damaged, missing at the door). A unit is given back once at most.
/// </summary>
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

    /// <summary>This line's part of the order's discount, for all of its <see cref="Quantity"/> (fixed when the order is priced).</summary>
    public long DiscountMinor { get; private set; }

    /// <summary>This line's part of the order's tax, for all of its <see cref="Quantity"/>.</summary>
    public long TaxMinor { get; private set; }

    /// <summary>Units the picker could not find (a short pick): not delivered, not charged.</summary>
    public int ShortQuantity { get; private set; }

    /// <summary>Units staff refunded, before the pick or after it.</summary>
    public int RefundedQuantity { get; private set; }

    /// <summary>Of <see cref="RefundedQuantity"/>, those refunded before the pick: they never left the shelf and are not picked.</summary>
    public int RemovedQuantity { get; private set; }

    /// <summary>Money given back for this line's units, by refunds and short picks; never more than <see cref="ShareMinor"/>.</summary>
    public long RefundedMinor { get; private set; }

    /// <summary>What leaves the store, or is still to: ordered, less units short and units refunded before the pick.</summary>
    public int PickedQuantity => Quantity - ShortQuantity - RemovedQuantity;

    /// <summary>Units the shopper gets and pays for: neither short nor refunded.</summary>
    public int KeptQuantity => Quantity - ShortQuantity - RefundedQuantity;

    public Money UnitPrice => new(Currency, UnitPriceMinor);

    /// <summary>The goods of the line at their price: the units picked (all of them until picking is done).</summary>
    public Money LineTotal => UnitPrice * PickedQuantity;

    /// <summary>What the whole line cost the shopper: its goods less its discount, plus its tax.</summary>
    public long ShareMinor => UnitPriceMinor * Quantity - DiscountMinor + TaxMinor;

    /// <summary>
    /// What <paramref name="units"/> of the line are worth to the shopper: their price less their part of the line's discount,
    /// plus their part of its tax. Parts are rounded half away from zero, so all units are worth exactly <see cref="ShareMinor"/>
    /// and giving back units one at a time gives back what giving them back at once would.
    /// </summary>
    public long WorthOf(int units) => UnitPriceMinor * units - Part(DiscountMinor, units) + Part(TaxMinor, units);

    /// <summary>The discount of <paramref name="units"/> of the line.</summary>
    public long DiscountOf(int units) => Part(DiscountMinor, units);

    /// <summary>The tax of <paramref name="units"/> of the line.</summary>
    public long TaxOf(int units) => Part(TaxMinor, units);

    private long Part(long whole, int units) => units == Quantity ? whole : (2 * whole * units + Quantity) / (2L * Quantity);

    internal void Allocate(long discountMinor, long taxMinor)
    {
        if (discountMinor < 0 || discountMinor > UnitPriceMinor * Quantity || taxMinor < 0)
            throw new DomainException($"{Title}: a line's discount is between nothing and its goods, and its tax is not negative.");
        DiscountMinor = discountMinor;
        TaxMinor = taxMinor;
    }

    internal void ShortPick(int found)
    {
        var toPick = Quantity - RemovedQuantity;
        if (found < 0 || found > toPick) throw new DomainException($"Between 0 and {toPick} of {Title} can be picked.");
        ShortQuantity = toPick - found;
    }

    /// <summary>Units refunded; before the pick they also leave the pick list.</summary>
    internal void Refund(int units, bool beforePick)
    {
        if (units < 1 || units > KeptQuantity) throw new DomainException($"At most {KeptQuantity} of {Title} can still be refunded.");
        RefundedQuantity += units;
        if (beforePick) RemovedQuantity += units;
    }

    internal void GaveBack(long minor)
    {
        if (minor < 0 || RefundedMinor + minor > ShareMinor)
            throw new DomainException($"{Title} cost {new Money(Currency, ShareMinor)}; it cannot give back more than that.");
        RefundedMinor += minor;
    }
}
