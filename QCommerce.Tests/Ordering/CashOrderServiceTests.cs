using QCommerce.Core.Ordering;

namespace QCommerce.Tests.Ordering;

/// <summary>Ops confirming or turning down cash-on-delivery orders, on a real database of each provider.</summary>
public abstract class CashOrderServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ServiceHarness _h = null!;
    private StaffOrderService _orders = null!;
    private string _ana = "";
    private int[] _skus = [];

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        _orders = _h.Get<StaffOrderService>();
        _ana = await _h.CreateUserAsync("ana@example.com");
        _skus = await Demo.SkusAsync(_h.Database, 2);
        foreach (var sku in _skus) await _h.SetStockAsync(Demo.Downtown, sku, 50);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<int> PlaceAsync(PaymentMethod method = PaymentMethod.CashOnDelivery) =>
        (await _h.Get<CheckoutService>().PlaceOrderAsync(new PlaceOrderCommand(_ana, Demo.Downtown, [new(_skus[0], 2), new(_skus[1], 1)],
            Demo.DowntownAddress, null, null, method), Guid.NewGuid().ToString())).Receipt.OrderId;

    private async Task<Order> OrderAsync(int id)
    {
        await using var db = _h.Database.CreateContext();
        return await db.Orders.Include(o => o.Events).SingleAsync(o => o.Id == id);
    }

    [Fact]
    public async Task Confirm_CommitsTheStock_AndTheShopperSeesWhoConfirmed()
    {
        var id = await PlaceAsync();
        Assert.Single(await _h.Get<OrderQueries>().AwaitingConfirmationAsync(TestStaff.Admin), o => o.OrderId == id && o.CustomerEmail == "ana@example.com");

        await _orders.ConfirmCashOrderAsync(TestStaff.Admin, id);

        var order = await OrderAsync(id);
        Assert.Equal(OrderStatus.Confirmed, order.Status);
        Assert.Equal(ReservationStatus.Committed, order.ReservationStatus);
        Assert.Equal("ops:admin@qcommerce.test", order.Events.OrderBy(e => e.Id).Last().Actor);
        Assert.Equal((48, 0), ((await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved));
        Assert.DoesNotContain(await _h.Get<OrderQueries>().AwaitingConfirmationAsync(TestStaff.Admin), o => o.OrderId == id);
        await Assert.ThrowsAsync<ConflictException>(() => _orders.ConfirmCashOrderAsync(TestStaff.Named("twice@qcommerce.test"), id));
    }

    [Fact]
    public async Task Reject_CancelsWithTheReason_AndPutsTheStockBack()
    {
        var id = await PlaceAsync();

        await _orders.RejectCashOrderAsync(TestStaff.Admin, id, "outside our delivery hours");

        var order = await OrderAsync(id);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Contains("outside our delivery hours", order.Events.OrderBy(e => e.Id).Last().Reason);
        Assert.Equal((50, 0), ((await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved));
        await Assert.ThrowsAsync<ConflictException>(() => _orders.RejectCashOrderAsync(TestStaff.Admin, id, "again"));
    }

    [Fact]
    public async Task Reject_WithoutAReason_IsRefusedAndChangesNothing()
    {
        var id = await PlaceAsync();
        var rejected = await Assert.ThrowsAsync<RequestRejectedException>(() => _orders.RejectCashOrderAsync(TestStaff.Admin, id, "  "));
        Assert.True(rejected.Errors.ContainsKey("reason"));
        Assert.Equal(OrderStatus.PendingConfirmation, (await OrderAsync(id)).Status);
        Assert.Equal(2, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved);
    }

    [Fact]
    public async Task CardOrders_AndUnknownOrders_CannotBeConfirmed()
    {
        var card = await PlaceAsync(PaymentMethod.Card);
        await Assert.ThrowsAsync<ConflictException>(() => _orders.ConfirmCashOrderAsync(TestStaff.Admin, card));
        await Assert.ThrowsAsync<ConflictException>(() => _orders.RejectCashOrderAsync(TestStaff.Admin, card, "why"));
        await Assert.ThrowsAsync<NotFoundException>(() => _orders.ConfirmCashOrderAsync(TestStaff.Admin, 999_999));
        Assert.Equal(OrderStatus.PendingPayment, (await OrderAsync(card)).Status);
    }

    [Fact]
    public async Task ConfirmAndRejectAtOnce_OneWins_AndTheStockMatchesIt()
    {
        var id = await PlaceAsync();
        var outcomes = await Task.WhenAll(
            Capture(() => _orders.ConfirmCashOrderAsync(TestStaff.Named("one@qcommerce.test"), id)),
            Capture(() => _orders.RejectCashOrderAsync(TestStaff.Named("two@qcommerce.test"), id, "no riders")));

        Assert.Single(outcomes, o => o is null);
        var order = await OrderAsync(id);
        var stock = await _h.StockAsync(Demo.Downtown, _skus[0]);
        Assert.Equal(order.Status == OrderStatus.Confirmed ? (48, 0) : (50, 0), (stock.OnHand, stock.Reserved));

        static async Task<Exception?> Capture(Func<Task> act)
        {
            try { await act(); return null; }
            catch (DomainException e) { return e; }
        }
    }
}

public sealed class SqliteCashOrderServiceTests() : CashOrderServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresCashOrderServiceTests() : CashOrderServiceTests(DatabaseProvider.Postgres);
