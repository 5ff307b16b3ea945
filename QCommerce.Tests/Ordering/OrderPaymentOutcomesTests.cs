using QCommerce.Core.Ordering;

namespace QCommerce.Tests.Ordering;

/// <summary>
/// The order's side of every payment outcome, applied directly on a real database of each provider: what a capture, a
/// failure, a 3-D Secure challenge, a refund settled or failed, and a refund made at the PSP do to the order, its money,
/// stock, slot and coupon use, once per event.
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

    /// <summary>The order's card payment, captured for its total, as the PSP's success would leave it.</summary>
    private async Task CapturedPaymentAsync(int orderId)
    {
        await using var db = _h.Database.CreateContext();
        var order = await db.Orders.Include(o => o.Lines).SingleAsync(o => o.Id == orderId);
        var now = _h.Clock.GetUtcNow().UtcDateTime;
        var payment = Core.Payments.Payment.Start(order, now.AddMinutes(31), now);
        payment.RecordCheckout(1, $"cs_test_{orderId}", null, now);
        payment.ObserveCheckout($"cs_test_{orderId}", Core.Payments.PspCheckoutStatus.Complete, $"pi_test_{orderId}", now);
        payment.Observe($"pi_test_{orderId}", Core.Payments.PspIntentStatus.Succeeded, order.TotalMinor, order.Currency, null, _h.Clock.GetUtcNow().UtcDateTime);
        db.Payments.Add(payment);
        await db.SaveChangesAsync();
    }

    private async Task<int> PaidOrderAsync(string? coupon = null)
    {
        var id = await PlaceCardOrderAsync(coupon);
        await CapturedPaymentAsync(id);
        var order = await OrderAsync(id);
        await ApplyAsync(id, new PaymentOutcome.Captured(order.TotalMinor, "USD"));
        return id;
    }

    [Fact]
    public async Task Captured_PaysAWaitingOrder_AndTakesItsStockOffTheShelf_OncePerEvent()
    {
        var id = await PlaceCardOrderAsync();
        var total = (await OrderAsync(id)).TotalMinor;
        var eventId = Guid.NewGuid();

        await ApplyAsync(id, new PaymentOutcome.Captured(total, "USD"), eventId);
        await ApplyAsync(id, new PaymentOutcome.Captured(total, "USD"), eventId); // the outbox delivers it again

        var order = await OrderAsync(id);
        Assert.Equal((OrderStatus.Paid, ReservationStatus.Committed, total), (order.Status, order.ReservationStatus, order.CapturedMinor));
        Assert.Single(order.Events, e => e.ToStatus == OrderStatus.Paid);
        var stock = await _h.StockAsync(Demo.Downtown, _skus[0]);
        Assert.Equal((40, 0), (stock.OnHand, stock.Reserved));
        Assert.Equal(await _h.LedgerSumAsync(Demo.Downtown, _skus[0]), stock.OnHand);
        await using var db = _h.Database.CreateContext();
        Assert.Equal(1, await db.OutboxMessages.CountAsync(m => m.Type == Core.Common.EventTypes.OrderStatusChanged && m.AggregateId == order.PublicId));
    }

    [Fact]
    public async Task Captured_ForAnOrderAlreadyCancelled_KeepsItCancelled_AndGivesAllTheMoneyBack()
    {
        var id = await PlaceCardOrderAsync();
        await CapturedPaymentAsync(id);
        await _h.Get<OrderService>().CancelAsync(_ana, id, null);
        var total = (await OrderAsync(id)).TotalMinor;

        await ApplyAsync(id, new PaymentOutcome.Captured(total, "USD"));

        var order = await OrderAsync(id);
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Equal((total, total), (order.CapturedMinor, order.RefundPendingMinor));
        Assert.Contains(order.Events, e => e.RefundMinor == total && e.Reason!.Contains("arrived after the order was cancelled"));
        Assert.Equal((50, 0), ((await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand, (await _h.StockAsync(Demo.Downtown, _skus[0])).Reserved));
        await using var db = _h.Database.CreateContext();
        var refund = Assert.Single((await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == id)).Refunds);
        Assert.Equal(total, refund.AmountMinor);
    }

    [Fact]
    public async Task Captured_ForAnotherAmountThanTheOrderCosts_IsNotPaid_AndGoesBack()
    {
        var id = await PlaceCardOrderAsync();
        await CapturedPaymentAsync(id);

        await ApplyAsync(id, new PaymentOutcome.Captured(123, "USD"));

        var order = await OrderAsync(id);
        Assert.Equal((OrderStatus.PendingPayment, 123L, 123L), (order.Status, order.CapturedMinor, order.RefundPendingMinor));
        Assert.Equal(ReservationStatus.Held, order.ReservationStatus);
    }

    [Fact]
    public async Task Failed_LetsTheShopperTryAgain_WhileTheStockStaysHeld()
    {
        var id = await PlaceCardOrderAsync();

        await ApplyAsync(id, new PaymentOutcome.Failed("Your card was declined."));

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

        await ApplyAsync(id, new PaymentOutcome.ChallengePending(until));

        var order = await OrderAsync(id);
        Assert.Equal(until, order.ReservationExpiresAtUtc);
        Assert.Equal(OrderStatus.PendingPayment, order.Status);
        Assert.Contains("3-D Secure", order.Events.OrderBy(e => e.Id).Last().Reason);
        _h.Clock.Advance(TimeSpan.FromMinutes(20)); // past the usual 15-minute hold
        Assert.Equal(0, await _h.Get<OrderService>().ExpireDueAsync());
    }

    [Fact]
    public async Task TheCancellationsRefundSettled_ClosesTheOrder_AndGivesBackItsStockAndCouponUse()
    {
        var id = await PaidOrderAsync(coupon: "welcome10");
        Assert.Equal(OrderStatus.RefundPending, await _h.Get<OrderService>().CancelAsync(_ana, id, "changed my mind"));
        Assert.Equal(40, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
        var captured = (await OrderAsync(id)).CapturedMinor;

        await ApplyAsync(id, new PaymentOutcome.RefundSettled(captured, true, null));

        var order = await OrderAsync(id);
        Assert.Equal((OrderStatus.Refunded, captured, 0L), (order.Status, order.RefundedMinor, order.RefundPendingMinor));
        Assert.Equal(50, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
        Assert.Equal(50, await _h.LedgerSumAsync(Demo.Downtown, _skus[0]));
        await using var db = _h.Database.CreateContext();
        Assert.Equal(0, await db.CouponRedemptions.CountAsync(r => r.OrderId == id));
    }

    [Fact]
    public async Task AFailedRefund_IsOwedAgain_AndAskedForAPerson()
    {
        var id = await PaidOrderAsync();
        await _h.Get<OrderService>().CancelAsync(_ana, id, null);
        var captured = (await OrderAsync(id)).CapturedMinor;

        await ApplyAsync(id, new PaymentOutcome.RefundSettled(captured, false, "expired_or_canceled_card"));

        var order = await OrderAsync(id);
        Assert.Equal((OrderStatus.RefundPending, 0L, captured), (order.Status, order.RefundPendingMinor, order.RefundableMinor));
        Assert.Contains("expired_or_canceled_card", order.MoneyReviewNote);
        Assert.Equal(0, order.Events.Sum(e => e.RefundMinor ?? 0)); // promised, then taken back: the timeline adds up to nothing given
    }

    [Fact]
    public async Task AFullRefundMadeAtThePsp_OfAPaidOrder_ClosesIt_StockBack()
    {
        var id = await PaidOrderAsync(coupon: "welcome10");
        var captured = (await OrderAsync(id)).CapturedMinor;

        await ApplyAsync(id, new PaymentOutcome.UnaskedRefund(captured, "re_dashboard"));

        var order = await OrderAsync(id);
        Assert.Equal((OrderStatus.Refunded, captured, captured), (order.Status, order.RefundedMinor, order.GoodwillMinor));
        Assert.Contains("re_dashboard", order.MoneyReviewNote);
        Assert.Equal(50, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
        Assert.Equal(captured, order.Events.Sum(e => e.RefundMinor ?? 0));
    }

    [Fact]
    public async Task APartRefundMadeAtThePsp_IsGoodwill_TheOrderGoesOn_AndAPersonIsAsked()
    {
        var id = await PaidOrderAsync();

        await ApplyAsync(id, new PaymentOutcome.UnaskedRefund(300, "re_part"));

        var order = await OrderAsync(id);
        Assert.Equal((OrderStatus.Paid, 300L, 300L), (order.Status, order.RefundedMinor, order.GoodwillMinor));
        Assert.NotNull(order.MoneyReviewNote);
        Assert.Contains(order.Events, e => e.StaffOnly && e.Reason!.Contains("re_part"));
        Assert.Equal(40, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
    }

    [Fact]
    public async Task ARefundMadeAtThePsp_AboveWhatIsLeft_CountsOnlyWhatWasLeft()
    {
        var id = await PaidOrderAsync();
        var captured = (await OrderAsync(id)).CapturedMinor;
        await ApplyAsync(id, new PaymentOutcome.UnaskedRefund(captured - 100, "re_most"));

        await ApplyAsync(id, new PaymentOutcome.UnaskedRefund(captured * 10, "re_forged"));

        var order = await OrderAsync(id);
        Assert.Equal(captured, order.RefundedMinor);
        Assert.Equal(OrderStatus.Refunded, order.Status);
        Assert.Contains("only $1.00 was left", order.MoneyReviewNote);
    }
}

public sealed class SqliteOrderPaymentOutcomesTests() : OrderPaymentOutcomesTests(DatabaseProvider.Sqlite);

public sealed class PostgresOrderPaymentOutcomesTests() : OrderPaymentOutcomesTests(DatabaseProvider.Postgres);
