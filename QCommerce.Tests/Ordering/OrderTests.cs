using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Ordering;

/// <summary>Every edge of the order state machine (DESIGN §3), legal and illegal.</summary>
public sealed class OrderTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 15, 0, 0, DateTimeKind.Utc);

    internal static Order NewOrder(PaymentMethod method = PaymentMethod.Card, DateTime? expiresAt = null)
    {
        var lines = new[]
        {
            new OrderLine(1, 1, "Whole Milk", "1 L", null, new Money("USD", 289), 2),
            new OrderLine(2, 2, "Bananas", "6 pieces", null, new Money("USD", 199), 1),
        };
        var price = OrderPricing.Calculate(new Money("USD", 777), null, new Money("USD", 299), new Money("USD", 3500), 8.875m);
        return Order.Place("user-1", 1, method, new DeliveryAddress("1 Main St", null, "New York", "10001"),
            DeliveryPromise.Asap(Now.AddMinutes(15)), lines, price, null, Now, expiresAt ?? Now.AddMinutes(15));
    }

    /// <summary>Drives a new order to a state along legal moves only.</summary>
    internal static Order OrderIn(OrderStatus status)
    {
        var cod = status is OrderStatus.PendingConfirmation or OrderStatus.Confirmed;
        var order = NewOrder(cod ? PaymentMethod.CashOnDelivery : PaymentMethod.Card);
        switch (status)
        {
            case OrderStatus.PendingPayment or OrderStatus.PendingConfirmation: break;
            case OrderStatus.PaymentFailed: order.FailPayment("Declined", "psp", Now); break;
            case OrderStatus.Paid: order.MarkPaid("psp", Now); break;
            case OrderStatus.Confirmed: order.Confirm("ops", Now); break;
            case OrderStatus.Picking: order.MarkPaid("psp", Now); order.StartPicking("ops", Now); break;
            case OrderStatus.OutForDelivery: order.MarkPaid("psp", Now); order.StartPicking("ops", Now); order.SendOut("Sam", "ops", Now); break;
            case OrderStatus.Delivered: order.MarkPaid("psp", Now); order.StartPicking("ops", Now); order.SendOut("Sam", "ops", Now); order.Deliver(null, "ops", Now); break;
            case OrderStatus.Cancelled: order.Cancel("changed my mind", "shopper", Now); break;
            case OrderStatus.RefundPending: order.MarkPaid("psp", Now); order.RequestRefund("cancelled", "shopper", Now); break;
            case OrderStatus.Refunded: order.MarkPaid("psp", Now); order.RequestRefund("cancelled", "shopper", Now); order.MarkRefunded("psp", Now); break;
        }
        Assert.Equal(status, order.Status);
        return order;
    }

    public static readonly Dictionary<string, (Action<Order> Move, OrderStatus[] From, OrderStatus To)> Moves = new()
    {
        ["BeginPayment"] = (o => o.BeginPayment("shopper", Now), [OrderStatus.PendingPayment, OrderStatus.PaymentFailed], OrderStatus.PendingPayment),
        ["MarkPaid"] = (o => o.MarkPaid("psp", Now), [OrderStatus.PendingPayment, OrderStatus.PaymentFailed], OrderStatus.Paid),
        ["FailPayment"] = (o => o.FailPayment("Declined", "psp", Now), [OrderStatus.PendingPayment], OrderStatus.PaymentFailed),
        ["Confirm"] = (o => o.Confirm("ops", Now), [OrderStatus.PendingConfirmation], OrderStatus.Confirmed),
        ["StartPicking"] = (o => o.StartPicking("ops", Now), [OrderStatus.Paid, OrderStatus.Confirmed], OrderStatus.Picking),
        ["SendOut"] = (o => o.SendOut("Sam", "ops", Now), [OrderStatus.Picking], OrderStatus.OutForDelivery),
        ["Deliver"] = (o => o.Deliver(null, "ops", Now), [OrderStatus.OutForDelivery], OrderStatus.Delivered),
        ["Cancel"] = (o => o.Cancel("reason", "shopper", Now),
            [OrderStatus.PendingPayment, OrderStatus.PaymentFailed, OrderStatus.PendingConfirmation, OrderStatus.Confirmed], OrderStatus.Cancelled),
        ["RequestRefund"] = (o => o.RequestRefund("cancelled after payment", "shopper", Now), [OrderStatus.Paid, OrderStatus.Picking], OrderStatus.RefundPending),
        ["MarkRefunded"] = (o => o.MarkRefunded("psp", Now), [OrderStatus.RefundPending], OrderStatus.Refunded),
    };

    public static TheoryData<string, OrderStatus> EveryMoveFromEveryState()
    {
        var data = new TheoryData<string, OrderStatus>();
        foreach (var move in Moves.Keys)
            foreach (var status in Enum.GetValues<OrderStatus>())
                data.Add(move, status);
        return data;
    }

    [Theory]
    [MemberData(nameof(EveryMoveFromEveryState))]
    public void Move_FromEachState_IsLegalExactlyWhereTheDesignSays(string move, OrderStatus from)
    {
        var (apply, allowed, to) = Moves[move];
        var order = OrderIn(from);
        var eventsBefore = order.Events.Count;
        var versionBefore = order.Version;

        if (allowed.Contains(from))
        {
            apply(order);
            Assert.Equal(to, order.Status);
            var last = order.Events[^1];
            Assert.Equal(eventsBefore + 1, order.Events.Count);
            Assert.Equal((from, to), (last.FromStatus, last.ToStatus));
            Assert.Equal(versionBefore + 1, order.Version);
        }
        else
        {
            var error = Assert.Throws<ConflictException>(() => apply(order));
            Assert.Contains(from.ToString(), error.Message);
            Assert.Equal(from, order.Status);
            Assert.Equal(eventsBefore, order.Events.Count);
        }
    }

    [Fact]
    public void Place_Card_StartsPendingPayment_WithAHeldReservationAndAPlacedEvent()
    {
        var order = NewOrder(PaymentMethod.Card);
        Assert.Equal(OrderStatus.PendingPayment, order.Status);
        Assert.Equal(ReservationStatus.Held, order.ReservationStatus);
        var placed = Assert.Single(order.Events);
        Assert.Null(placed.FromStatus);
        Assert.Equal(OrderStatus.PendingPayment, placed.ToStatus);
    }

    [Fact]
    public void Place_CashOnDelivery_StartsPendingConfirmation()
    {
        Assert.Equal(OrderStatus.PendingConfirmation, NewOrder(PaymentMethod.CashOnDelivery).Status);
    }

    [Fact]
    public void Place_WithoutLines_Throws()
    {
        var price = PriceBreakdown.Zero("USD");
        Assert.Throws<DomainException>(() => Order.Place("u", 1, PaymentMethod.Card, new DeliveryAddress("a", null, "b", "10001"),
            DeliveryPromise.Asap(Now), [], price, null, Now, Now));
    }

    [Fact]
    public void Place_WithASubtotalThatIsNotTheSumOfTheLines_Throws()
    {
        var line = new OrderLine(1, 1, "Milk", "1 L", null, new Money("USD", 289), 1);
        var wrong = OrderPricing.Calculate(new Money("USD", 100), null, new Money("USD", 0), new Money("USD", 0), 0);
        Assert.Throws<DomainException>(() => Order.Place("u", 1, PaymentMethod.Card, new DeliveryAddress("a", null, "b", "10001"),
            DeliveryPromise.Asap(Now), [line], wrong, null, Now, Now));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    [InlineData(100)]
    public void OrderLine_WithAQuantityOutside1To99_Throws(int qty)
    {
        Assert.Throws<DomainException>(() => new OrderLine(1, 1, "Milk", "1 L", null, new Money("USD", 289), qty));
    }

    [Fact]
    public void MarkPaid_And_Confirm_CommitTheReservation()
    {
        Assert.Equal(ReservationStatus.Committed, OrderIn(OrderStatus.Paid).ReservationStatus);
        Assert.Equal(ReservationStatus.Committed, OrderIn(OrderStatus.Confirmed).ReservationStatus);
    }

    [Fact]
    public void Cancel_ReportsWhatTheStockWasBefore()
    {
        Assert.Equal(ReservationStatus.Held, OrderIn(OrderStatus.PendingPayment).Cancel("x", "shopper", Now));
        Assert.Equal(ReservationStatus.Committed, OrderIn(OrderStatus.Confirmed).Cancel("x", "shopper", Now));
    }

    [Fact]
    public void Expire_WhenTheReservationRanOut_CancelsWithTheReasonInTheTimeline()
    {
        var order = NewOrder(expiresAt: Now.AddMinutes(15));
        Assert.False(order.IsExpiredAt(Now.AddMinutes(14)));
        order.Expire(Now.AddMinutes(15));
        Assert.Equal(OrderStatus.Cancelled, order.Status);
        Assert.Equal(ReservationStatus.Released, order.ReservationStatus);
        Assert.Equal("system", order.Events[^1].Actor);
        Assert.Contains("payment was not completed in time", order.Events[^1].Reason);
    }

    [Fact]
    public void Expire_BeforeTheTtl_Throws()
    {
        var order = NewOrder(expiresAt: Now.AddMinutes(15));
        Assert.Throws<ConflictException>(() => order.Expire(Now.AddMinutes(5)));
        Assert.Equal(OrderStatus.PendingPayment, order.Status);
    }

    [Theory]
    [InlineData(OrderStatus.Paid)]
    [InlineData(OrderStatus.Confirmed)]
    [InlineData(OrderStatus.Cancelled)]
    public void Expire_WhenPaidConfirmedOrCancelled_Throws(OrderStatus status)
    {
        var order = OrderIn(status);
        Assert.False(order.IsExpiredAt(Now.AddDays(1)));
        Assert.Throws<ConflictException>(() => order.Expire(Now.AddDays(1)));
    }

    [Fact]
    public void ExtendReservation_MovesTheExpiryLaterButNeverEarlier()
    {
        var order = NewOrder(expiresAt: Now.AddMinutes(15));
        order.ExtendReservation(Now.AddMinutes(30));
        Assert.Equal(Now.AddMinutes(30), order.ReservationExpiresAtUtc);
        order.ExtendReservation(Now.AddMinutes(20));
        Assert.Equal(Now.AddMinutes(30), order.ReservationExpiresAtUtc);
    }

    [Fact]
    public void BeginPayment_FreezesItemsAndAddress_UntilThePaymentFails()
    {
        var order = NewOrder();
        Assert.True(order.CanBeModified);
        order.BeginPayment("shopper", Now);
        Assert.True(order.PaymentInFlight);
        Assert.False(order.CanBeModified);
        Assert.Throws<ConflictException>(() => order.ChangeAddress(new DeliveryAddress("2 Main St", null, "New York", "10001"), order.Price, "shopper", Now));

        order.FailPayment("Declined", "psp", Now);
        Assert.False(order.PaymentInFlight);
        Assert.True(order.CanBeModified);
        order.BeginPayment("shopper", Now);
        Assert.Equal(OrderStatus.PendingPayment, order.Status);
        Assert.False(order.CanBeModified);
    }

    [Fact]
    public void MarkPaid_AfterAFailedTry_CountsTheLateSuccess()
    {
        var order = NewOrder();
        order.BeginPayment("shopper", Now);
        order.FailPayment("Declined", "psp", Now);
        order.MarkPaid("psp", Now);
        Assert.Equal(OrderStatus.Paid, order.Status);
        Assert.Equal(ReservationStatus.Committed, order.ReservationStatus);
    }

    [Fact]
    public void MarkRefunded_ReturnsWhatTheStockWas_SoItGoesBackOnTheShelf()
    {
        var order = OrderIn(OrderStatus.RefundPending);
        Assert.Equal(ReservationStatus.Committed, order.MarkRefunded("psp", Now));
        Assert.Equal(ReservationStatus.Released, order.ReservationStatus);
    }

    [Theory]
    [InlineData(OrderStatus.PendingPayment, true)]
    [InlineData(OrderStatus.PaymentFailed, true)]
    [InlineData(OrderStatus.PendingConfirmation, true)]
    [InlineData(OrderStatus.Paid, false)]
    [InlineData(OrderStatus.Confirmed, false)]
    [InlineData(OrderStatus.Picking, false)]
    [InlineData(OrderStatus.Cancelled, false)]
    public void ChangeAddress_IsAllowedOnlyBeforePayment(OrderStatus status, bool allowed)
    {
        var order = OrderIn(status);
        var change = () => order.ChangeAddress(new DeliveryAddress("2 Side St", null, "New York", "10002"), order.Price, "shopper", Now);
        if (allowed)
        {
            change();
            Assert.Equal("2 Side St", order.AddressLine1);
            Assert.Equal(status, order.Status);
            Assert.Equal("Delivery address changed.", order.Events[^1].Reason);
        }
        else
        {
            Assert.Throws<ConflictException>(change);
            Assert.Equal("1 Main St", order.AddressLine1);
        }
    }

    [Fact]
    public void QuantitiesBySku_SumsLinesOfOneSku()
    {
        var lines = new[]
        {
            new OrderLine(7, 1, "Milk", "1 L", null, new Money("USD", 100), 1),
            new OrderLine(7, 1, "Milk", "1 L", null, new Money("USD", 100), 2),
            new OrderLine(8, 2, "Eggs", "12", null, new Money("USD", 300), 1),
        };
        var price = OrderPricing.Calculate(new Money("USD", 600), null, new Money("USD", 0), new Money("USD", 0), 0);
        var order = Order.Place("u", 1, PaymentMethod.Card, new DeliveryAddress("a", null, "b", "10001"), DeliveryPromise.Asap(Now), lines, price, null, Now, Now);
        Assert.Equal(new Dictionary<int, int> { [7] = 3, [8] = 1 }, order.QuantitiesBySku());
    }

    [Fact]
    public void Deliver_ACashOrder_NeedsTheCashCollected_AndACardOrderTakesNone()
    {
        var cash = OrderIn(OrderStatus.Confirmed);
        cash.StartPicking("ops", Now);
        cash.SendOut("Sam", "ops", Now);
        Assert.Throws<DomainException>(() => cash.Deliver(null, "ops", Now));
        Assert.Throws<DomainException>(() => cash.Deliver(new Money("EUR", 100), "ops", Now));
        cash.Deliver(new Money("USD", 500), "ops", Now);
        Assert.Contains("$5.00 collected", cash.Events[^1].Reason);

        var card = OrderIn(OrderStatus.OutForDelivery);
        Assert.Throws<DomainException>(() => card.Deliver(new Money("USD", 1), "ops", Now));
    }

    [Fact]
    public void Cancel_InPicking_IsForCashOrders_ACardOrderIsRefundedInstead()
    {
        var cash = OrderIn(OrderStatus.Confirmed);
        cash.StartPicking("ops", Now);
        Assert.Equal(ReservationStatus.Committed, cash.Cancel("rider ill", "ops", Now));
        Assert.Equal(OrderStatus.Cancelled, cash.Status);

        var card = OrderIn(OrderStatus.Picking);
        Assert.Throws<ConflictException>(() => card.Cancel("no", "ops", Now));
        card.RequestRefund("no", "ops", Now);
        Assert.Equal(OrderStatus.RefundPending, card.Status);
    }

    [Fact]
    public void AStaffNote_IsStaffOnly_AndKeepsTheState()
    {
        var order = OrderIn(OrderStatus.Paid);
        order.AddStaffNote("ops:a@b.c", "ring twice", Now);
        Assert.True(order.Events[^1].StaffOnly);
        Assert.Equal(OrderStatus.Paid, order.Status);
        Assert.False(order.Events[0].StaffOnly);
    }
}
