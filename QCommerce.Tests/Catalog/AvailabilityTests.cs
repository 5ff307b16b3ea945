using QCommerce.Core.Catalog;
using QCommerce.Core.Common;
using QCommerce.Core.Inventory;

namespace QCommerce.Tests.Catalog;

public class AvailabilityTests
{
    [Theory]
    [InlineData(0, 5, false, false, "Sold out")]
    [InlineData(3, 5, true, true, "Only 3 left")]
    [InlineData(5, 5, true, true, "Only 5 left")]
    [InlineData(6, 5, true, false, "In stock")]
    public void Label_TellsTheShopperWhatIsLeft(int available, int threshold, bool inStock, bool low, string label)
    {
        var a = new Availability(available, threshold);
        Assert.Equal(inStock, a.InStock);
        Assert.Equal(low, a.IsLow);
        Assert.Equal(label, a.Label);
    }

    [Fact]
    public void StockLevel_WithNegativeOnHand_Throws() => Assert.Throws<DomainException>(() => new StockLevel(1, 1, -1, 5));

    [Fact]
    public void StockLevel_AvailableIsOnHandLessReserved() => Assert.Equal(10, new StockLevel(1, 1, 10, 5).Available);
}

public class ProductSearchTermsTests
{
    [Theory]
    [InlineData("Greek yogurt", new[] { "greek", "yogurt" })]
    [InlineData("  häagen-DAZS!! ", new[] { "haagen", "dazs" })]
    [InlineData("\"milk\" OR * NEAR(", new[] { "milk", "or", "near" })]
    [InlineData("'; DROP TABLE Products; --", new[] { "drop", "table", "products" })]
    [InlineData("!!!", new string[0])]
    [InlineData(null, new string[0])]
    public void Terms_KeepOnlyWords(string? text, string[] expected) => Assert.Equal(expected, ProductSearch.Terms(text));

    [Fact]
    public void Terms_AreCappedSoAQueryCannotGrowWithoutBound() =>
        Assert.Equal(ProductSearch.MaxTerms, ProductSearch.Terms(string.Join(' ', Enumerable.Range(0, 50).Select(i => $"w{i}"))).Count);
}
