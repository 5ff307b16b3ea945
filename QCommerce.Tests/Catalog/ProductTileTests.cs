using Bunit;
using QCommerce.Core.Catalog;
using QCommerce.Core.Inventory;
using QCommerce.Web.Components.Store.Catalog;

namespace QCommerce.Tests.Catalog;

public class ProductTileTests : ComponentTestContext
{
    private static ProductCard Card(long? cents = 299, Availability? availability = null, int skuCount = 1) => new(
        7, "horizon-organic-whole-milk", "Whole Milk", "Horizon Organic", new ProductImage("/images/products/milk.svg", "Milk", 0),
        12, "1 L", skuCount, cents is null ? null : new Money("USD", cents.Value), availability);

    private IRenderedComponent<ProductTile> Render(ProductCard card) => Render<ProductTile>(p => p.Add(x => x.Product, card));

    [Fact]
    public void Shows_TitleBrandSizeAndPrice()
    {
        var tile = Render(Card(availability: new Availability(40, 5)));
        Assert.Equal("Whole Milk", tile.Find(".product-title").TextContent);
        Assert.Equal("Horizon Organic", tile.Find(".product-brand").TextContent);
        Assert.Equal("1 L", tile.Find(".product-size").TextContent);
        Assert.Equal("$2.99", tile.Find(".price").TextContent);
        Assert.Equal("In stock", tile.Find("[data-testid=availability]").TextContent);
        Assert.Equal("/p/horizon-organic-whole-milk", tile.Find("a.product-link").GetAttribute("href"));
    }

    [Fact]
    public void LowStock_SaysHowManyAreLeft()
    {
        var badge = Render(Card(availability: new Availability(3, 5))).Find("[data-testid=availability]");
        Assert.Equal("Only 3 left", badge.TextContent);
        Assert.Contains("low", badge.ClassList);
    }

    [Fact]
    public void SoldOut_IsLabelledAndGreyedOut()
    {
        var tile = Render(Card(availability: new Availability(0, 5)));
        Assert.Equal("Sold out", tile.Find("[data-testid=availability]").TextContent);
        Assert.Contains("is-sold-out", tile.Find("article").ClassList);
    }

    [Fact]
    public void WithoutAStore_AsksForOneInsteadOfAPrice()
    {
        var tile = Render(Card(cents: null, availability: null));
        Assert.Empty(tile.FindAll(".price"));
        Assert.Empty(tile.FindAll("[data-testid=availability]"));
        Assert.Contains("Choose a store", tile.Find(".no-price").TextContent);
    }

    [Fact]
    public void SeveralSizes_AreMentioned() => Assert.Equal("1 L · 3 sizes", Render(Card(skuCount: 3)).Find(".product-size").TextContent);

    [Fact]
    public void DecorativeImage_HasEmptyAltBecauseTheTitleFollows() =>
        Assert.Equal("", Render(Card()).Find("img").GetAttribute("alt"));
}
