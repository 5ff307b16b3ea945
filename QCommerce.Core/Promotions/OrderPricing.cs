using QCommerce.Core.Stores;

namespace QCommerce.Core.Promotions;

/// <summary>What an order costs, every amount in minor units of one currency.</summary>
public sealed record PriceBreakdown(Money Subtotal, Money Discount, Money DeliveryFee, Money Tax, Money Total)
{
    public static PriceBreakdown Zero(string currency) =>
        new(Money.Zero(currency), Money.Zero(currency), Money.Zero(currency), Money.Zero(currency), Money.Zero(currency));
}

/// <summary>
/// The one place an order's total is computed (architecture §3):
/// total = subtotal − discount + delivery fee + tax.
/// <list type="bullet">
/// <item>The discount never exceeds the subtotal.</item>
/// <item>Delivery is free when the discounted goods reach the store's threshold; an empty basket pays no fee.</item>
/// <item>Tax is the region's rate on the discounted goods only (not on delivery), rounded half away
/// from zero to the minor unit, computed in <see cref="decimal"/>: no binary floating point.</item>
/// </list>
/// </summary>
public static class OrderPricing
{
    public static PriceBreakdown Calculate(Money subtotal, Money? discount, Money deliveryFee, Money freeDeliveryThreshold, decimal taxRatePercent)
    {
        if (subtotal.IsNegative) throw new DomainException("A subtotal cannot be negative.");
        if (taxRatePercent is < 0 or > 100) throw new DomainException("A tax rate is a percentage between 0 and 100.");
        var currency = subtotal.Currency;
        var off = discount is { } d ? (d > subtotal ? subtotal : d) : Money.Zero(currency);
        if (off.IsNegative) throw new DomainException("A discount cannot be negative.");
        var goods = subtotal - off;
        var fee = subtotal.IsZero || goods >= freeDeliveryThreshold ? Money.Zero(currency) : deliveryFee;
        var tax = new Money(currency, (long)Math.Round(goods.MinorUnits * taxRatePercent / 100m, 0, MidpointRounding.AwayFromZero));
        return new PriceBreakdown(subtotal, off, fee, tax, goods + fee + tax);
    }

    public static PriceBreakdown Calculate(Money subtotal, Money? discount, StoreSummary store, decimal taxRatePercent) =>
        Calculate(subtotal, discount, store.DeliveryFee, store.FreeDeliveryThreshold, taxRatePercent);

    /// <summary>
    /// What a placed order costs once some of its goods are gone (a short pick, units refunded): the goods that remain
    /// at <paramref name="subtotal"/>, the discount shrunk in proportion (rounded half away from zero; a fixed-amount
    /// coupon is shared over the goods like a percentage one), the delivery fee kept as promised (never raised because
    /// the basket fell below the free-delivery threshold, never added to a free delivery), tax on the discounted goods.
    /// </summary>
    public static PriceBreakdown Reprice(PriceBreakdown placed, Money subtotal, decimal taxRatePercent)
    {
        if (subtotal.IsNegative || subtotal > placed.Subtotal) throw new DomainException("What remains of an order costs between nothing and what it did.");
        var currency = placed.Subtotal.Currency;
        var discount = placed.Subtotal.IsZero ? Money.Zero(currency)
            : new Money(currency, (long)Math.Round((decimal)placed.Discount.MinorUnits * subtotal.MinorUnits / placed.Subtotal.MinorUnits, 0, MidpointRounding.AwayFromZero));
        var goods = subtotal - discount;
        var tax = new Money(currency, (long)Math.Round(goods.MinorUnits * taxRatePercent / 100m, 0, MidpointRounding.AwayFromZero));
        return new PriceBreakdown(subtotal, discount, placed.DeliveryFee, tax, goods + placed.DeliveryFee + tax);
    }
}

/// <summary>Sales tax under <c>Orders</c> in appsettings.json: what the cart shows and an order charges.</summary>
public sealed class PricingOptions
{
    /// <summary>Sales tax in percent by region code; regions not listed use <see cref="DefaultTaxRate"/>.</summary>
    public Dictionary<string, decimal> TaxRates { get; set; } = new(StringComparer.OrdinalIgnoreCase);

    public decimal DefaultTaxRate { get; set; }

    public decimal TaxRateFor(string regionCode) => TaxRates.TryGetValue(regionCode, out var rate) ? rate : DefaultTaxRate;
}
