using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Ordering;

/// <summary>Changing, cancelling and expiring orders on a real database of each provider.</summary>
public abstract class OrderServiceTests(DatabaseProvider provider) : OrderingTestBase(provider)
{
    [Fact]
    public async Task ExpireDue_AfterTheTtl_CancelsTheUnpaidOrderReleasesItsStockAndSaysWhy()
    {
        var receipt = (await PlaceAsync(Command(method: PaymentMethod.Card))).Receipt;
        Harness.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(0, await Orders.ExpireDueAsync());

        Harness.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await Orders.ExpireDueAsync());

        Assert.Equal(0, (await Harness.StockAsync(Demo.Downtown, Skus[0])).Reserved);
        var order = await Harness.Get<OrderQueries>().FindAsync(Ana, receipt.OrderId);
        Assert.Equal(OrderStatus.Cancelled, order!.Status);
        var last = order.Timeline[^1];
        Assert.Equal(("system", OrderStatus.PendingPayment, OrderStatus.Cancelled), (last.Actor, last.From!.Value, last.To));
        Assert.Contains("not completed in time", last.Reason);
        Assert.Equal(0, await Orders.ExpireDueAsync()); // nothing twice
    }

    [Fact]
    public async Task ExpireDue_AnOrderWhoseReleaseFails_DoesNotHoldBackTheOrdersDueAfterIt()
    {
        var broken = (await PlaceAsync(Command(items: [new(Skus[2], 1)], method: PaymentMethod.Card))).Receipt;
        Harness.Clock.Advance(TimeSpan.FromMinutes(1));
        var fine = (await PlaceAsync(Command(items: [new(Skus[3], 1)], method: PaymentMethod.Card))).Receipt;
        await using (var db = Harness.Database.CreateContext()) // the first order's stock row no longer holds its reservation
            await db.Stock.Where(s => s.StoreId == Demo.Downtown && s.SkuId == Skus[2]).ExecuteUpdateAsync(s => s.SetProperty(x => x.Reserved, 0));
        Harness.Clock.Advance(TimeSpan.FromMinutes(15));

        Assert.Equal(1, await Orders.ExpireDueAsync());

        Assert.Equal(OrderStatus.Cancelled, (await Harness.Get<OrderQueries>().FindAsync(Ana, fine.OrderId))!.Status);
        Assert.Equal(OrderStatus.PendingPayment, (await Harness.Get<OrderQueries>().FindAsync(Ana, broken.OrderId))!.Status);
        Assert.Equal(0, (await Harness.StockAsync(Demo.Downtown, Skus[3])).Reserved);
    }

    [Fact]
    public async Task ExpireDue_RacingNewPlacementsAndOtherInstances_KeepsReservedEqualToWhatOrdersHold()
    {
        var sku = Skus[2];
        await Harness.SetStockAsync(Demo.Downtown, sku, 60);
        for (var i = 0; i < 10; i++) await PlaceAsync(Command(items: [new(sku, 2)]));
        Harness.Clock.Advance(TimeSpan.FromMinutes(16));

        var placements = Enumerable.Range(0, 40).Select(_ => Task.Run(async () =>
        {
            try { await PlaceAsync(Command(user: Ben, items: [new(sku, 1)])); } catch (RequestRejectedException) { }
        }));
        var sweeps = Enumerable.Range(0, 3).Select(_ => Task.Run(() => Orders.ExpireDueAsync()));
        await Task.WhenAll(placements.Concat(sweeps));

        await using var db = Harness.Database.CreateContext();
        Assert.Equal(10, await db.Orders.CountAsync(o => o.Status == OrderStatus.Cancelled));
        Assert.Equal(10, await db.OrderEvents.CountAsync(e => e.ToStatus == OrderStatus.Cancelled && e.Actor == "system"));
        var stock = await Harness.StockAsync(Demo.Downtown, sku);
        Assert.Equal(40, stock.Reserved);
        Assert.Equal(stock.Reserved, await Harness.HeldByOrdersAsync(Demo.Downtown, sku));
    }

    [Fact]
    public async Task Modify_MoreAndFewerItems_AdjustsTheReservationAndReprices()
    {
        var receipt = (await PlaceAsync(Command())).Receipt; // 2 × sku0, 1 × sku1
        var changed = await Orders.ModifyAsync(Ana, receipt.OrderId, new ModifyOrderCommand([new(Skus[0], 5), new(Skus[2], 1)], null));

        Assert.Equal(5, (await Harness.StockAsync(Demo.Downtown, Skus[0])).Reserved);
        Assert.Equal(0, (await Harness.StockAsync(Demo.Downtown, Skus[1])).Reserved);
        Assert.Equal(1, (await Harness.StockAsync(Demo.Downtown, Skus[2])).Reserved);
        Assert.NotEqual(receipt.SubtotalMinor, changed.SubtotalMinor);
        var order = await Harness.Get<OrderQueries>().FindAsync(Ana, receipt.OrderId);
        Assert.Equal([(Skus[0], 5), (Skus[2], 1)], order!.Lines.Select(l => (l.SkuId, l.Quantity)));
        Assert.Equal("Items changed.", order.Timeline[^1].Reason);
    }

    [Fact]
    public async Task Modify_BeyondTheStock_ChangesNothing()
    {
        await Harness.SetStockAsync(Demo.Downtown, Skus[0], 4);
        var receipt = (await PlaceAsync(Command())).Receipt;
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() =>
            Orders.ModifyAsync(Ana, receipt.OrderId, new ModifyOrderCommand([new(Skus[0], 5)], null)));
        Assert.Contains("Only 4", error.Errors["items[0].qty"][0]);
        Assert.Equal(2, (await Harness.StockAsync(Demo.Downtown, Skus[0])).Reserved);
    }

    [Fact]
    public async Task Modify_TheAddressOutsideTheZone_IsRefused_InsideIsRecorded()
    {
        var receipt = (await PlaceAsync(Command())).Receipt;
        await Assert.ThrowsAsync<RequestRejectedException>(() =>
            Orders.ModifyAsync(Ana, receipt.OrderId, new ModifyOrderCommand(null, new OrderAddressInput("1 Court St", null, "Brooklyn", "11201"))));
        await Orders.ModifyAsync(Ana, receipt.OrderId, new ModifyOrderCommand(null, new OrderAddressInput("5 Bleecker St", null, "New York", "10012")));
        var order = await Harness.Get<OrderQueries>().FindAsync(Ana, receipt.OrderId);
        Assert.Equal("10012", order!.Address.Zip);
        Assert.Equal("Delivery address changed.", order.Timeline[^1].Reason);
    }

    [Fact]
    public async Task Modify_OrCancel_ACancelledOrder_IsAConflict()
    {
        var receipt = (await PlaceAsync(Command())).Receipt;
        await Orders.CancelAsync(Ana, receipt.OrderId, null);
        await Assert.ThrowsAsync<ConflictException>(() => Orders.ModifyAsync(Ana, receipt.OrderId, new ModifyOrderCommand([new(Skus[0], 1)], null)));
        await Assert.ThrowsAsync<ConflictException>(() => Orders.CancelAsync(Ana, receipt.OrderId, null));
    }

    [Fact]
    public async Task AnotherShoppersOrder_DoesNotExistForThem()
    {
        var receipt = (await PlaceAsync(Command(user: Ana))).Receipt;
        await Assert.ThrowsAsync<NotFoundException>(() => Orders.CancelAsync(Ben, receipt.OrderId, null));
        await Assert.ThrowsAsync<NotFoundException>(() => Orders.ModifyAsync(Ben, receipt.OrderId, new ModifyOrderCommand([new(Skus[0], 1)], null)));
        Assert.Null(await Harness.Get<OrderQueries>().FindAsync(Ben, receipt.OrderId));
        Assert.Equal(0, (await Harness.Get<OrderQueries>().ListAsync(Ben, 1, 20)).Total);
        Assert.Equal(OrderStatus.PendingConfirmation, (await Harness.Get<OrderQueries>().FindAsync(Ana, receipt.OrderId))!.Status);
    }

    [Fact]
    public async Task CancelRacingTheExpiry_BothHavingReadTheOrder_ReleasesTheStockOnce()
    {
        var placed = await PlaceAsync(Command());
        Harness.Clock.Advance(TimeSpan.FromMinutes(16));
        // On PostgreSQL both load the order (with its lines) before either writes: only the order's version can make one
        // lose. SQLite lets one writer in at a time (BEGIN IMMEDIATE): the first is paused after its read while the
        // other queues, and that one reads what the first committed.
        var sqlite = Harness.Database.Provider == DatabaseProvider.Sqlite;
        var meet = new ReadersMeet("LEFT JOIN \"OrderLines\"", orGoOnAfter: sqlite ? TimeSpan.FromMilliseconds(500) : null);
        Harness.Database.Interceptors.Add(meet);

        var cancel = Task.Run(async () =>
        {
            try { await Orders.CancelAsync(Ana, placed.Receipt.OrderId, "racing"); }
            catch (ConflictException) { } // the expiry won
        });
        var expire = Task.Run(() => Orders.ExpireDueAsync());
        await Task.WhenAll(cancel, expire);

        Assert.True(meet.Met || sqlite, "both read the order before either wrote");
        await using var db = Harness.Database.CreateContext();
        var order = await db.Orders.Include(o => o.Events).SingleAsync(o => o.Id == placed.Receipt.OrderId);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Single(order.Events, e => e.ToStatus == OrderStatus.Cancelled);
        Assert.Equal(0, (await Harness.StockAsync(Demo.Downtown, Skus[0])).Reserved);
        Assert.Equal(0, (await Harness.StockAsync(Demo.Downtown, Skus[1])).Reserved);
        Assert.Equal(50, (await Harness.StockAsync(Demo.Downtown, Skus[0])).OnHand);
    }
}

public sealed class SqliteOrderServiceTests() : OrderServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresOrderServiceTests() : OrderServiceTests(DatabaseProvider.Postgres);
