using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Ordering;

/// <summary>Every edge of the order state machine (architecture §3), legal and illegal; the money of each move is OrderMoneyTests'.</summary>
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

    internal static void Pay(Order order) => order.ReceivePayment(order.TotalMinor, order.Currency, Guid.NewGuid(), "psp", Now);

    internal static PickResult PickAll(Order order) =>
        order.FinishPick(order.Lines.GroupBy(l => l.SkuId).Select(g => new FoundUnits(g.Key, order.ToPick(g.Key))).ToList(), "ops", Now, Guid.NewGuid());

    /// <summary>Drives a new order to a state along legal moves only (in Picking, still to pick; out for delivery, picked in full).</summary>
    internal static Order OrderIn(OrderStatus status)
    {
        var cod = status is OrderStatus.PendingConfirmation or OrderStatus.Confirmed;
        var order = NewOrder(cod ? PaymentMethod.CashOnDelivery : PaymentMethod.Card);
        switch (status)
        {
            case OrderStatus.PendingPayment or OrderStatus.PendingConfirmation: break;
            case OrderStatus.PaymentFailed: order.FailPayment("Declined", "psp", Now); break;
            case OrderStatus.Paid: Pay(order); break;
            case OrderStatus.Confirmed: order.Confirm("ops", Now); break;
            case OrderStatus.Picking: Pay(order); order.StartPicking("ops", Now); break;
            case OrderStatus.OutForDelivery: Pay(order); order.StartPicking("ops", Now); PickAll(order); order.SendOut("Sam", "ops", Now); break;
            case OrderStatus.Delivered: Pay(order); order.StartPicking("ops", Now); PickAll(order); order.SendOut("Sam", "ops", Now); order.Deliver(null, "ops", Now); break;
            case OrderStatus.Cancelled: order.Cancel("changed my mind", "shopper", Now, Guid.NewGuid()); break;
            case OrderStatus.RefundPending: Pay(order); order.Cancel("cancelled", "shopper", Now, Guid.NewGuid()); break;
            case OrderStatus.Refunded:
                Pay(order);
                order.Cancel("cancelled", "shopper", Now, Guid.NewGuid());
                order.RefundSettled(order.CapturedMinor, succeeded: true, null, "psp", Now);
                break;
        }
        Assert.Equal(status, order.Status);
        order.TakeEffects();
        return order;
    }

    /// <summary>Each move: the states it is legal from, and where it goes from each (a cancellation of a paid order waits for its refund).</summary>
    public static readonly Dictionary<string, (Action<Order> Move, OrderStatus[] From, Func<OrderStatus, OrderStatus> To)> Moves = new()
    {
        ["BeginPayment"] = (o => o.BeginPayment("shopper", Now), [OrderStatus.PendingPayment, OrderStatus.PaymentFailed], _ => OrderStatus.PendingPayment),
        ["FailPayment"] = (o => o.FailPayment("Declined", "psp", Now), [OrderStatus.PendingPayment], _ => OrderStatus.PaymentFailed),
        ["Confirm"] = (o => o.Confirm("ops", Now), [OrderStatus.PendingConfirmation], _ => OrderStatus.Confirmed),
        ["StartPicking"] = (o => o.StartPicking("ops", Now), [OrderStatus.Paid, OrderStatus.Confirmed], _ => OrderStatus.Picking),
        ["Deliver"] = (o => o.Deliver(null, "ops", Now), [OrderStatus.OutForDelivery], _ => OrderStatus.Delivered),
        ["Cancel"] = (o => o.Cancel("reason", "ops", Now, Guid.NewGuid()),
            [OrderStatus.PendingPayment, OrderStatus.PaymentFailed, OrderStatus.PendingConfirmation, OrderStatus.Confirmed, OrderStatus.Paid, OrderStatus.Picking],
            from => from is OrderStatus.Paid or OrderStatus.Picking ? OrderStatus.RefundPending : OrderStatus.Cancelled),
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
            Assert.Equal(to(from), order.Status);
            var moved = order.Events[eventsBefore];
            Assert.Equal((from, to(from)), (moved.FromStatus, moved.ToStatus));
            Assert.True(order.Version > versionBefore);
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
    public void Paying_And_Confirming_CommitTheReservation()
    {
        var card = NewOrder();
        Pay(card);
        Assert.Equal(ReservationStatus.Committed, card.ReservationStatus);
        Assert.Equal(new Dictionary<int, int> { [1] = 2, [2] = 1 }, Assert.Single(card.TakeEffects().OfType<CommitStock>()).UnitsBySku);
        Assert.Equal(ReservationStatus.Committed, OrderIn(OrderStatus.Confirmed).ReservationStatus);
    }

    [Fact]
    public void Cancel_GivesBackWhatTheStockWas_HeldUnitsReleased_TakenUnitsRestocked()
    {
        var held = OrderIn(OrderStatus.PendingPayment);
        held.Cancel("x", "shopper", Now, Guid.NewGuid());
        Assert.Single(held.TakeEffects().OfType<ReleaseHeldStock>());
        var confirmed = OrderIn(OrderStatus.Confirmed);
        confirmed.Cancel("x", "ops", Now, Guid.NewGuid());
        var effects = confirmed.TakeEffects();
        Assert.Equal(new Dictionary<int, int> { [1] = 2, [2] = 1 }, Assert.Single(effects.OfType<RestockUnits>()).UnitsBySku);
        Assert.Single(effects.OfType<ReleaseSlotAndCoupon>());
    }

    [Fact]
    public void Cancel_ByTheShopper_OnceThePickStarted_Throws()
    {
        var order = OrderIn(OrderStatus.Picking);
        Assert.Throws<ConflictException>(() => order.Cancel("no", "shopper", Now, Guid.NewGuid(), byShopper: true));
        Assert.Equal(OrderStatus.Picking, order.Status);
    }

    [Fact]
    public void SendOut_BeforeThePickIsFinished_Throws()
    {
        var order = OrderIn(OrderStatus.Picking);
        Assert.Throws<ConflictException>(() => order.SendOut("Sam", "ops", Now));
        PickAll(order);
        order.SendOut("Sam", "ops", Now);
        Assert.Equal(OrderStatus.OutForDelivery, order.Status);
    }

    [Theory]
    [MemberData(nameof(AllStates))]
    public void SendOut_IsLegalOnlyFromPicking(OrderStatus from)
    {
        var order = OrderIn(from);
        if (from == OrderStatus.Picking) PickAll(order);
        if (from == OrderStatus.Picking) order.SendOut("Sam", "ops", Now);
        else Assert.Contains(from.ToString(), Assert.Throws<ConflictException>(() => order.SendOut("Sam", "ops", Now)).Message);
    }

    public static TheoryData<OrderStatus> AllStates() => [.. Enum.GetValues<OrderStatus>()];

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
    public void APayment_AfterAFailedTry_CountsTheLateSuccess()
    {
        var order = NewOrder();
        order.BeginPayment("shopper", Now);
        order.FailPayment("Declined", "psp", Now);
        Assert.Equal(PaymentArrival.Paid, order.ReceivePayment(order.TotalMinor, "usd", Guid.NewGuid(), "psp", Now));
        Assert.Equal(OrderStatus.Paid, order.Status);
        Assert.Equal(ReservationStatus.Committed, order.ReservationStatus);
    }

    [Fact]
    public void Refunded_WhenTheCancellationsMoneyIsBack_GivesItsStockBackToTheShelf()
    {
        var order = OrderIn(OrderStatus.RefundPending);
        order.RefundSettled(order.CapturedMinor, succeeded: true, null, "psp", Now);
        Assert.Equal(OrderStatus.Refunded, order.Status);
        Assert.Equal(ReservationStatus.Released, order.ReservationStatus);
        Assert.Equal(new Dictionary<int, int> { [1] = 2, [2] = 1 }, Assert.Single(order.TakeEffects().OfType<RestockUnits>()).UnitsBySku);
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
        PickAll(cash);
        cash.SendOut("Sam", "ops", Now);
        Assert.True(Assert.Throws<RequestRejectedException>(() => cash.Deliver(null, "ops", Now)).Errors.ContainsKey("cashCollected"));
        Assert.Throws<RequestRejectedException>(() => cash.Deliver(new Money("EUR", 100), "ops", Now));
        cash.Deliver(new Money("USD", 500), "ops", Now);
        Assert.Contains("$5.00 collected", cash.Events[^1].Reason);

        var card = OrderIn(OrderStatus.OutForDelivery);
        Assert.Throws<RequestRejectedException>(() => card.Deliver(new Money("USD", 1), "ops", Now));
    }

    [Fact]
    public void Cancel_InPicking_CancelsACashOrder_AndRefundsACardOrderInFull()
    {
        var cash = OrderIn(OrderStatus.Confirmed);
        cash.StartPicking("ops", Now);
        cash.Cancel("rider ill", "ops", Now, Guid.NewGuid());
        Assert.Equal(OrderStatus.Cancelled, cash.Status);
        Assert.Single(cash.TakeEffects().OfType<RestockUnits>());

        var card = OrderIn(OrderStatus.Picking);
        var key = Guid.NewGuid();
        card.Cancel("no", "ops", Now, key);
        Assert.Equal(OrderStatus.RefundPending, card.Status);
        Assert.Equal(new RefundDue(key, card.CapturedMinor, "no"), Assert.Single(card.TakeEffects().OfType<RefundDue>()));
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
