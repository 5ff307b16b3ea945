using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Ordering;

/// <summary>Placing orders on a real database of each provider: prices, stock, slots, coupons and Idempotency-Keys.</summary>
public abstract class CheckoutServiceTests(DatabaseProvider provider) : OrderingTestBase(provider)
{
    [Fact]
    public async Task PlaceOrder_CashOnDelivery_ReservesStockAndWritesTheOrderWithItsEventOutboxAndKey()
    {
        var result = await PlaceAsync(Command());

        Assert.False(result.Replayed);
        Assert.Equal(OrderStatus.PendingConfirmation, result.Receipt.Status);
        Assert.Equal(ServiceHarness.Start.UtcDateTime.AddMinutes(15), result.Receipt.ReservationExpiresAtUtc);
        Assert.Equal(2, (await Harness.StockAsync(Demo.Downtown, Skus[0])).Reserved);
        Assert.Equal(50, (await Harness.StockAsync(Demo.Downtown, Skus[0])).OnHand);
        Assert.Equal(1, (await Harness.StockAsync(Demo.Downtown, Skus[1])).Reserved);
        var counts = await Harness.RowCountsAsync();
        Assert.Equal((1, 2, 1, 1), (counts.Orders, counts.Lines, counts.Outbox, counts.Idempotency));

        await using var db = Harness.Database.CreateContext();
        var outbox = await db.OutboxMessages.SingleAsync();
        Assert.Equal((EventTypes.OrderCreated, result.Receipt.PublicId), (outbox.Type, outbox.AggregateId));
        var order = await db.Orders.Include(o => o.Lines).Include(o => o.Events).SingleAsync();
        Assert.All(order.Lines, l => Assert.False(string.IsNullOrEmpty(l.Title)));
        Assert.Equal(order.Lines.Sum(l => l.UnitPriceMinor * l.Quantity), order.SubtotalMinor);
        Assert.Single(order.Events);
    }

    /// <summary>
    /// What one placement costs the database, counted (architecture §6, issue 13): a look for the key, the reads of what it
    /// commits to (SKUs with their prices and stock, in one statement), and one transaction holding the order, its
    /// lines and event, the outbox message, the key's answer and every line's stock (one statement for all lines): the
    /// only write transaction (the key is not claimed in one of its own before).
    /// PostgreSQL takes the order's rows in one batch; SQLite's provider sends each row's INSERT alone. Before issue 13:
    /// 17 statements on SQLite and 14 on PostgreSQL, with a COUNT of the store's open orders among them.
    /// </summary>
    [Fact]
    public async Task PlaceOrder_ThreeLines_TakesAHandfulOfStatements_InOneTransaction()
    {
        await PlaceAsync(Command(items: [new(Skus[2], 1)])); // the first placement warms what is kept between them
        var commands = new QueryCounter();
        var transactions = new TransactionCounter();
        Harness.Database.Interceptors.AddRange([commands, transactions]);

        await PlaceAsync(Command(items: [new(Skus[0], 2), new(Skus[1], 1), new(Skus[3], 1)]));

        Assert.Equal(1, transactions.Committed);
        var beforeTheOrder = commands.CommandsSince(0).TakeWhile(c => !c.Contains("INSERT INTO \"Orders\"", StringComparison.Ordinal)).ToList();
        Assert.All(beforeTheOrder, c => Assert.StartsWith("SELECT", c.TrimStart(), StringComparison.Ordinal)); // reads only before it
        var limit = Harness.Database.Provider == DatabaseProvider.Sqlite ? 10 : 6;
        Assert.True(commands.Count <= limit, $"{commands.Count} statements:\n{commands.Since(0)}");
    }

    /// <summary>
    /// The ASAP promise counts the orders already waiting: each placed here joins the count at once, and the count is
    /// taken again from the orders once a second old (so orders that left the queue stop counting).
    /// </summary>
    [Fact]
    public async Task PlaceOrder_Asap_PromisesLaterForEachOrderWaiting_AndRecountsOnceASecondOld()
    {
        var perOrder = TimeSpan.FromMinutes(Harness.Get<Microsoft.Extensions.Options.IOptions<OrderingOptions>>().Value.MinutesPerQueuedOrder);
        var first = (await PlaceAsync(Command(items: [new(Skus[0], 1)]))).Receipt;
        var second = (await PlaceAsync(Command(items: [new(Skus[1], 1)]))).Receipt;
        Assert.Equal(perOrder, second.DeliveryByUtc - first.DeliveryByUtc);

        await Orders.CancelAsync(Ana, first.OrderId, null);
        await Orders.CancelAsync(Ana, second.OrderId, null);
        Harness.Clock.Advance(TimeSpan.FromSeconds(2));
        var third = (await PlaceAsync(Command(items: [new(Skus[2], 1)]))).Receipt;
        Assert.Equal(first.DeliveryByUtc + TimeSpan.FromSeconds(2), third.DeliveryByUtc);
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
        await using (var db = Harness.Database.CreateContext())
            await db.Stock.Where(s => s.StoreId == Demo.Downtown && s.SkuId == Skus[3]).ExecuteDeleteAsync(); // not carried downtown
        var command = Command(
            items: [new(Skus[0], 0), new(Skus[1], -1), new(Skus[2], 100_000), new(999_999, 1), new(Skus[3], 1)],
            address: new OrderAddressInput("1 Far Away", null, "Boston", "02108"), coupon: "SPRING20");

        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(command));

        Assert.Equal(["address.zip", "items[0].qty", "items[1].qty", "items[2].qty", "items[3].skuId", "items[4].skuId"],
            error.Errors.Keys.Where(k => k != "couponCode").Order(StringComparer.Ordinal));
        Assert.Contains("does not deliver to 02108", error.Errors["address.zip"][0]);
        Assert.Contains("not sold at Downtown", error.Errors["items[4].skuId"][0]);
        Assert.Equal((0, 0, 0, 0, 0), await Harness.RowCountsAsync());
        Assert.Equal(0, (await Harness.StockAsync(Demo.Downtown, Skus[0])).Reserved);
    }

    [Fact]
    public async Task PlaceOrder_WithAnExpiredCoupon_SaysItExpiredAndWritesNothing()
    {
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(coupon: "spring20")));
        Assert.Contains("expired", Assert.Single(error.Errors["couponCode"]));
        Assert.Equal((0, 0, 0, 0, 0), await Harness.RowCountsAsync());
    }

    [Fact]
    public async Task PlaceOrder_MoreThanTheStock_SaysHowManyAreLeft()
    {
        await Harness.SetStockAsync(Demo.Downtown, Skus[0], 3);
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(items: [new(Skus[0], 2), new(Skus[0], 2)])));
        Assert.Contains("Only 3", error.Errors["items[0].qty"][0]);
        Assert.Equal(0, (await Harness.StockAsync(Demo.Downtown, Skus[0])).Reserved);
    }

    [Fact]
    public async Task PlaceOrder_InASlot_HoldsIt_AndAFullSlotCannotBeChosen()
    {
        await using var db = Harness.Database.CreateContext();
        var slots = await db.DeliverySlots.Where(s => s.StoreId == Demo.Downtown).OrderBy(s => s.StartUtc).Skip(2).Take(2).ToListAsync();
        var receipt = (await PlaceAsync(Command(slot: slots[0].Id))).Receipt;
        Assert.Equal((DeliveryKind.Slot, slots[0].StartUtc, slots[0].EndUtc), (receipt.DeliveryKind, receipt.DeliveryFromUtc, receipt.DeliveryByUtc));
        Assert.Equal(1, await db.DeliverySlots.Where(s => s.Id == slots[0].Id).Select(s => s.Booked).SingleAsync());

        await db.DeliverySlots.Where(s => s.Id == slots[1].Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.Booked, x => x.Capacity));
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(slot: slots[1].Id)));
        Assert.Contains("full", Assert.Single(error.Errors["deliverySlot"]));
        Assert.Equal(1, (await Harness.RowCountsAsync()).Orders);

        await Orders.CancelAsync(Ana, receipt.OrderId, null);
        Assert.Equal(0, await db.DeliverySlots.Where(s => s.Id == slots[0].Id).Select(s => s.Booked).SingleAsync());
    }

    [Fact]
    public async Task PlaceOrder_InAnotherStoresSlotOrAPastOne_IsRefused()
    {
        await using var db = Harness.Database.CreateContext();
        var midtownSlot = await db.DeliverySlots.Where(s => s.StoreId == Demo.Midtown).Select(s => s.Id).FirstAsync();
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(slot: midtownSlot)));
        Assert.Contains("no delivery slot", error.Errors["deliverySlot"][0]);

        var first = await db.DeliverySlots.Where(s => s.StoreId == Demo.Downtown).OrderBy(s => s.StartUtc).FirstAsync();
        Harness.Clock.SetUtcNow(new DateTimeOffset(first.StartUtc.AddMinutes(-10), TimeSpan.Zero));
        error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(slot: first.Id)));
        Assert.Contains("can no longer be booked", error.Errors["deliverySlot"][0]);
    }

    [Fact]
    public async Task PlaceOrder_WithACoupon_TakesTheDiscountOnce_PerCustomerLimitHolds_AndCancelGivesTheUseBack()
    {
        var big = Command(items: [new(Skus[0], 10), new(Skus[1], 10)], coupon: "welcome10");
        var first = (await PlaceAsync(big)).Receipt;
        Assert.Equal(first.SubtotalMinor / 10, first.DiscountMinor);

        var again = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(big));
        Assert.Contains("already used", again.Errors["couponCode"][0]);

        await Orders.CancelAsync(Ana, first.OrderId, "wrong address");
        var retry = (await PlaceAsync(big)).Receipt;
        Assert.True(retry.DiscountMinor > 0);
        await using var db = Harness.Database.CreateContext();
        Assert.Equal(1, await db.Coupons.Where(c => c.Code == "WELCOME10").Select(c => c.TimesUsed).SingleAsync());
    }

    [Fact]
    public async Task PlaceOrder_TwoOrdersWithAOncePerCustomerCode_AtOnce_OnlyOneGetsTheDiscount()
    {
        var big = Command(items: [new(Skus[0], 10), new(Skus[1], 10)], coupon: "welcome10");
        // Both orders count the customer's earlier uses of the code (none) before either writes its own.
        var meet = new ReadersMeet("FROM \"CouponRedemptions\"");
        Harness.Database.Interceptors.Add(meet);

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
        await using var db = Harness.Database.CreateContext();
        Assert.Equal(1, await db.CouponRedemptions.CountAsync(r => r.UserId == Ana));
        Assert.Equal(1, await db.Orders.CountAsync(o => o.UserId == Ana));
    }

    [Fact]
    public async Task PlaceOrder_ACouponUsedUpOverall_IsRefusedForTheNextShopper()
    {
        await using (var db = Harness.Database.CreateContext())
        {
            db.Coupons.Add(Coupon.AmountOffCoupon("ONLYONCE", new Money("USD", 100), new Money("USD", 0), ServiceHarness.Start.UtcDateTime.AddDays(-1), usageLimit: 1));
            await db.SaveChangesAsync();
        }
        await PlaceAsync(Command(user: Ana, coupon: "ONLYONCE"));
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(Command(user: Ben, coupon: "ONLYONCE")));
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
        Assert.Equal(1, (await Harness.RowCountsAsync()).Orders);
    }

    [Fact]
    public async Task PlaceOrder_TheSameKeyWithAnotherRequest_IsRefused()
    {
        await PlaceAsync(Command(), "key-1");
        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() => PlaceAsync(Command(items: [new(Skus[0], 5)]), "key-1"));
        Assert.Equal(1, (await Harness.RowCountsAsync()).Orders);
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
        var ana = await PlaceAsync(Command(user: Ana), "shared-key");
        var ben = await PlaceAsync(Command(user: Ben), "shared-key");
        Assert.NotEqual(ana.Receipt.OrderId, ben.Receipt.OrderId);
    }

    /// <summary>
    /// Nothing is claimed before an order is placed: the key's answer is written in the order's transaction, so twenty
    /// identical requests let go together all do the work, meet at the key's unique index, and every loser rolls back
    /// and answers what the winner answered (none is told to come back later).
    /// </summary>
    [Fact]
    public async Task PlaceOrder_TwentyParallelIdenticalRequests_MakeOneOrder_AndAllAnswerIt()
    {
        var results = await RaceAsync(20, Command(), "same-key");

        Assert.Equal(1, (await Harness.RowCountsAsync()).Orders);
        Assert.Single(results.Select(r => r.Receipt).Distinct());
        Assert.Single(results, r => !r.Replayed);
        Assert.Equal(2, (await Harness.StockAsync(Demo.Downtown, Skus[0])).Reserved);
    }

    /// <summary>
    /// Racers with one key that lose to what the winner has just taken (the customer's one use of a code, the last units)
    /// answer the winner's order too, not the refusal the winner caused: a shopper retrying a request that timed out must
    /// not be told that the order they placed failed.
    /// </summary>
    [Theory]
    [InlineData("coupon")]
    [InlineData("last units")]
    public async Task PlaceOrder_ParallelIdenticalRequests_ThatTheWinnerLeavesNothingFor_AllAnswerItsOrder(string taken)
    {
        var command = taken == "coupon"
            ? Command(items: [new(Skus[0], 10), new(Skus[1], 10)], coupon: "welcome10")
            : Command(items: [new(Skus[0], 3)]);
        if (taken == "last units") await Harness.SetStockAsync(Demo.Downtown, Skus[0], 3);
        var results = await RaceAsync(6, command, "retried-key");

        Assert.Single(results.Select(r => r.Receipt).Distinct());
        Assert.Single(results, r => !r.Replayed);
        Assert.Equal(1, (await Harness.RowCountsAsync()).Orders);
        // And a request of its own that the winner left nothing for is still refused as such.
        var another = await Assert.ThrowsAsync<RequestRejectedException>(() => PlaceAsync(command, "another-key"));
        Assert.Contains(taken == "coupon" ? "couponCode" : "items[0].qty", another.Errors.Keys);
    }

    /// <summary>Places one order from several requests let go together with one key, as a client's retries can.</summary>
    private async Task<PlaceOrderResult[]> RaceAsync(int racers, PlaceOrderCommand command, string key)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var placing = Enumerable.Range(0, racers).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            return await PlaceAsync(command, key);
        })).ToList();
        go.SetResult();
        return await Task.WhenAll(placing);
    }

    /// <summary>A key whose answer has expired is written anew by the next order with it, which is placed afresh.</summary>
    [Fact]
    public async Task PlaceOrder_AKeyKeptPastItsRetention_PlacesANewOrder()
    {
        var first = await PlaceAsync(Command(), "old-key");
        Harness.Clock.Advance(IdempotencyGuard.Retention + TimeSpan.FromMinutes(1));
        var second = await PlaceAsync(Command(items: [new(Skus[1], 1)]), "old-key");
        Assert.False(second.Replayed);
        Assert.NotEqual(first.Receipt.OrderId, second.Receipt.OrderId);
        Assert.Equal(1, (await Harness.RowCountsAsync()).Idempotency);
    }

    [Fact]
    public async Task PlaceOrder_TwoHundredShoppersRacingForTwentyUnits_SellExactlyTheStock()
    {
        var sku = Skus[2];
        await Harness.SetStockAsync(Demo.Midtown, sku, 20);
        var users = new List<string>();
        for (var i = 0; i < 10; i++) users.Add(await Harness.CreateUserAsync($"racer{i}@example.com"));

        // A third want one unit, a third two, a third two as two lines of one unit (summed per SKU).
        IReadOnlyList<OrderItemInput> ItemsFor(int i) => (i % 3) switch
        {
            0 => [new(sku, 1)],
            1 => [new(sku, 2)],
            _ => [new(sku, 1), new(sku, 1)],
        };
        // At most 80 in flight: each holds a pooled connection while it waits for the stock's row, and PostgreSQL's pool
        // has 100; 200 at once on a loaded CI machine timed out waiting for a connection (a full run saw it once).
        using var inFlight = new SemaphoreSlim(80);
        var results = await Task.WhenAll(Enumerable.Range(0, 200).Select(i => Task.Run(async () =>
        {
            await inFlight.WaitAsync();
            try
            {
                await PlaceAsync(Command(user: users[i % users.Count], store: Demo.Midtown, address: Demo.MidtownAddress, items: ItemsFor(i)));
                return ItemsFor(i).Sum(x => x.Quantity);
            }
            catch (RequestRejectedException)
            {
                return 0;
            }
            finally
            {
                inFlight.Release();
            }
        })));

        var stock = await Harness.StockAsync(Demo.Midtown, sku);
        Assert.Equal(20, results.Sum());
        Assert.Equal(20, stock.OnHand);
        Assert.Equal(20, stock.Reserved);
        Assert.Equal(stock.Reserved, await Harness.HeldByOrdersAsync(Demo.Midtown, sku));
    }

}

public sealed class SqliteCheckoutServiceTests() : CheckoutServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresCheckoutServiceTests() : CheckoutServiceTests(DatabaseProvider.Postgres);

/// <summary>Counts the transactions a context commits.</summary>
internal sealed class TransactionCounter : Microsoft.EntityFrameworkCore.Diagnostics.DbTransactionInterceptor
{
    private int _committed;

    public int Committed => Volatile.Read(ref _committed);

    public override Task TransactionCommittedAsync(System.Data.Common.DbTransaction transaction,
        Microsoft.EntityFrameworkCore.Diagnostics.TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Interlocked.Increment(ref _committed);
        return Task.CompletedTask;
    }
}
