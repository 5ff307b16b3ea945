using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Catalog;

public class ProductTests
{
    private static readonly Category Dairy = new("Dairy", "dairy", 0);

    private static Sku Sku(string code, decimal size = 1) => new(code, "0000000000000", SkuUnit.Litre, size);

    private static Product Milk(params Sku[] skus) =>
        new("Whole Milk", "whole-milk", "Fresh milk.", "Horizon", Dairy, skus, [new ProductImage("/img/milk.svg", "Milk", 0)]);

    [Fact]
    public void New_WithoutSkus_Throws() => Assert.Throws<DomainException>(() => Milk());

    [Fact]
    public void New_WithTwoSkusOfOneCode_Throws() => Assert.Throws<DomainException>(() => Milk(Sku("milk-1"), Sku("milk-1", 2)));

    [Theory]
    [InlineData("")]
    [InlineData("   ")]
    public void New_WithoutTitle_Throws(string title) =>
        Assert.Throws<DomainException>(() => new Product(title, "slug", "", "Brand", Dairy, [Sku("a")], []));

    [Fact]
    public void New_IsActiveAndNotFeatured()
    {
        var milk = Milk(Sku("milk-1"));
        Assert.True(milk.IsActive);
        Assert.False(milk.IsFeatured);
    }

    [Fact]
    public void RemoveSku_TheLastOne_Throws()
    {
        var milk = Milk(Sku("milk-1"));
        Assert.Throws<DomainException>(() => milk.RemoveSku("milk-1"));
        Assert.Single(milk.Skus);
    }

    [Fact]
    public void RemoveSku_WhenAnotherRemains_Removes()
    {
        var milk = Milk(Sku("milk-1"), Sku("milk-2", 2));
        milk.RemoveSku("milk-1");
        Assert.Equal("milk-2", Assert.Single(milk.Skus).Code);
    }

    [Fact]
    public void AddSku_WithACodeItHas_Throws() => Assert.Throws<DomainException>(() => Milk(Sku("milk-1")).AddSku(Sku("milk-1")));

    [Fact]
    public void Sku_WithNonPositiveSize_Throws() => Assert.Throws<DomainException>(() => Sku("x", 0));

    [Theory]
    [InlineData(SkuUnit.Gram, 500, "500 g")]
    [InlineData(SkuUnit.Litre, 1.5, "1.5 L")]
    [InlineData(SkuUnit.Piece, 1, "1 piece")]
    [InlineData(SkuUnit.Piece, 6, "6 pieces")]
    [InlineData(SkuUnit.Pack, 6, "6-pack")]
    [InlineData(SkuUnit.Millilitre, 330, "330 ml")]
    public void SizeLabel_ReadsAsOnThePack(SkuUnit unit, double size, string expected) =>
        Assert.Equal(expected, SkuSizes.Label(unit, (decimal)size));
}
