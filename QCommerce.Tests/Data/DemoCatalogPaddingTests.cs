using Microsoft.Extensions.Logging;
using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Data;

/// <summary>The padded demo catalog (Database:DemoCatalogProducts) on SQLite: the count asked for, each product sold and stocked, each ledger opened, a rerun adding nothing.</summary>
public sealed class DemoCatalogPaddingTests : IAsyncLifetime
{
    private ServiceHarness _h = null!;

    public async Task InitializeAsync() => _h = await ServiceHarness.CreateAsync(DatabaseProvider.Sqlite);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task PaddingTheCatalog_MakesSoldStockedProducts_WithOpenedLedgers_Once()
    {
        var logger = _h.Get<ILoggerFactory>().CreateLogger("test");
        await using (var db = _h.Database.CreateContext()) await DemoData.PadCatalogAsync(db, 1_250, _h.Clock, logger);
        await using (var db = _h.Database.CreateContext()) await DemoData.PadCatalogAsync(db, 1_250, _h.Clock, logger);

        await using var check = _h.Database.CreateContext();
        Assert.Equal(1_250, await check.Products.CountAsync());
        var padded = await check.Skus.Where(s => s.Code.StartsWith("catalog-")).Select(s => s.Id).ToListAsync();
        Assert.True(padded.Count > 1_000);
        Assert.Equal(padded.Count * 2, await check.Prices.CountAsync(p => padded.Contains(p.SkuId)));
        Assert.Equal(padded.Count * 3, await check.Stock.CountAsync(s => padded.Contains(s.SkuId)));
        var unbalanced = await check.Stock.Where(s => padded.Contains(s.SkuId))
            .Where(s => s.OnHand != check.StockMovements.Where(m => m.StoreId == s.StoreId && m.SkuId == s.SkuId).Sum(m => m.Quantity)).CountAsync();
        Assert.Equal(0, unbalanced);
        Assert.All(await check.Skus.Where(s => padded.Contains(s.Id)).Select(s => s.Barcode).Take(50).ToListAsync(), b => Assert.Null(Barcodes.Problem(b)));
        var grid = await _h.Get<OpsProductQueries>().ListAsync(new OpsProductFilter(), 20, 50);
        Assert.Equal((1_250, 50), (grid.Total, grid.Items.Count));
    }

    /// <summary>
    /// Padding and a history seeded together (as bench/run.sh starts the app): on one context, one after the other.
    /// The padding once left change detection off, so every history order stayed as placed, holding stock it never
    /// reserved, and the reservation sweep failed on the first of them for good.
    /// </summary>
    [Fact]
    public async Task APaddedCatalog_ThenAnOrderHistory_OnOneContext_MovesTheOrdersAlong()
    {
        var logger = _h.Get<ILoggerFactory>().CreateLogger("test");
        await using (var db = _h.Database.CreateContext())
        {
            await DemoData.PadCatalogAsync(db, 300, _h.Clock, logger);
            await DemoData.SeedOrderHistoryAsync(db, 200, _ => 8.875m, _h.Clock, logger);
        }

        await using var check = _h.Database.CreateContext();
        Assert.Equal(200, await check.Orders.CountAsync());
        Assert.True(await check.Orders.CountAsync(o => o.Status == QCommerce.Core.Ordering.OrderStatus.Delivered) > 100, "most of a history is delivered");
        Assert.Equal(0, await check.Orders.CountAsync(o => o.ReservationStatus == QCommerce.Core.Ordering.ReservationStatus.Held));
    }
}
