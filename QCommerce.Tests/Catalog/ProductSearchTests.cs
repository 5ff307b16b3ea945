using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Catalog;

/// <summary>What a search box's text becomes before it reaches either database's full-text search.</summary>
public class ProductSearchTests
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
