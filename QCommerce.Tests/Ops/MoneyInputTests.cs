using QCommerce.Web.Components.Ops;

namespace QCommerce.Tests.Ops;

/// <summary>Amounts staff type: an amount, or nothing; never a reading of something else.</summary>
public sealed class MoneyInputTests
{
    [Theory]
    [InlineData("4.50", 450)]
    [InlineData("12", 1200)]
    [InlineData(" 0.05 ", 5)]
    [InlineData("0", 0)]
    public void AnAmount_IsItsMinorUnits(string text, long expected) => Assert.Equal(expected, MoneyInput.Parse(text));

    [Theory]
    [InlineData("5,00")]   // would be 500 to a parser that takes the comma for thousands
    [InlineData("1e3")]
    [InlineData("-5")]
    [InlineData("0.001")]
    [InlineData("$4")]
    [InlineData("")]
    [InlineData(null)]
    [InlineData("9999999999")]
    public void AnythingElse_IsNoAmount(string? text) => Assert.Null(MoneyInput.Parse(text));
}
