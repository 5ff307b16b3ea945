using QCommerce.Core.Promotions;

namespace QCommerce.Core.Ordering;

/// <summary>
/// The order's items, address and price: set when it is placed, changed by the shopper only before a payment is in flight,
/// and each line's part of the discount and tax worked out whenever the price is (what a unit is worth when it goes back).
/// </summary>
public sealed partial class Order
{
    public void ReplaceLines(IEnumerable<OrderLine> lines, PriceBreakdown price, string? couponCode, string actor, DateTime now)
    {
        EnsureModifiable("change the items of");
        SetLines(lines, price, couponCode);
        Touch(now, actor, "Items changed.");
    }

    public void ChangeAddress(DeliveryAddress address, PriceBreakdown price, string actor, DateTime now)
    {
        EnsureModifiable("change the address of");
        SetAddress(address);
        SetTotals(price);
        Touch(now, actor, "Delivery address changed.");
    }

    private void EnsureModifiable(string action)
    {
        if (!CanBeModified)
            throw new ConflictException($"Cannot {action} order {PublicId}: it is {Status}; changes are possible only before payment.");
    }

    private void SetLines(IEnumerable<OrderLine> lines, PriceBreakdown price, string? couponCode)
    {
        var list = lines.ToList();
        if (list.Count == 0) throw new DomainException("An order needs at least one item.");
        if (list.Select(l => l.Currency).Distinct().Count() != 1 || list[0].Currency != price.Total.Currency)
            throw new DomainException("An order is priced in one currency.");
        if (Common.Money.Sum(price.Total.Currency, list.Select(l => l.LineTotal)) != price.Subtotal)
            throw new DomainException("An order's subtotal must be the sum of its lines.");
        _lines.Clear();
        _lines.AddRange(list);
        Currency = price.Total.Currency;
        CouponCode = couponCode;
        SetTotals(price);
    }

    /// <summary>
    /// The order's price, and each line's part of its discount and tax: shared in proportion to the line's goods (the tax to
    /// its goods less its discount), largest remainders first, so the parts add up to the order's to the minor unit.
    /// </summary>
    private void SetTotals(PriceBreakdown price)
    {
        SubtotalMinor = price.Subtotal.MinorUnits;
        DiscountMinor = price.Discount.MinorUnits;
        DeliveryFeeMinor = price.DeliveryFee.MinorUnits;
        TaxMinor = price.Tax.MinorUnits;
        TotalMinor = price.Total.MinorUnits;
        var goods = _lines.Select(l => l.UnitPriceMinor * l.Quantity).ToList();
        var discounts = Share(DiscountMinor, goods);
        var taxes = Share(TaxMinor, goods.Select((g, i) => g - discounts[i]).ToList());
        for (var i = 0; i < _lines.Count; i++) _lines[i].Allocate(discounts[i], taxes[i]);
    }

    /// <summary><paramref name="whole"/> shared by <paramref name="weights"/>: floors first, then a minor unit each to the largest remainders.</summary>
    internal static long[] Share(long whole, IReadOnlyList<long> weights)
    {
        var total = weights.Sum();
        if (total <= 0) return weights.Select(_ => 0L).ToArray();
        var parts = weights.Select(w => (long)((decimal)whole * w / total)).ToArray();
        var order = weights.Select((w, i) => (i, Remainder: (decimal)whole * w % total)).OrderByDescending(x => x.Remainder).ThenBy(x => x.i).ToList();
        var missing = whole - parts.Sum();
        for (var k = 0; k < missing; k++) parts[order[k % order.Count].i]++;
        return parts;
    }

    private void SetAddress(DeliveryAddress address)
    {
        AddressLine1 = address.Line1;
        AddressLine2 = address.Line2;
        AddressCity = address.City;
        AddressZip = address.Zip;
        ContactPhone = address.Phone;
        DeliveryInstructions = address.Instructions;
    }

    private void SetDelivery(DeliveryPromise delivery)
    {
        DeliveryKind = delivery.Kind;
        SlotId = delivery.SlotId;
        DeliveryFromUtc = delivery.FromUtc;
        DeliveryByUtc = delivery.ByUtc;
    }
}
