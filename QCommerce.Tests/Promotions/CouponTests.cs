using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Promotions;

public sealed class CouponTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 15, 0, 0, DateTimeKind.Utc);
    private static Money Usd(long v) => new("USD", v);

    private static Coupon TenPercent(int? usageLimit = null, int? perCustomer = null, int? region = null, DateTime? to = null) =>
        Coupon.PercentOffCoupon("welcome10", 10, Usd(2000), Now.AddDays(-1), to, usageLimit, perCustomer, region);

    [Fact]
    public void Evaluate_Percent_RoundsTheDiscountDownToTheCent()
    {
        var d = TenPercent().Evaluate(Usd(2345), 1, 0, Now);
        Assert.True(d.Applies);
        Assert.Equal(Usd(234), d.Discount);
    }

    [Fact]
    public void Evaluate_FixedAmount_NeverExceedsTheGoods()
    {
        var coupon = Coupon.AmountOffCoupon("SAVE50", Usd(5000), Usd(0), Now.AddDays(-1));
        Assert.Equal(Usd(1200), coupon.Evaluate(Usd(1200), 1, 0, Now).Discount);
    }

    [Fact]
    public void Evaluate_BelowTheMinimumBasket_SaysHowMuchMoreToAdd()
    {
        var d = TenPercent().Evaluate(Usd(1500), 1, 0, Now);
        Assert.False(d.Applies);
        Assert.Contains("add $5.00 more", d.Message);
    }

    [Fact]
    public void Evaluate_AtTheMinimumBasket_Applies() => Assert.True(TenPercent().Evaluate(Usd(2000), 1, 0, Now).Applies);

    [Fact]
    public void Evaluate_Expired_SaysItExpired()
    {
        var d = TenPercent(to: Now.AddDays(-1).AddHours(1)).Evaluate(Usd(5000), 1, 0, Now);
        Assert.False(d.Applies);
        Assert.Contains("expired", d.Message);
    }

    [Fact]
    public void Evaluate_NotYetValid_SaysWhen()
    {
        var coupon = Coupon.PercentOffCoupon("LATER", 10, Usd(0), Now.AddDays(2));
        Assert.Contains("not valid until", coupon.Evaluate(Usd(5000), 1, 0, Now).Message);
    }

    [Fact]
    public void Evaluate_InAnotherRegion_DoesNotApply()
    {
        Assert.False(TenPercent(region: 2).Evaluate(Usd(5000), 1, 0, Now).Applies);
        Assert.True(TenPercent(region: 2).Evaluate(Usd(5000), 2, 0, Now).Applies);
    }

    [Fact]
    public void Evaluate_PerCustomerLimitReached_SaysAlreadyUsed()
    {
        var d = TenPercent(perCustomer: 1).Evaluate(Usd(5000), 1, customerUses: 1, Now);
        Assert.False(d.Applies);
        Assert.Contains("already used", d.Message);
    }

    [Fact]
    public void Normalize_TrimsAndUppercases_AndRefusesJunk()
    {
        Assert.Equal("WELCOME10", Coupon.Normalize("  welcome10 "));
        Assert.Null(Coupon.Normalize("x"));
        Assert.Null(Coupon.Normalize("DROP TABLE"));
        Assert.Null(Coupon.Normalize(new string('A', 33)));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(101)]
    public void PercentOff_OutsideOneToHundred_Throws(int percent) =>
        Assert.Throws<DomainException>(() => Coupon.PercentOffCoupon("BAD", percent, Usd(0), Now));
}
