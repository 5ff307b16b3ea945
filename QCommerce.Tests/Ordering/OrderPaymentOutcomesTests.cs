using QCommerce.Core.Ordering;

namespace QCommerce.Tests.Ordering;

/// <summary>
/// The order's side of every payment outcome, applied directly on a real database of each provider: what paid,
/// failed, a 3-D Secure challenge, refunded in full and a note do to the order, its stock, slot and coupon use, once per event.
/// </summary>
public abstract class OrderPaymentOutcomesTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const string Handler = "test.outcomes";

    private ServiceHarness _h = null!;
    private OrderPaymentOutcomes _outcomes = null!;
    private string _ana = "";
    private int[] _skus = [];

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        _outcomes = _h.Get<OrderPaymentOutcomes>();
        _ana = await _h.CreateUserAsync("ana@example.com");
        _skus = await Demo.SkusAsync(_h.Database, 2);
        foreach (var sku in _skus) await _h.SetStockAsync(Demo.Downtown, sku, 50);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<int> PlaceCardOrderAsync(string? coupon = null) =>
        (await _h.Get<CheckoutService>().PlaceOrderAsync(new PlaceOrderCommand(_ana, Demo.Downtown, [new(_skus[0], 10), new(_skus[1], 10)],
            Demo.DowntownAddress, null, coupon, PaymentMethod.Card), Guid.NewGuid().ToString())).Receipt.OrderId;

    private Task ApplyAsync(int orderId, PaymentOutcome outcome, Guid? eventId = null) =>
        _outcomes.ApplyAsync(orderId, outcome, Handler, eventId ?? Guid.NewGuid(), "a test's event", CancellationToken.None);

    private async Task<Order> OrderAsync(int id)
    {
        await using var db = _h.Database.CreateContext();
        return await db.Orders.Include(o => o.Events).AsNoTracking().SingleAsync(o => o.Id == id);
    }

    [Fact]
    public async Task Paid_PaysAWaitingOrder_AndTakesItsStockOffTheShelf_OncePerEvent()
    {
        var id = await PlaceCardOrderAsync();
        var eventId = Guid.NewGuid();

        await ApplyAsync(id, new PaymentOutcome(PaymentOutcomeKind.Paid), eventId);
        await ApplyAsync(id, new PaymentOutcome(PaymentOutcomeKind.Paid), eventId); // the outbox delivers it again

        var order = await OrderAsync(id);
        Assert.Equal((OrderStatus.Paid, ReservationStatus.Committed), (order.Status, order.ReservationStatus));
        Assert.Single(order.Events, e => e.ToStatus == OrderStatus.Paid);
        var stock = await _h.StockAsync(Demo.Downtown, _skus[0]);
        Assert.Equal((40, 0), (stock.OnHand, stock.Reserved));
        await using var db = _h.Database.CreateContext();
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Type == Core.Common.EventTypes.OrderStatusChanged && m.AggregateId == order.PublicId));
    }

    [Fact]
    public async Task Paid_ForAnOrderAlreadyCancelled_ChangesNothing()
    {
        var id = await PlaceCardOrderAsync();
        await _h.Get<OrderService>().CancelAsync(_ana, id, null);

        await ApplyAsync(id, new PaymentOutcome(PaymentOutcomeKind.Paid));

        var order = await OrderAsync(id);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Equal((50, 0), ((await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved));
    }

    [Fact]
    public async Task Failed_LetsTheShopperTryAgain_WhileTheStockStaysHeld()
    {
        var id = await PlaceCardOrderAsync();

        await ApplyAsync(id, new PaymentOutcome(PaymentOutcomeKind.Failed, "Your card was declined."));

        var order = await OrderAsync(id);
        Assert.Equal((OrderStatus.PaymentFailed, ReservationStatus.Held), (order.Status, order.ReservationStatus));
        Assert.Contains("Your card was declined.", order.Events.OrderBy(e => e.Id).Last().Reason);
        Assert.Equal(10, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
    }

    [Fact]
    public async Task AChallenge_KeepsTheStockUntilItsHoldEnds_AndSaysSo()
    {
        var id = await PlaceCardOrderAsync();
        var until = _h.Clock.GetUtcNow().UtcDateTime.AddMinutes(40);

        await ApplyAsync(id, new PaymentOutcome(PaymentOutcomeKind.ChallengePending, HoldUntilUtc: until));

        var order = await OrderAsync(id);
        Assert.Equal(until, order.ReservationExpiresAtUtc);
        Assert.Equal(OrderStatus.PendingPayment, order.Status);
        Assert.Contains("3-D Secure", order.Events.OrderBy(e => e.Id).Last().Reason);
        _h.Clock.Advance(TimeSpan.FromMinutes(20)); // past the usual 15-minute hold
        Assert.Equal(0, await _h.Get<OrderService>().ExpireDueAsync());
    }

    [Fact]
    public async Task RefundedInFull_ClosesARefundPendingOrder_AndGivesBackItsStockAndCouponUse()
    {
        var id = await PlaceCardOrderAsync(coupon: "welcome10");
        await ApplyAsync(id, new PaymentOutcome(PaymentOutcomeKind.Paid));
        Assert.Equal(OrderStatus.RefundPending, await _h.Get<OrderService>().CancelAsync(_ana, id, "changed my mind"));
        Assert.Equal(40, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);

        await ApplyAsync(id, new PaymentOutcome(PaymentOutcomeKind.RefundedInFull, "Refunded $40.00."));

        var order = await OrderAsync(id);
        Assert.Equal(OrderStatus.Refunded, order.Status);
        Assert.Equal(50, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
        await using var db = _h.Database.CreateContext();
        Assert.Equal(0, await db.CouponRedemptions.CountAsync(r => r.OrderId == id));
    }

    [Fact]
    public async Task RefundedInFull_OfAnOrderNotWaitingForIt_IsANoteOnly()
    {
        var id = await PlaceCardOrderAsync();
        await ApplyAsync(id, new PaymentOutcome(PaymentOutcomeKind.Paid));

        await ApplyAsync(id, new PaymentOutcome(PaymentOutcomeKind.RefundedInFull, "Refunded $40.00 at the PSP's dashboard."));

        var order = await OrderAsync(id);
        Assert.Equal(OrderStatus.Paid, order.Status);
        Assert.Contains("PSP's dashboard", order.Events.OrderBy(e => e.Id).Last().Reason);
        Assert.Equal(40, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
    }
}

public sealed class SqliteOrderPaymentOutcomesTests() : OrderPaymentOutcomesTests(DatabaseProvider.Sqlite);

public sealed class PostgresOrderPaymentOutcomesTests() : OrderPaymentOutcomesTests(DatabaseProvider.Postgres);
