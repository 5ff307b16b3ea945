using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Ordering;

/// <summary>
/// The order's money account on its own (Order.Money.cs): each line's part of the discount and tax, what units are worth,
/// and what every refund, short pick, cancellation and refund made at the PSP gives back, decided once.
/// </summary>
public sealed class OrderMoneyTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 15, 0, 0, DateTimeKind.Utc);

    /// <summary>Milk ×2 at $2.89 and bananas ×1 at $1.99, 10% off, 8.875% tax, $2.99 delivery: a card order, paid.</summary>
    private static Order PaidOrder(bool discount = true)
    {
        var lines = new[]
        {
            new OrderLine(1, 1, "Whole Milk", "1 L", null, new Money("USD", 289), 2),
            new OrderLine(2, 2, "Bananas", "6 pieces", null, new Money("USD", 199), 1),
        };
        var price = OrderPricing.Calculate(new Money("USD", 777), discount ? new Money("USD", 78) : null, new Money("USD", 299), new Money("USD", 3500), 8.875m);
        var order = Order.Place("user-1", 1, PaymentMethod.Card, new DeliveryAddress("1 Main St", null, "New York", "10001"),
            DeliveryPromise.Asap(Now.AddMinutes(15)), lines, price, null, Now, Now.AddMinutes(15));
        order.ReceivePayment(order.TotalMinor, "USD", Guid.NewGuid(), "psp", Now);
        order.TakeEffects();
        return order;
    }

    private static OrderLine Milk(Order o) => o.Lines.Single(l => l.SkuId == 1);
    private static OrderLine Bananas(Order o) => o.Lines.Single(l => l.SkuId == 2);

    private static long Due(Order o) => o.TakeEffects().OfType<RefundDue>().Sum(d => d.AmountMinor);

    private static void SettleAll(Order o) => o.RefundSettled(o.RefundPendingMinor, succeeded: true, null, "psp", Now);

    [Fact]
    public void Placing_SharesTheDiscountAndTaxOverTheLines_ToTheCent_AndTheLinesAddUpToTheTotal()
    {
        var order = PaidOrder();
        Assert.Equal(order.DiscountMinor, order.Lines.Sum(l => l.DiscountMinor));
        Assert.Equal(order.TaxMinor, order.Lines.Sum(l => l.TaxMinor));
        Assert.Equal(order.TotalMinor, order.DeliveryFeeMinor + order.Lines.Sum(l => l.ShareMinor));
        Assert.Equal(order.TotalMinor, order.CapturedMinor);
        Assert.Equal((order.CapturedMinor, 0L), (order.OwedMinor, order.RefundableMinor - order.OwedMinor));
    }

    [Fact]
    public void UnitsRefundedOneByOne_GiveBackWhatTheyGiveBackAtOnce_AndTheWholeLineItsShare()
    {
        var one = PaidOrder();
        var both = PaidOrder();
        var first = one.Refund([new(1, 1)], null, false, "Bruised", "ops", Now, Guid.NewGuid());
        var second = one.Refund([new(1, 1)], null, false, "Bruised", "ops", Now, Guid.NewGuid());
        var atOnce = both.Refund([new(1, 2)], null, false, "Bruised", "ops", Now, Guid.NewGuid());
        Assert.Equal(atOnce, first + second);
        Assert.Equal(Milk(both).ShareMinor, atOnce);
        Assert.Equal(Milk(both).ShareMinor, Milk(both).RefundedMinor);
    }

    [Fact]
    public void UnitsRefundedBeforeThePick_LeaveThePickList_GoBackOnTheShelf_AndAreNotRefundedAgainAtThePick()
    {
        var order = PaidOrder();
        order.StartPicking("ops", Now);
        var refunded = order.Refund([new(1, 2)], null, restock: false, "Out of date", "ops", Now, Guid.NewGuid());
        var effects = order.TakeEffects();
        Assert.Equal(new Dictionary<int, int> { [1] = 2 }, Assert.Single(effects.OfType<RestockUnits>()).UnitsBySku); // never picked: back, whatever restock says
        Assert.Equal(0, order.ToPick(1));

        var pick = order.FinishPick([new(1, 0), new(2, 1)], "ops", Now, Guid.NewGuid());

        Assert.Equal((0, 0L), (pick.ShortUnits, pick.RefundMinor)); // the probe's double refund: nothing more goes back
        Assert.Empty(order.TakeEffects().OfType<RefundDue>());
        Assert.Equal(Milk(order).ShareMinor, refunded);
        Assert.Equal(order.DeliveryFeeMinor + Bananas(order).ShareMinor, order.TotalMinor);
        Assert.Throws<RequestRejectedException>(() => order.Refund([new(1, 1)], null, false, "Again", "ops", Now, Guid.NewGuid()));
    }

    [Fact]
    public void AnAmountGivenBack_IsCountedByALaterShortPick_WhichGivesBackOnlyWhatIsLeft_AndSaysSo()
    {
        var order = PaidOrder();
        order.Refund([], order.CapturedMinor - 100, false, "Very late", "ops", Now, Guid.NewGuid());
        SettleAll(order);
        order.StartPicking("ops", Now);
        order.TakeEffects();

        var pick = order.FinishPick([new(1, 2), new(2, 0)], "ops", Now, Guid.NewGuid());

        Assert.Equal(100, pick.RefundMinor);
        Assert.Equal(100, Due(order));
        Assert.Contains("$1.00 goes back to your card (the rest of what it cost was given back to you before)", order.Events[^1].Reason);
        Assert.Equal(100, order.Events[^1].RefundMinor);
        SettleAll(order);
        Assert.Equal(order.CapturedMinor, order.RefundedMinor);
        Assert.Equal(0, order.OwedMinor);
    }

    [Fact]
    public void AShortPick_GivesBackWhatTheShortUnitsCost_TheTimelineSaysTheAmount_AndTheOrderCostsWhatWasPicked()
    {
        var order = PaidOrder();
        order.StartPicking("ops", Now);
        var worth = Milk(order).WorthOf(2) - Milk(order).WorthOf(1);

        var pick = order.FinishPick([new(1, 1), new(2, 1)], "ops", Now, Guid.NewGuid());

        Assert.Equal(worth, pick.RefundMinor);
        Assert.EndsWith($"{new Money("USD", worth)} goes back to your card.", order.Events[^1].Reason);
        Assert.Equal(order.CapturedMinor - worth, order.TotalMinor);
        Assert.Equal(1, Assert.Single(order.TakeEffects().OfType<RecordShortPick>()).UnitsBySku[1]);
    }

    [Fact]
    public void UnitsAndALowerAmount_GiveBackTheAmount_AndTheRestCountsAsKeptBack()
    {
        var order = PaidOrder(discount: false);
        var worth = Milk(order).WorthOf(2) - Milk(order).WorthOf(1); // the unit given back: the line from two kept to one
        var refund = order.Refund([new(1, 1)], worth - 50, restock: true, "Opened", "ops", Now, Guid.NewGuid());
        Assert.Equal(worth - 50, refund);
        Assert.Equal(-50, order.GoodwillMinor);
        Assert.Equal(order.CapturedMinor - refund, order.OwedMinor); // the shop keeps what the shopper keeps, and the 50
    }

    [Fact]
    public void Cancelling_RefundsAllThatIsLeft_ThenCloses_WithOnlyTheUnitsStillTheShoppersBackOnTheShelf()
    {
        var order = PaidOrder();
        order.Refund([new(2, 1)], null, restock: false, "Out of date", "ops", Now, Guid.NewGuid()); // before the pick: back on the shelf now
        SettleAll(order);
        order.TakeEffects();
        var key = Guid.NewGuid();

        order.Cancel("Closing early", "ops", Now, key);

        Assert.Equal(OrderStatus.RefundPending, order.Status);
        Assert.Equal(new RefundDue(key, order.CapturedMinor - Bananas(order).ShareMinor, "Closing early"), Assert.Single(order.TakeEffects().OfType<RefundDue>()));
        SettleAll(order);
        Assert.Equal(OrderStatus.Refunded, order.Status);
        Assert.Equal(new Dictionary<int, int> { [1] = 2 }, Assert.Single(order.TakeEffects().OfType<RestockUnits>()).UnitsBySku); // the bananas came back before
        Assert.Equal(order.CapturedMinor, order.RefundedMinor);
    }

    [Fact]
    public void ARefundMadeAtThePsp_OfAllThatIsLeft_WhileOneOfOursIsOnItsWay_ClosesTheOrderWhenOursIsBack()
    {
        var order = PaidOrder();
        order.Refund([], 300, false, "Late", "ops", Now, Guid.NewGuid());
        order.TakeEffects();

        order.RecordUnaskedRefund(order.RefundableMinor, "re_dash", "psp", Now);

        Assert.Equal(OrderStatus.RefundPending, order.Status); // not to be picked: nobody pays for it
        Assert.Empty(order.TakeEffects().OfType<RestockUnits>());
        order.RefundSettled(300, succeeded: true, null, "psp", Now);
        Assert.Equal(OrderStatus.Refunded, order.Status);
        Assert.Single(order.TakeEffects().OfType<RestockUnits>());
        Assert.Equal(order.CapturedMinor, order.RefundedMinor);
    }

    [Fact]
    public void ARefundMadeAtThePsp_IsCountedOnlyUpToWhatWasLeft_AndAPersonIsAsked()
    {
        var order = PaidOrder();
        order.RecordUnaskedRefund(order.CapturedMinor * 10, "re_forged", "psp", Now);
        Assert.Equal(order.CapturedMinor, order.RefundedMinor);
        Assert.Contains("only", order.MoneyReviewNote);
        Assert.Equal(order.CapturedMinor, order.Events.Where(e => !e.StaffOnly).Sum(e => e.RefundMinor ?? 0));
        Assert.Contains(order.Events, e => e.StaffOnly && e.Reason == order.MoneyReviewNote);
    }

    [Fact]
    public void AFailedRefund_IsOwedAgain_AndSaidOnTheTimeline()
    {
        var order = PaidOrder();
        order.Refund([], 500, false, "Late", "ops", Now, Guid.NewGuid());
        order.RefundSettled(500, succeeded: false, "card_expired", "psp", Now);
        Assert.Equal((0L, 0L, order.CapturedMinor), (order.RefundedMinor, order.RefundPendingMinor, order.RefundableMinor));
        Assert.Equal(-500, order.Events[^2].RefundMinor);
        Assert.Contains("card_expired", order.MoneyReviewNote);
    }

    [Fact]
    public void AnOrderWhoseCancellationRefundFailed_OffersCancelAgain_WhichAsksForWhatIsStillOwed()
    {
        var order = PaidOrder();
        order.Refund([], 500, false, "Late", "ops", Now, Guid.NewGuid());
        order.RecordUnaskedRefund(order.RefundableMinor, "re_rest", "psp", Now); // the rest at the PSP, ours still on its way
        order.RefundSettled(500, succeeded: false, "card_expired", "psp", Now);
        order.TakeEffects();
        Assert.Equal((OrderStatus.RefundPending, 500L), (order.Status, order.RefundableMinor));
        Assert.Contains(QCommerce.Core.Ops.OpsAction.Cancel, QCommerce.Core.Ops.OpsOrderQueries.ActionsFor(order, null));

        var key = Guid.NewGuid();
        order.Cancel("Giving back the rest", "ops", Now, key);
        Assert.Equal(new RefundDue(key, 500, "Giving back the rest"), Assert.Single(order.TakeEffects().OfType<RefundDue>()));
        SettleAll(order);
        Assert.Equal(OrderStatus.Refunded, order.Status);
    }

    [Fact]
    public void AnOrderWithEveryUnitRefundedBeforeThePick_OffersOnlyToCancel_WhichGivesBackTheFee()
    {
        var order = PaidOrder();
        order.Refund([new(1, 2), new(2, 1)], null, false, "Nothing fresh", "ops", Now, Guid.NewGuid());
        SettleAll(order);
        order.TakeEffects();
        Assert.Equal(order.DeliveryFeeMinor, order.RefundableMinor);
        Assert.DoesNotContain(QCommerce.Core.Ops.OpsAction.StartPicking, QCommerce.Core.Ops.OpsOrderQueries.ActionsFor(order, null));
        order.Cancel("Nothing to send", "ops", Now, Guid.NewGuid());
        Assert.Equal(order.DeliveryFeeMinor, Due(order));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(-1)]
    public void ARefund_OfNothingOrLess_OrAboveWhatIsLeft_IsRefusedByField(long amount)
    {
        var order = PaidOrder();
        Assert.True(Assert.Throws<RequestRejectedException>(() => order.Refund([], amount, false, "x", "ops", Now, Guid.NewGuid())).Errors.ContainsKey("amount"));
        Assert.True(Assert.Throws<RequestRejectedException>(() => order.Refund([], order.CapturedMinor + 1, false, "x", "ops", Now, Guid.NewGuid())).Errors.ContainsKey("amount"));
        Assert.True(Assert.Throws<RequestRejectedException>(() => order.Refund([new(1, 3)], null, false, "x", "ops", Now, Guid.NewGuid())).Errors.ContainsKey("lines[0].qty"));
        Assert.True(Assert.Throws<RequestRejectedException>(() => order.Refund([new(9, 1)], null, false, "x", "ops", Now, Guid.NewGuid())).Errors.ContainsKey("lines[0].skuId"));
        Assert.Equal(0, order.RefundPendingMinor);
    }

    [Fact]
    public void Share_SplitsAWholeByWeights_LargestRemaindersFirst_NeverLosingAMinorUnit()
    {
        Assert.Equal([34L, 33L, 33L], Order.Share(100, [1, 1, 1]));
        Assert.Equal([0L, 0L], Order.Share(0, [5, 7]));
        Assert.Equal(1001, Order.Share(1001, [578, 199, 3]).Sum());
    }
}
