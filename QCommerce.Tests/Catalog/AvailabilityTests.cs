using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Catalog;

/// <summary>What the shopper is told about stock.</summary>
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
}
