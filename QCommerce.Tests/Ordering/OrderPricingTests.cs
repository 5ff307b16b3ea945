using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Ordering;

public sealed class OrderPricingTests
{
    private static Money Usd(long v) => new("USD", v);

    private static PriceBreakdown Price(long subtotal, long? discount = null, decimal tax = 0m) =>
        OrderPricing.Calculate(Usd(subtotal), discount is { } d ? Usd(d) : null, Usd(299), Usd(3500), tax);

    [Fact]
    public void Calculate_BelowTheThreshold_ChargesTheDeliveryFee()
    {
        var p = Price(3499);
        Assert.Equal(Usd(299), p.DeliveryFee);
        Assert.Equal(Usd(3798), p.Total);
    }

    [Fact]
    public void Calculate_AtTheThreshold_DeliversFree()
    {
        Assert.Equal(Usd(0), Price(3500).DeliveryFee);
        Assert.Equal(Usd(3500), Price(3500).Total);
    }

    [Fact]
    public void Calculate_ADiscountTakingGoodsBelowTheThreshold_ChargesTheFee()
    {
        var p = Price(3600, discount: 200);
        Assert.Equal(Usd(299), p.DeliveryFee);
        Assert.Equal(Usd(3400 + 299), p.Total);
    }

    [Fact]
    public void Calculate_AnEmptyBasket_CostsNothing()
    {
        Assert.Equal(PriceBreakdown.Zero("USD"), Price(0, tax: 8.875m));
    }

    [Fact]
    public void Calculate_TaxIsOnDiscountedGoodsOnly_NotOnDelivery()
    {
        // (2000 − 500) × 10% = 150; delivery 299 untaxed.
        var p = Price(2000, discount: 500, tax: 10m);
        Assert.Equal(Usd(150), p.Tax);
        Assert.Equal(Usd(1500 + 150 + 299), p.Total);
    }

    [Theory]
    [InlineData(1000, 8.875, 89)]   // 88.75 → 89: half away from zero
    [InlineData(200, 8.875, 18)]    // 17.75 → 18
    [InlineData(120, 8.875, 11)]    // 10.65 → 11
    [InlineData(100, 8.5, 9)]       // 8.5 → 9
    [InlineData(1100, 8.5, 94)]     // 93.5 → 94
    [InlineData(999, 8.875, 89)]    // 88.66 → 89
    [InlineData(40, 8.875, 4)]      // 3.55 → 4
    [InlineData(11, 8.875, 1)]      // 0.976 → 1
    [InlineData(5, 8.875, 0)]       // 0.44 → 0
    public void Calculate_RoundsTaxHalfAwayFromZeroToTheCent(long goods, double rate, long expectedTax)
    {
        Assert.Equal(Usd(expectedTax), Price(goods, tax: (decimal)rate).Tax);
    }

    [Fact]
    public void Calculate_ADiscountLargerThanTheSubtotal_IsCappedAtTheSubtotal()
    {
        var p = Price(400, discount: 1000);
        Assert.Equal(Usd(400), p.Discount);
        Assert.Equal(Usd(299), p.Total);
    }

    [Fact]
    public void Calculate_ANegativeDiscountOrRate_Throws()
    {
        Assert.Throws<DomainException>(() => Price(1000, discount: -1));
        Assert.Throws<DomainException>(() => Price(1000, tax: -1m));
        Assert.Throws<DomainException>(() => Price(1000, tax: 101m));
    }

    [Fact]
    public void Calculate_MixedCurrencies_Throws()
    {
        Assert.Throws<DomainException>(() => OrderPricing.Calculate(Usd(1000), new Money("EUR", 100), Usd(299), Usd(3500), 0));
    }

    [Fact]
    public void Calculate_TotalAlwaysAddsUp()
    {
        foreach (var subtotal in new long[] { 1, 99, 3499, 3500, 12345, 999_999 })
            foreach (var discount in new long[] { 0, 1, 500, 5000 })
            {
                var p = Price(subtotal, discount, 8.875m);
                Assert.Equal(p.Subtotal - p.Discount + p.DeliveryFee + p.Tax, p.Total);
                Assert.False(p.Total.IsNegative);
            }
    }

    [Fact]
    public void Reprice_AShortPick_ShrinksTheDiscountInProportion_AndKeepsTheFeeAsPromised()
    {
        // 40.00 of goods, 4.00 off (10%), free delivery (over 35.00), 8.875% tax.
        var placed = OrderPricing.Calculate(Usd(4000), Usd(400), Usd(299), Usd(3500), 8.875m);
        Assert.Equal(Usd(0), placed.DeliveryFee);

        // 10.00 of it was not found: 30.00 remain, below the threshold, and still no fee.
        var after = OrderPricing.Reprice(placed, Usd(3000), 8.875m);

        Assert.Equal(Usd(300), after.Discount);
        Assert.Equal(Usd(0), after.DeliveryFee);
        Assert.Equal(Usd(240), after.Tax); // 8.875% of 27.00 = 2.39625
        Assert.Equal(Usd(3000 - 300 + 240), after.Total);
    }

    [Fact]
    public void Reprice_KeepsAFeeThatWasCharged_AndRoundsTheDiscountShareHalfAwayFromZero()
    {
        var placed = OrderPricing.Calculate(Usd(1001), Usd(101), Usd(299), Usd(3500), 0m);
        var after = OrderPricing.Reprice(placed, Usd(500), 0m);
        Assert.Equal(Usd(50), after.Discount); // 101 × 500 / 1001 = 50.45
        Assert.Equal(Usd(299), after.DeliveryFee);
        Assert.Equal(Usd(500 - 50 + 299), after.Total);
    }

    [Fact]
    public void Reprice_NothingGone_IsThePlacedPrice_AndMoreThanWasOrderedIsRefused()
    {
        var placed = OrderPricing.Calculate(Usd(2599), Usd(260), Usd(299), Usd(3500), 8.875m);
        Assert.Equal(placed, OrderPricing.Reprice(placed, Usd(2599), 8.875m));
        Assert.Throws<DomainException>(() => OrderPricing.Reprice(placed, Usd(2600), 8.875m));
        Assert.Throws<DomainException>(() => OrderPricing.Reprice(placed, Usd(-1), 8.875m));
    }
}
