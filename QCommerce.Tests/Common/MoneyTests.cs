namespace QCommerce.Tests.Common;

public class MoneyTests
{
    private static Money Usd(long cents) => new("USD", cents);

    [Fact]
    public void Add_SameCurrency_SumsMinorUnits() => Assert.Equal(Usd(1548), Usd(1299) + Usd(249));

    [Fact]
    public void Subtract_SameCurrency_CanGoNegative() => Assert.Equal(Usd(-50), Usd(100) - Usd(150));

    [Fact]
    public void Multiply_ByQuantity_Scales() => Assert.Equal(Usd(3897), Usd(1299) * 3);

    [Fact]
    public void Add_DifferentCurrencies_Throws()
    {
        var e = Assert.Throws<DomainException>(() => Usd(100) + new Money("EUR", 100));
        Assert.Contains("USD", e.Message);
        Assert.Contains("EUR", e.Message);
    }

    [Fact]
    public void Compare_DifferentCurrencies_Throws() => Assert.Throws<DomainException>(() => Usd(100) < new Money("EUR", 200));

    [Fact]
    public void Compare_SameCurrency_OrdersByAmount()
    {
        Assert.True(Usd(100) < Usd(200));
        Assert.True(Usd(200) >= Usd(200));
        Assert.False(Usd(300) <= Usd(200));
    }

    [Fact]
    public void Multiply_Overflow_ThrowsInsteadOfWrapping() => Assert.Throws<OverflowException>(() => Usd(long.MaxValue / 2) * 3);

    [Theory]
    [InlineData("usd")]
    [InlineData("US")]
    [InlineData("")]
    [InlineData("DOLLARS")]
    public void New_WithInvalidCurrency_Throws(string currency) => Assert.Throws<DomainException>(() => new Money(currency, 1));

    [Fact]
    public void Sum_OfNothing_IsZeroInThatCurrency() => Assert.Equal(Money.Zero("USD"), Money.Sum("USD", []));

    [Fact]
    public void Sum_OfMixedCurrencies_Throws() => Assert.Throws<DomainException>(() => Money.Sum("USD", [Usd(1), new Money("GBP", 1)]));

    [Theory]
    [InlineData("USD", 1299, "$12.99")]
    [InlineData("USD", 5, "$0.05")]
    [InlineData("USD", 123456, "$1,234.56")]
    [InlineData("USD", -250, "-$2.50")]
    [InlineData("EUR", 350, "€3.50")]
    [InlineData("JPY", 500, "¥500")]
    [InlineData("CHF", 1000, "10.00 CHF")]
    public void Format_UsesTheCurrencysSymbolAndDecimals(string currency, long minor, string expected) =>
        Assert.Equal(expected, new Money(currency, minor).Format());
}
