using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Catalog;

public class PriceTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 12, 0, 0, DateTimeKind.Utc);
    private const int Sku = 7, North = 1, South = 2;

    private static Price At(long cents, int region, DateTime from, DateTime? to = null) => new(Sku, region, new Money("USD", cents), from, to);

    [Fact]
    public void Resolve_PicksThePriceOfTheRequestedRegion()
    {
        var prices = new[] { At(299, North, Now.AddDays(-10)), At(279, South, Now.AddDays(-10)) };
        Assert.Equal(279, Price.Resolve(prices, Sku, South, Now)!.AmountMinor);
        Assert.Equal(299, Price.Resolve(prices, Sku, North, Now)!.AmountMinor);
    }

    [Fact]
    public void Resolve_WhenAPromotionOverlaps_TheLaterStartWins()
    {
        var prices = new[] { At(299, North, Now.AddDays(-30)), At(249, North, Now.AddDays(-1), Now.AddDays(6)) };
        Assert.Equal(249, Price.Resolve(prices, Sku, North, Now)!.AmountMinor);
    }

    [Fact]
    public void Resolve_AfterThePromotionEnds_FallsBackToTheRegularPrice()
    {
        var prices = new[] { At(299, North, Now.AddDays(-30)), At(249, North, Now.AddDays(-10), Now.AddDays(-3)) };
        Assert.Equal(299, Price.Resolve(prices, Sku, North, Now)!.AmountMinor);
    }

    [Fact]
    public void Resolve_AFuturePrice_IsNotYetInForce()
    {
        var prices = new[] { At(299, North, Now.AddDays(-30)), At(349, North, Now.AddHours(1)) };
        Assert.Equal(299, Price.Resolve(prices, Sku, North, Now)!.AmountMinor);
    }

    [Fact]
    public void Resolve_EndIsExclusive()
    {
        var prices = new[] { At(299, North, Now.AddDays(-1), Now) };
        Assert.Null(Price.Resolve(prices, Sku, North, Now));
        Assert.NotNull(Price.Resolve(prices, Sku, North, Now.AddTicks(-1)));
    }

    [Fact]
    public void Resolve_WithNoPriceForTheRegion_IsNull() =>
        Assert.Null(Price.Resolve([At(299, North, Now.AddDays(-1))], Sku, South, Now));

    [Fact]
    public void New_WithZeroOrNegativeAmount_Throws()
    {
        Assert.Throws<DomainException>(() => At(0, North, Now));
        Assert.Throws<DomainException>(() => At(-1, North, Now));
    }

    [Fact]
    public void New_EndingBeforeItStarts_Throws() => Assert.Throws<DomainException>(() => At(100, North, Now, Now.AddSeconds(-1)));
}
