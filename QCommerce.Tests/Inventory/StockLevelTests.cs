using QCommerce.Core.Inventory;

namespace QCommerce.Tests.Inventory;

/// <summary>A store's stock of one SKU.</summary>
public class StockLevelTests
{
    [Fact]
    public void StockLevel_WithNegativeOnHand_Throws() => Assert.Throws<DomainException>(() => new StockLevel(1, 1, -1, 5));

    [Fact]
    public void StockLevel_AvailableIsOnHandLessReserved() => Assert.Equal(10, new StockLevel(1, 1, 10, 5).Available);
}
