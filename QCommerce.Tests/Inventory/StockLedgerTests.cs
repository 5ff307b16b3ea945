using QCommerce.Core.Catalog;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;

namespace QCommerce.Tests.Inventory;

/// <summary>
/// The stock ledger and staff adjustments on each provider: every change of on hand a typed movement that sums to on
/// hand (sales at commit, returns, counts, write-offs), refusals named (below reserved, absurd or negative quantities,
/// unknown SKUs, another store's staff), an audit row with each adjustment and none with a refusal, low-stock alerts
/// raised once per crossing with their outbox event, and the invariant kept under orders and adjustments racing.
/// </summary>
public abstract class StockLedgerTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly StaffActor Admin = TestStaff.Admin;
    private ServiceHarness _h = null!;
    private int[] _skus = [];
    private string _ana = "";

    private StockAdjustmentService Adjust => _h.Get<StockAdjustmentService>();
    private StockQueries Queries => _h.Get<StockQueries>();

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        _ana = await _h.CreateUserAsync("ana@example.com");
        _skus = await Demo.SkusAsync(_h.Database, 4);
        foreach (var sku in _skus) await _h.SetStockAsync(Demo.Downtown, sku, 50, lowStockThreshold: 5);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<int> PlaceCashOrderAsync(int sku, int qty)
    {
        var result = await _h.Get<CheckoutService>().PlaceOrderAsync(
            new PlaceOrderCommand(_ana, Demo.Downtown, [new(sku, qty)], Demo.DowntownAddress, null, null, PaymentMethod.CashOnDelivery), Guid.NewGuid().ToString());
        return result.Receipt.OrderId;
    }

    private async Task AssertLedgerSumsToOnHandAsync(int sku)
    {
        var stock = await _h.StockAsync(Demo.Downtown, sku);
        Assert.Equal(stock.OnHand, await _h.LedgerSumAsync(Demo.Downtown, sku));
    }

    private async Task<int> AuditCountAsync(string action)
    {
        await using var db = _h.Database.CreateContext();
        return await db.AuditLog.CountAsync(a => a.Action == action);
    }

    [Fact]
    public async Task TheSeed_StartsEveryLedgerWithItsOpeningBalance()
    {
        await using var db = _h.Database.CreateContext();
        var untouched = await db.Stock.AsNoTracking().Where(s => !_skus.Contains(s.SkuId)).Take(200).ToListAsync();
        foreach (var level in untouched)
            Assert.Equal(level.OnHand, await db.StockMovements.Where(m => m.StoreId == level.StoreId && m.SkuId == level.SkuId).SumAsync(m => m.Quantity));
        Assert.True(await db.StockMovements.AnyAsync(m => m.Kind == StockMovementKind.OpeningBalance));
        // A row that starts low is marked as low without an alert: nothing crossed.
        Assert.Contains(untouched, s => s.LowSinceUtc is not null && s.OnHand <= s.LowStockThreshold);
        Assert.False(await db.OutboxMessages.AnyAsync(m => m.Type == EventTypes.StockLow));
    }

    [Fact]
    public async Task EachAdjustmentType_MovesOnHand_IsInTheLedgerWithWhoAndWhy_AndAudited()
    {
        var sku = _skus[0];
        await Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Received, 24, "Delivery from Sysco"));
        await Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Damaged, 2, "Dropped a crate"));
        await Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Expired, 3, "Past its date"));
        var counted = await Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Count, 60, null));

        Assert.Equal((StockMovementKind.CountCorrection, -9, 60), (counted.Kind, counted.Change, counted.OnHand));
        Assert.Equal(60, (await _h.StockAsync(Demo.Downtown, sku)).OnHand);
        await AssertLedgerSumsToOnHandAsync(sku);
        var ledger = (await Queries.LedgerAsync(Admin, Demo.Downtown, sku, null))!;
        Assert.Equal(
            [(StockMovementKind.CountCorrection, -9, 60), (StockMovementKind.Expired, -3, 69), (StockMovementKind.Damaged, -2, 72), (StockMovementKind.Received, 24, 74)],
            ledger.Items.Take(4).Select(l => (l.Kind, l.Quantity, l.OnHandAfter)));
        Assert.Equal("ops:admin@qcommerce.test", ledger.Items[1].Actor);
        Assert.Equal("Past its date", ledger.Items[1].Note);
        Assert.Equal(4, await AuditCountAsync(AuditActions.StockAdjust));
    }

    [Fact]
    public async Task TheLedger_PagesBackwards_WithOnHandAfterEachLineExact()
    {
        var sku = _skus[1];
        for (var i = 1; i <= 7; i++) await Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Received, i, null));
        var first = (await Queries.LedgerAsync(Admin, Demo.Downtown, sku, null, pageSize: 3))!;
        var second = (await Queries.LedgerAsync(Admin, Demo.Downtown, sku, first.NextCursor, pageSize: 3))!;

        Assert.Equal([78, 71, 65], first.Items.Select(l => l.OnHandAfter));
        var third = (await Queries.LedgerAsync(Admin, Demo.Downtown, sku, second.NextCursor, pageSize: 1))!;
        Assert.Equal([60, 56, 53], second.Items.Select(l => l.OnHandAfter));
        Assert.Equal(51, third.Items[0].OnHandAfter);
        await Assert.ThrowsAsync<RequestRejectedException>(() => Queries.LedgerAsync(Admin, Demo.Downtown, sku, "not-a-cursor"));
    }

    [Fact]
    public async Task AnAdjustmentBelowReserved_IsRefusedNamingBothFigures_AndChangesNothing()
    {
        var sku = _skus[2];
        await PlaceCashOrderAsync(sku, 8); // 8 reserved of 50
        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() =>
            Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Count, 5, null)));
        Assert.Contains("below the 8 reserved", refused.Errors["qty"][0]);
        await Assert.ThrowsAsync<RequestRejectedException>(() =>
            Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Damaged, 43, "flood")));

        var stock = await _h.StockAsync(Demo.Downtown, sku);
        Assert.Equal((50, 8), (stock.OnHand, stock.Reserved));
        Assert.Equal(0, await AuditCountAsync(AuditActions.StockAdjust));
        await AssertLedgerSumsToOnHandAsync(sku);
    }

    [Theory]
    [InlineData(StockAdjustmentKind.Received, 0, "qty")]
    [InlineData(StockAdjustmentKind.Received, -5, "qty")]
    [InlineData(StockAdjustmentKind.Received, 100_001, "qty")]
    [InlineData(StockAdjustmentKind.Count, -1, "qty")]
    [InlineData(StockAdjustmentKind.Damaged, 1, "note")]
    [InlineData((StockAdjustmentKind)99, 1, "type")]
    public async Task BadAdjustments_AreRefusedByField(StockAdjustmentKind kind, int qty, string field)
    {
        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() =>
            Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(_skus[0], kind, qty, null)));
        Assert.Contains(field, refused.Errors.Keys);
        Assert.Equal(50, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
    }

    [Fact]
    public async Task UnknownSkus_OtherStores_AndANoteWithControlCharacters_AreRefused()
    {
        await Assert.ThrowsAsync<NotFoundException>(() => Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(987_654, StockAdjustmentKind.Received, 1, null)));
        await Assert.ThrowsAsync<NotFoundException>(() => Adjust.AdjustAsync(TestStaff.ScopedTo(Demo.Midtown), Demo.Downtown,
            new StockAdjustment(_skus[0], StockAdjustmentKind.Received, 1, null)));
        await Assert.ThrowsAsync<NotFoundException>(() => Adjust.AdjustAsync(Admin, 999, new StockAdjustment(_skus[0], StockAdjustmentKind.Received, 1, null)));
        Assert.Null(await Queries.LedgerAsync(TestStaff.ScopedTo(Demo.Midtown), Demo.Downtown, _skus[0], null));
        await Assert.ThrowsAsync<RequestRejectedException>(() => Adjust.AdjustAsync(Admin, Demo.Downtown,
            new StockAdjustment(_skus[0], StockAdjustmentKind.Received, 1, "bad\u0000note")));
        Assert.Equal(0, await AuditCountAsync(AuditActions.StockAdjust));
    }

    [Fact]
    public async Task ASale_IsInTheLedgerWhenItsStockIsCommitted_AndARejectionLeavesNoMovement()
    {
        var sku = _skus[3];
        var confirmed = await PlaceCashOrderAsync(sku, 3);
        var rejected = await PlaceCashOrderAsync(sku, 2);
        await _h.Get<StaffOrderService>().ConfirmCashOrderAsync(Admin, confirmed);
        await _h.Get<StaffOrderService>().RejectCashOrderAsync(Admin, rejected, "out of area");
        await _h.Get<StaffOrderService>().CancelAsync(Admin, confirmed, "shopper called");

        var ledger = (await Queries.LedgerAsync(Admin, Demo.Downtown, sku, null))!;
        Assert.Equal([(StockMovementKind.Returned, 3, 50), (StockMovementKind.Sold, -3, 47)], ledger.Items.Take(2).Select(l => (l.Kind, l.Quantity, l.OnHandAfter)));
        Assert.All(ledger.Items.Take(2), l => Assert.Equal(PublicId.Format(PublicId.Order, confirmed), l.Reference));
        await AssertLedgerSumsToOnHandAsync(sku);
    }

    [Fact]
    public async Task CrossingTheThreshold_RaisesOneAlertAndOneStockLowEvent_AndRecoveringClearsIt()
    {
        var sku = _skus[0];
        await Adjust.ChangeSettingsAsync(Admin, Demo.Downtown, sku, new StockSettings(10, "b07-2"));
        await PlaceCashOrderAsync(sku, 41); // 9 free: low
        await PlaceCashOrderAsync(sku, 2);  // still low: no second alert

        var alert = Assert.Single(await Queries.AlertsAsync(Admin, Demo.Downtown), a => a.SkuId == sku);
        Assert.Equal((7, 10, "B07-2"), (alert.Available, alert.LowStockThreshold, alert.ShelfLocation));
        Assert.True(await Queries.AlertCountAsync(Admin, Demo.Downtown) >= 1);
        await Assert.ThrowsAsync<NotFoundException>(() => Queries.AlertsAsync(TestStaff.ScopedTo(Demo.Midtown), Demo.Downtown));
        Assert.DoesNotContain(await Queries.AlertsAsync(TestStaff.ScopedTo(Demo.Midtown), null), a => a.StoreId == Demo.Downtown);
        await using (var db = _h.Database.CreateContext())
        {
            var events = await db.OutboxMessages.Where(m => m.Type == EventTypes.StockLow && m.AggregateId == LowStock.Aggregate(Demo.Downtown, sku)).ToListAsync();
            var data = Assert.Single(events).Data;
            Assert.Contains("\"available\":9", data);
            Assert.Contains("\"threshold\":10", data);
        }

        await Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Received, 20, null));
        Assert.DoesNotContain(await Queries.AlertsAsync(Admin, Demo.Downtown), a => a.SkuId == sku);
        await Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Damaged, 20, "water damage"));
        await using (var db = _h.Database.CreateContext())
            Assert.Equal(2, await db.OutboxMessages.CountAsync(m => m.Type == EventTypes.StockLow && m.AggregateId == LowStock.Aggregate(Demo.Downtown, sku)));
    }

    [Fact]
    public async Task AdjustingToZero_ShowsSoldOutToShoppersAtOnce()
    {
        var sku = _skus[1];
        await Adjust.AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Count, 0, "shelf empty"));
        var availability = Assert.Single(await _h.Get<CatalogQueries>().AvailabilityAsync(Demo.Downtown, [sku]));
        Assert.False(availability.InStock);
    }

    [Fact]
    public async Task ReceivingASkuTheStoreNeverStocked_StartsStockingIt()
    {
        await using (var db = _h.Database.CreateContext())
        {
            await db.Stock.Where(s => s.StoreId == Demo.Brooklyn && s.SkuId == _skus[2]).ExecuteDeleteAsync();
            await db.StockMovements.Where(s => s.StoreId == Demo.Brooklyn && s.SkuId == _skus[2]).ExecuteDeleteAsync();
        }
        await Assert.ThrowsAsync<RequestRejectedException>(() =>
            Adjust.AdjustAsync(Admin, Demo.Brooklyn, new StockAdjustment(_skus[2], StockAdjustmentKind.Damaged, 1, "x")));
        var received = await Adjust.AdjustAsync(Admin, Demo.Brooklyn, new StockAdjustment(_skus[2], StockAdjustmentKind.Received, 12, null));
        Assert.Equal(12, received.OnHand);
        Assert.Equal(12, await _h.LedgerSumAsync(Demo.Brooklyn, _skus[2]));
    }

    [Fact]
    public async Task UnderOrdersCancellationsAndAdjustmentsRacing_TheLedgerStillSumsToOnHand_AndReservedToWhatOrdersHold()
    {
        var sku = _skus[0];
        var staff = _h.Get<StaffOrderService>();
        var orders = _h.Get<OrderService>();
        var work = new List<Task>();
        for (var i = 0; i < 8; i++)
        {
            var n = i;
            work.Add(Task.Run(async () =>
            {
                var id = await PlaceCashOrderAsync(sku, 2);
                if (n % 3 == 0) await staff.ConfirmCashOrderAsync(Admin, id);
                else if (n % 3 == 1) await orders.CancelAsync(_ana, id, "changed my mind");
                if (n % 4 == 0)
                {
                    try { await staff.CancelAsync(Admin, id, "store closed early"); }
                    catch (ConflictException) { } // the shopper cancelled it first
                }
            }));
            work.Add(Task.Run(async () =>
            {
                try
                {
                    await Adjust.AdjustAsync(Admin, Demo.Downtown, n % 2 == 0
                        ? new StockAdjustment(sku, StockAdjustmentKind.Received, 3, null)
                        : new StockAdjustment(sku, StockAdjustmentKind.Damaged, 1, "burst"));
                }
                catch (ConflictException) { } // the stock kept changing: refused, nothing written
            }));
        }
        await Task.WhenAll(work);

        await AssertLedgerSumsToOnHandAsync(sku);
        Assert.Equal(await _h.HeldByOrdersAsync(Demo.Downtown, sku), (await _h.StockAsync(Demo.Downtown, sku)).Reserved);
    }
}

public sealed class SqliteStockLedgerTests() : StockLedgerTests(DatabaseProvider.Sqlite);

public sealed class PostgresStockLedgerTests() : StockLedgerTests(DatabaseProvider.Postgres);
