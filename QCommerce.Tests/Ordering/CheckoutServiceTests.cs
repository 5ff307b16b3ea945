using Microsoft.EntityFrameworkCore;
using QCommerce.Core.Common;
using QCommerce.Core.Data;
using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;
using QCommerce.Tests.Support;

namespace QCommerce.Tests.Ordering;

/// <summary>Placing, changing, cancelling and expiring orders on a real database of each provider.</summary>
public abstract class CheckoutServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ServiceHarness _h = null!;
    private CheckoutService _checkout = null!;
    private OrderService _orders = null!;
    private string _ana = "", _ben = "";
    private int[] _skus = [];

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        _checkout = _h.Get<CheckoutService>();
        _orders = _h.Get<OrderService>();
        _ana = await _h.CreateUserAsync("ana@example.com");
        _ben = await _h.CreateUserAsync("ben@example.com");
        _skus = await Demo.SkusAsync(_h.Database, 4);
        foreach (var sku in _skus) await _h.SetStockAsync(Demo.Downtown, sku, 50);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private PlaceOrderCommand Command(string? user = null, IReadOnlyList<OrderItemInput>? items = null, int? slot = null, string? coupon = null,
        PaymentMethod method = PaymentMethod.CashOnDelivery, int store = Demo.Downtown, OrderAddressInput? address = null) =>
        new(user ?? _ana, store, items ?? [new(_skus[0], 2), new(_skus[1], 1)], address ?? Demo.DowntownAddress, slot, coupon, method);

    private Task<PlaceOrderResult> PlaceAsync(PlaceOrderCommand command, string? key = null) =>
        _checkout.PlaceOrderAsync(command, key ?? Guid.NewGuid().ToString());

    [Fact]
    public async Task PlaceOrder_CashOnDelivery_ReservesStockAndWritesTheOrderWithItsEventOutboxAndKey()
    {
        var result = await PlaceAsync(Command());

        Assert.False(result.Replayed);
        Assert.Equal(OrderStatus.PendingConfirmation, result.Receipt.Status);
        Assert.Equal(ServiceHarness.Start.UtcDateTime.AddMinutes(15), result.Receipt.ReservationExpiresAtUtc);
        Assert.Equal(2, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
        Assert.Equal(50, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
        Assert.Equal(1, (await _h.StockAsync(Demo.Downtown, _skus[1])).Reserved);
        var counts = await _h.RowCountsAsync();
        Assert.Equal((1, 2, 1, 1), (counts.Orders, counts.Lines, counts.Outbox, counts.Idempotency));

        await using var db = _h.Database.CreateContext();
        var outbox = await db.OutboxMessages.SingleAsync();
        Assert.Equal((EventTypes.OrderCreated, result.Receipt.PublicId), (outbox.Type, outbox.AggregateId));
        var order = await db.Orders.Include(o => o.Lines).Include(o => o.Events).SingleAsync();
        Assert.All(order.Lines, l => Assert.False(string.IsNullOrEmpty(l.Title)));
        Assert.Equal(order.Lines.Sum(l => l.UnitPriceMinor * l.Quantity), order.SubtotalMinor);
        Assert.Single(order.Events);
    }

    [Fact]
    public async Task PlaceOrder_Card_StartsPendingPayment_WithTaxForTheRegion()
    {
        var receipt = (await PlaceAsync(Command(method: PaymentMethod.Card))).Receipt;
        Assert.Equal(OrderStatus.PendingPayment, receipt.Status);
        var goods = receipt.SubtotalMinor - receipt.DiscountMinor;
        Assert.Equal((long)Math.Round(goods * 8.875m / 100m, MidpointRounding.AwayFromZero), receipt.TaxMinor);
        Assert.Equal(goods + receipt.TaxMinor + receipt.DeliveryFeeMinor, receipt.TotalMinor);
    }

    [Fact]
    public async Task PlaceOrder_WithEveryKindOfProblem_ReportsThemAllAtOnceAndWritesNothing()
    {
        await using (var db = _h.Database.CreateContext())
            await db.Stock.Where(s => s.StoreId == Demo.Downtown && s.SkuId == _skus[3]).ExecuteDeleteAsync(); // not carried downtown
        var command = Command(
            items: [new(_skus[0], 0), new(_skus[1], -1), new(_skus[2], 100_000), new(999_999, 1), new(_skus[3], 1)],
            address: new OrderAddressInput("1 Far Away", null, "Boston", "02108"), coupon: "SPRING20");

        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(command));

        Assert.Equal(["address.zip", "items[0].qty", "items[1].qty", "items[2].qty", "items[3].skuId", "items[4].skuId"],
            error.Errors.Keys.Where(k => k != "couponCode").Order(StringComparer.Ordinal));
        Assert.Contains("does not deliver to 02108", error.Errors["address.zip"][0]);
        Assert.Contains("not sold at Downtown", error.Errors["items[4].skuId"][0]);
        Assert.Equal((0, 0, 0, 0, 0), await _h.RowCountsAsync());
        Assert.Equal(0, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
    }

    [Fact]
    public async Task PlaceOrder_WithAnExpiredCoupon_SaysItExpiredAndWritesNothing()
    {
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(coupon: "spring20")));
        Assert.Contains("expired", Assert.Single(error.Errors["couponCode"]));
        Assert.Equal((0, 0, 0, 0, 0), await _h.RowCountsAsync());
    }

    [Fact]
    public async Task PlaceOrder_MoreThanTheStock_SaysHowManyAreLeft()
    {
        await _h.SetStockAsync(Demo.Downtown, _skus[0], 3);
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(items: [new(_skus[0], 2), new(_skus[0], 2)])));
        Assert.Contains("Only 3", error.Errors["items[0].qty"][0]);
        Assert.Equal(0, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
    }

    [Fact]
    public async Task PlaceOrder_InASlot_HoldsIt_AndAFullSlotCannotBeChosen()
    {
        await using var db = _h.Database.CreateContext();
        var slots = await db.DeliverySlots.Where(s => s.StoreId == Demo.Downtown).OrderBy(s => s.StartUtc).Skip(2).Take(2).ToListAsync();
        var receipt = (await PlaceAsync(Command(slot: slots[0].Id))).Receipt;
        Assert.Equal((DeliveryKind.Slot, slots[0].StartUtc, slots[0].EndUtc), (receipt.DeliveryKind, receipt.DeliveryFromUtc, receipt.DeliveryByUtc));
        Assert.Equal(1, await db.DeliverySlots.Where(s => s.Id == slots[0].Id).Select(s => s.Booked).SingleAsync());

        await db.DeliverySlots.Where(s => s.Id == slots[1].Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Booked, x => x.Capacity));
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(slot: slots[1].Id)));
        Assert.Contains("full", Assert.Single(error.Errors["deliverySlot"]));
        Assert.Equal(1, (await _h.RowCountsAsync()).Orders);

        await _orders.CancelAsync(_ana, receipt.OrderId, null);
        Assert.Equal(0, await db.DeliverySlots.Where(s => s.Id == slots[0].Id).Select(s => s.Booked).SingleAsync());
    }

    [Fact]
    public async Task PlaceOrder_InAnotherStoresSlotOrAPastOne_IsRefused()
    {
        await using var db = _h.Database.CreateContext();
        var midtownSlot = await db.DeliverySlots.Where(s => s.StoreId == Demo.Midtown).Select(s => s.Id).FirstAsync();
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(slot: midtownSlot)));
        Assert.Contains("no delivery slot", error.Errors["deliverySlot"][0]);

        var first = await db.DeliverySlots.Where(s => s.StoreId == Demo.Downtown).OrderBy(s => s.StartUtc).FirstAsync();
        _h.Clock.SetUtcNow(new DateTimeOffset(first.StartUtc.AddMinutes(-10), TimeSpan.Zero));
        error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(slot: first.Id)));
        Assert.Contains("can no longer be booked", error.Errors["deliverySlot"][0]);
    }

    [Fact]
    public async Task PlaceOrder_WithACoupon_TakesTheDiscountOnce_PerCustomerLimitHolds_AndCancelGivesTheUseBack()
    {
        var big = Command(items: [new(_skus[0], 10), new(_skus[1], 10)], coupon: "welcome10");
        var first = (await PlaceAsync(big)).Receipt;
        Assert.Equal(first.SubtotalMinor / 10, first.DiscountMinor);

        var again = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(big));
        Assert.Contains("already used", again.Errors["couponCode"][0]);

        await _orders.CancelAsync(_ana, first.OrderId, "wrong address");
        var retry = (await PlaceAsync(big)).Receipt;
        Assert.True(retry.DiscountMinor > 0);
        await using var db = _h.Database.CreateContext();
        Assert.Equal(1, await db.Coupons.Where(c => c.Code == "WELCOME10").Select(c => c.TimesUsed).SingleAsync());
    }

    [Fact]
    public async Task PlaceOrder_TwoOrdersWithAOncePerCustomerCode_AtOnce_OnlyOneGetsTheDiscount()
    {
        var big = Command(items: [new(_skus[0], 10), new(_skus[1], 10)], coupon: "welcome10");
        // Both orders count the customer's earlier uses of the code (none) before either writes its own.
        var meet = new ReadersMeet("FROM \"CouponRedemptions\"");
        _h.Database.Interceptors.Add(meet);

        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            try
            {
                return (await PlaceAsync(big)).Receipt.DiscountMinor > 0 ? "discounted" : "full price";
            }
            catch (RequestRejectedException rejected)
            {
                return string.Join(" ", rejected.Errors.Keys);
            }
        })));

        Assert.True(meet.Met, "both read the customer's uses before either wrote");
        Assert.Equal(["couponCode", "discounted"], outcomes.Order(StringComparer.Ordinal));
        await using var db = _h.Database.CreateContext();
        Assert.Equal(1, await db.CouponRedemptions.CountAsync(r => r.UserId == _ana));
        Assert.Equal(1, await db.Orders.CountAsync(o => o.UserId == _ana));
    }

    [Fact]
    public async Task PlaceOrder_ACouponUsedUpOverall_IsRefusedForTheNextShopper()
    {
        await using (var db = _h.Database.CreateContext())
        {
            db.Coupons.Add(Coupon.AmountOffCoupon("ONLYONCE", new Money("USD", 100), new Money("USD", 0), ServiceHarness.Start.UtcDateTime.AddDays(-1), usageLimit: 1));
            await db.SaveChangesAsync();
        }
        await PlaceAsync(Command(user: _ana, coupon: "ONLYONCE"));
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(user: _ben, coupon: "ONLYONCE")));
        Assert.Contains("used up", error.Errors["couponCode"][0]);
    }

    [Fact]
    public async Task PlaceOrder_AnUnknownCoupon_SaysSo()
    {
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(coupon: "NOPE-123")));
        Assert.Contains("There is no coupon", error.Errors["couponCode"][0]);
    }

    [Fact]
    public async Task PlaceOrder_TheSameKeyAndRequestTwice_PlacesOneOrderAndReplaysTheReceipt()
    {
        var command = Command();
        var first = await PlaceAsync(command, "key-1");
        var second = await PlaceAsync(command, "key-1");
        Assert.True(second.Replayed);
        Assert.Equal(first.Receipt, second.Receipt);
        Assert.Equal(1, (await _h.RowCountsAsync()).Orders);
    }

    [Fact]
    public async Task PlaceOrder_TheSameKeyWithAnotherRequest_IsRefused()
    {
        await PlaceAsync(Command(), "key-1");
        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => PlaceAsync(Command(items: [new(_skus[0], 5)]), "key-1"));
        Assert.Equal(1, (await _h.RowCountsAsync()).Orders);
    }

    [Fact]
    public async Task PlaceOrder_ARejectedRequest_FreesItsKeyForTheCorrectedOne()
    {
        await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(coupon: "SPRING20"), "key-1"));
        var placed = await PlaceAsync(Command(), "key-1");
        Assert.False(placed.Replayed);
    }

    [Fact]
    public async Task PlaceOrder_KeysAreScopedToTheCaller()
    {
        var ana = await PlaceAsync(Command(user: _ana), "shared-key");
        var ben = await PlaceAsync(Command(user: _ben), "shared-key");
        Assert.NotEqual(ana.Receipt.OrderId, ben.Receipt.OrderId);
    }

    [Fact]
    public async Task PlaceOrder_TwentyParallelIdenticalRequests_MakeOneOrder()
    {
        var command = Command();
        var attempts = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => Task.Run(async () =>
        {
            try { return (await PlaceAsync(command, "same-key")).Receipt.OrderId; }
            catch (ConflictException) { return 0; } // still in flight: the caller retries later
        })));

        Assert.Equal(1, (await _h.RowCountsAsync()).Orders);
        Assert.Single(attempts.Where(id => id != 0).Distinct());
        Assert.Equal(2, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
    }

    [Fact]
    public async Task PlaceOrder_TwoHundredShoppersRacingForTwentyUnits_SellExactlyTheStock()
    {
        var sku = _skus[2];
        await _h.SetStockAsync(Demo.Midtown, sku, 20);
        var users = new List<string>();
        for (var i = 0; i < 10; i++) users.Add(await _h.CreateUserAsync($"racer{i}@example.com"));

        // A third want one unit, a third two, a third two as two lines of one unit (summed per SKU).
        IReadOnlyList<OrderItemInput> ItemsFor(int i) => (i % 3) switch
        {
            0 => [new(sku, 1)],
            1 => [new(sku, 2)],
            _ => [new(sku, 1), new(sku, 1)],
        };
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            try
            {
                await PlaceAsync(Command(user: users[i % users.Count], store: Demo.Midtown, address: Demo.MidtownAddress, items: ItemsFor(i)));
                return ItemsFor(i).Sum(x => x.Quantity);
            }
            catch (RequestRejectedException)
            {
                return 0;
            }
        })));

        var stock = await _h.StockAsync(Demo.Midtown, sku);
        Assert.Equal(20, results.Sum());
        Assert.Equal(20, stock.OnHand);
        Assert.Equal(20, stock.Reserved);
        Assert.Equal(stock.Reserved, await _h.HeldByOrdersAsync(Demo.Midtown, sku));
    }

    [Fact]
    public async Task ExpireDue_AfterTheTtl_CancelsTheUnpaidOrderReleasesItsStockAndSaysWhy()
    {
        var receipt = (await PlaceAsync(Command(method: PaymentMethod.Card))).Receipt;
        _h.Clock.Advance(TimeSpan.FromMinutes(14));
        Assert.Equal(0, await _orders.ExpireDueAsync());

        _h.Clock.Advance(TimeSpan.FromMinutes(1));
        Assert.Equal(1, await _orders.ExpireDueAsync());

        Assert.Equal(0, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
        var order = await _h.Get<OrderQueries>().FindAsync(_ana, receipt.OrderId);
        Assert.Equal(OrderStatus.Cancelled, order!.Status);
        var last = order.Timeline[^1];
        Assert.Equal(("system", OrderStatus.PendingPayment, OrderStatus.Cancelled), (last.Actor, last.From!.Value, last.To));
        Assert.Contains("not completed in time", last.Reason);
        Assert.Equal(0, await _orders.ExpireDueAsync()); // nothing twice
    }

    [Fact]
    public async Task ExpireDue_RacingNewPlacementsAndOtherInstances_KeepsReservedEqualToWhatOrdersHold()
    {
        var sku = _skus[2];
        await _h.SetStockAsync(Demo.Downtown, sku, 60);
        for (var i = 0; i < 10; i++) await PlaceAsync(Command(items: [new(sku, 2)]));
        _h.Clock.Advance(TimeSpan.FromMinutes(16));

        var placements = Enumerable.Range(0, 40).Select(_ => Task.Run(async () =>
        {
            try { await PlaceAsync(Command(user: _ben, items: [new(sku, 1)])); } catch (RequestRejectedException) { }
        }));
        var sweeps = Enumerable.Range(0, 3).Select(_ => Task.Run(() => _orders.ExpireDueAsync()));
        await Task.WhenAll(placements.Concat(sweeps));

        await using var db = _h.Database.CreateContext();
        Assert.Equal(10, await db.Orders.CountAsync(o => o.Status == OrderStatus.Cancelled));
        Assert.Equal(10, await db.OrderEvents.CountAsync(e => e.ToStatus == OrderStatus.Cancelled && e.Actor == "system"));
        var stock = await _h.StockAsync(Demo.Downtown, sku);
        Assert.Equal(40, stock.Reserved);
        Assert.Equal(stock.Reserved, await _h.HeldByOrdersAsync(Demo.Downtown, sku));
    }

    [Fact]
    public async Task Modify_MoreAndFewerItems_AdjustsTheReservationAndReprices()
    {
        var receipt = (await PlaceAsync(Command())).Receipt; // 2 × sku0, 1 × sku1
        var changed = await _orders.ModifyAsync(_ana, receipt.OrderId, new ModifyOrderCommand([new(_skus[0], 5), new(_skus[2], 1)], null));

        Assert.Equal(5, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
        Assert.Equal(0, (await _h.StockAsync(Demo.Downtown, _skus[1])).Reserved);
        Assert.Equal(1, (await _h.StockAsync(Demo.Downtown, _skus[2])).Reserved);
        Assert.NotEqual(receipt.SubtotalMinor, changed.SubtotalMinor);
        var order = await _h.Get<OrderQueries>().FindAsync(_ana, receipt.OrderId);
        Assert.Equal([(_skus[0], 5), (_skus[2], 1)], order!.Lines.Select(l => (l.SkuId, l.Quantity)));
        Assert.Equal("Items changed.", order.Timeline[^1].Reason);
    }

    [Fact]
    public async Task Modify_BeyondTheStock_ChangesNothing()
    {
        await _h.SetStockAsync(Demo.Downtown, _skus[0], 4);
        var receipt = (await PlaceAsync(Command())).Receipt;
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() =>
            _orders.ModifyAsync(_ana, receipt.OrderId, new ModifyOrderCommand([new(_skus[0], 5)], null)));
        Assert.Contains("Only 4", error.Errors["items[0].qty"][0]);
        Assert.Equal(2, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
    }

    [Fact]
    public async Task Modify_TheAddressOutsideTheZone_IsRefused_InsideIsRecorded()
    {
        var receipt = (await PlaceAsync(Command())).Receipt;
        await Assert.ThrowsAsync<RequestRejectedException>(() =>
            _orders.ModifyAsync(_ana, receipt.OrderId, new ModifyOrderCommand(null, new OrderAddressInput("1 Court St", null, "Brooklyn", "11201"))));
        await _orders.ModifyAsync(_ana, receipt.OrderId, new ModifyOrderCommand(null, new OrderAddressInput("5 Bleecker St", null, "New York", "10012")));
        var order = await _h.Get<OrderQueries>().FindAsync(_ana, receipt.OrderId);
        Assert.Equal("10012", order!.Address.Zip);
        Assert.Equal("Delivery address changed.", order.Timeline[^1].Reason);
    }

    [Fact]
    public async Task Modify_OrCancel_ACancelledOrder_IsAConflict()
    {
        var receipt = (await PlaceAsync(Command())).Receipt;
        await _orders.CancelAsync(_ana, receipt.OrderId, null);
        await Assert.ThrowsAsync<ConflictException>(() => _orders.ModifyAsync(_ana, receipt.OrderId, new ModifyOrderCommand([new(_skus[0], 1)], null)));
        await Assert.ThrowsAsync<ConflictException>(() => _orders.CancelAsync(_ana, receipt.OrderId, null));
    }

    [Fact]
    public async Task AnotherShoppersOrder_DoesNotExistForThem()
    {
        var receipt = (await PlaceAsync(Command(user: _ana))).Receipt;
        await Assert.ThrowsAsync<NotFoundException>(() => _orders.CancelAsync(_ben, receipt.OrderId, null));
        await Assert.ThrowsAsync<NotFoundException>(() => _orders.ModifyAsync(_ben, receipt.OrderId, new ModifyOrderCommand([new(_skus[0], 1)], null)));
        Assert.Null(await _h.Get<OrderQueries>().FindAsync(_ben, receipt.OrderId));
        Assert.Equal(0, (await _h.Get<OrderQueries>().ListAsync(_ben, 1, 20)).Total);
        Assert.Equal(OrderStatus.PendingConfirmation, (await _h.Get<OrderQueries>().FindAsync(_ana, receipt.OrderId))!.Status);
    }

    [Fact]
    public async Task CancelRacingTheExpiry_ReleasesTheStockOnce()
    {
        for (var round = 0; round < 5; round++)
        {
            var placed = await PlaceAsync(Command());
            _h.Clock.Advance(TimeSpan.FromMinutes(16));

            var cancel = Task.Run(async () =>
            {
                try { await _orders.CancelAsync(_ana, placed.Receipt.OrderId, "racing"); }
                catch (ConflictException) { } // the expiry won
            });
            var expire = _orders.ExpireDueAsync();
            await Task.WhenAll(cancel, expire);

            await using var db = _h.Database.CreateContext();
            var order = await db.Orders.Include(o => o.Events).SingleAsync(o => o.Id == placed.Receipt.OrderId);
            Assert.Equal(OrderStatus.Cancelled, order.Status);
            Assert.Single(order.Events, e => e.ToStatus == OrderStatus.Cancelled);
            Assert.Equal(0, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
            Assert.Equal(0, (await _h.StockAsync(Demo.Downtown, _skus[1])).Reserved);
        }
    }
}

public sealed class SqliteCheckoutServiceTests() : CheckoutServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresCheckoutServiceTests() : CheckoutServiceTests(DatabaseProvider.Postgres);
