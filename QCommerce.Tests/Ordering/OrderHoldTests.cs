using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Ordering;

/// <summary>
/// The order's hold on its own (Order.Hold.cs): every move, legal and illegal, without the app, so a failure names the
/// rule. The app-level tests (HoldAndCaptureTests, FulfillmentServiceTests) show the same moves through the PSP.
/// </summary>
public sealed class OrderHoldTests
{
    private static readonly DateTime Now = new(2026, 12, 7, 15, 0, 0, DateTimeKind.Utc);

    /// <summary>Milk ×2 at $2.89 and bananas ×1 at $1.99, 8.875% tax, $2.99 delivery: a card order whose total the card holds.</summary>
    private static Order HeldOrder()
    {
        var lines = new[]
        {
            new OrderLine(1, 1, "Whole Milk", "1 L", null, new Money("USD", 289), 2),
            new OrderLine(2, 2, "Bananas", "6 pieces", null, new Money("USD", 199), 1),
        };
        var price = OrderPricing.Calculate(new Money("USD", 777), null, new Money("USD", 299), new Money("USD", 3500), 8.875m);
        var order = Order.Place("user-1", 1, PaymentMethod.Card, new DeliveryAddress("1 Main St", null, "New York", "10001"),
            DeliveryPromise.Asap(Now.AddMinutes(15)), lines, price, null, Now, Now.AddMinutes(15));
        order.BeginPayment("shopper", Now);
        Assert.Equal(PaymentArrival.Paid, order.ReceiveHold(order.TotalMinor, "usd", "psp", Now));
        order.TakeEffects();
        return order;
    }

    private static CaptureDue Picked(Order order, int milkFound)
    {
        order.StartPicking("ops", Now);
        order.FinishPick([new FoundUnits(1, milkFound), new FoundUnits(2, 1)], "ops", Now, Guid.NewGuid());
        return Assert.Single(order.TakeEffects().OfType<CaptureDue>());
    }

    [Fact]
    public void AHold_PaysTheOrder_CommitsItsStock_AndTakesNothing()
    {
        var order = HeldOrder();
        Assert.Equal((OrderStatus.Paid, CardHold.Held, order.TotalMinor, 0L), (order.Status, order.Hold, order.HeldMinor, order.CapturedMinor));
        Assert.Equal(ReservationStatus.Committed, order.ReservationStatus);
        Assert.Equal(PaymentArrival.AlreadyPaid, order.ReceiveHold(order.TotalMinor, "usd", "psp", Now)); // the same hold again
        Assert.Empty(order.TakeEffects());
    }

    [Fact]
    public void AShortPick_AsksForWhatWasPicked_ThenItsCaptureChargesThatAndReleasesTheRest()
    {
        var order = HeldOrder();
        var held = order.HeldMinor;
        var due = Picked(order, milkFound: 1);

        Assert.Equal(order.TotalMinor, due.AmountMinor); // the order now costs what was picked
        Assert.True(due.AmountMinor < held);
        Assert.Equal((CardHold.Capturing, due.AmountMinor), (order.Hold, order.CaptureAskedMinor));
        Assert.Empty(order.TakeEffects().OfType<RefundDue>());
        Assert.Throws<ConflictException>(() => order.SendOut("Sam", "ops", Now)); // not before the money is taken

        Assert.Equal(PaymentArrival.Charged, order.ReceivePayment(due.AmountMinor, "usd", Guid.NewGuid(), "psp", Now));
        Assert.Equal((CardHold.Captured, due.AmountMinor, held - due.AmountMinor, 0L), (order.Hold, order.CapturedMinor, order.HoldReleasedMinor, order.RefundedMinor));
        Assert.Null(order.MoneyReviewNote);
        Assert.Equal(PaymentArrival.AlreadyPaid, order.ReceivePayment(due.AmountMinor, "usd", Guid.NewGuid(), "psp", Now));
        order.SendOut("Sam", "ops", Now);
    }

    [Fact]
    public void BeforeTheCapture_NothingIsRefunded_ACancelReleasesTheHold_AndWhileCapturingNothingIsCancelled()
    {
        var held = HeldOrder();
        Assert.Throws<ConflictException>(() => held.Refund([new(1, 1)], null, false, "Bruised", "ops", Now, Guid.NewGuid()));
        held.Cancel("Changed my mind", "shopper", Now, Guid.NewGuid(), byShopper: true);
        Assert.Equal(OrderStatus.Cancelled, held.Status);
        Assert.Empty(held.TakeEffects().OfType<RefundDue>()); // the payment's hold is released when OrderCancelled reaches it
        held.HoldEnded(lapsed: false, "psp", Now);
        Assert.Equal((CardHold.Released, held.HeldMinor), (held.Hold, held.HoldReleasedMinor));

        var capturing = HeldOrder();
        Picked(capturing, milkFound: 2);
        Assert.Throws<ConflictException>(() => capturing.Cancel("Closing", "ops", Now, Guid.NewGuid()));
        Assert.Throws<ConflictException>(() => capturing.Refund([], 100, false, "Late", "ops", Now, Guid.NewGuid()));
    }

    [Fact]
    public void AHoldAfterACancellation_OrForAnotherTotal_IsReleased_AndNeverPays()
    {
        var lines = new[] { new OrderLine(1, 1, "Whole Milk", "1 L", null, new Money("USD", 289), 2) };
        var price = OrderPricing.Calculate(new Money("USD", 578), null, new Money("USD", 299), new Money("USD", 3500), 8.875m);
        var cancelled = Order.Place("user-1", 1, PaymentMethod.Card, new DeliveryAddress("1 Main St", null, "New York", "10001"),
            DeliveryPromise.Asap(Now.AddMinutes(15)), lines, price, null, Now, Now.AddMinutes(15));
        cancelled.Cancel("Too slow", "shopper", Now, Guid.NewGuid(), byShopper: true);
        cancelled.TakeEffects();
        Assert.Equal(PaymentArrival.RefundedCancelled, cancelled.ReceiveHold(cancelled.TotalMinor, "usd", "psp", Now));
        Assert.Single(cancelled.TakeEffects().OfType<ReleaseHoldDue>());
        Assert.Equal(OrderStatus.Cancelled, cancelled.Status);

        var other = Order.Place("user-1", 1, PaymentMethod.Card, new DeliveryAddress("1 Main St", null, "New York", "10001"),
            DeliveryPromise.Asap(Now.AddMinutes(15)), [new OrderLine(1, 1, "Whole Milk", "1 L", null, new Money("USD", 289), 2)], price, null, Now, Now.AddMinutes(15));
        other.BeginPayment("shopper", Now);
        Assert.Equal(PaymentArrival.RefundedOtherAmount, other.ReceiveHold(other.TotalMinor - 100, "usd", "psp", Now));
        Assert.Single(other.TakeEffects().OfType<ReleaseHoldDue>());
        Assert.Equal(OrderStatus.PendingPayment, other.Status);
    }

    [Fact]
    public void AHoldThatLapses_OrACaptureRefused_IsForAPerson_AndTheOrderNeverLeavesUnpaid()
    {
        var lapsed = HeldOrder();
        lapsed.HoldEnded(lapsed: true, "psp", Now);
        Assert.Equal(CardHold.Lapsed, lapsed.Hold);
        Assert.Contains("lapsed", lapsed.MoneyReviewNote);
        Assert.Throws<ConflictException>(() => lapsed.StartPicking("ops", Now)); // nothing could be charged for it
        lapsed.Cancel("Card lapsed", "ops", Now, Guid.NewGuid());
        Assert.Equal(OrderStatus.Cancelled, lapsed.Status);

        var refused = HeldOrder();
        Picked(refused, milkFound: 2);
        refused.CaptureRefused("the hold lapsed", "psp", Now);
        Assert.Equal(CardHold.CaptureRefused, refused.Hold);
        Assert.Contains("could not be charged", refused.MoneyReviewNote);
        var unpaid = Assert.Throws<ConflictException>(() => refused.SendOut("Sam", "ops", Now));
        Assert.Contains("must not leave the store unpaid", unpaid.Message);
        refused.Cancel("Card refused", "ops", Now, Guid.NewGuid());
        Assert.Equal(OrderStatus.Cancelled, refused.Status);
    }
}
