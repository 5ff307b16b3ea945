using Bunit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;
using QCommerce.Web.Components.Store.Payments;

namespace QCommerce.Tests.Payments;

/// <summary>What the order page's payment panel says and offers in each state of the order and its payment.</summary>
public sealed class PaymentPanelTests : ComponentTestContext
{
    private static readonly DateTime Now = new(2026, 11, 27, 15, 0, 0, DateTimeKind.Utc);
    private static readonly Money Total = new("USD", 1603);

    public PaymentPanelTests()
    {
        // Rendering never calls them; a click would (covered over HTTP and in the browser journeys).
        Services.AddSingleton(new PaymentService(null!, null!, null!, null!, null!, TimeProvider.System, Options.Create(new PaymentsOptions()),
            NullLogger<PaymentService>.Instance));
        Services.AddSingleton(new PaymentQueries(null!));
    }

    private static OrderDetailView Order(OrderStatus status)
    {
        var store = new StoreSummary(2, "Midtown", 1, "metro-north", "Metro North", "USD", new StoreAddress("1 W 42nd St", "New York", "10036"), ["10036"],
            new Money("USD", 299), new Money("USD", 3500), 12, new OpeningHours(new TimeOnly(7, 0), new TimeOnly(23, 0), "America/New_York"));
        var zero = new Money("USD", 0);
        return new OrderDetailView(5, "user-1", status, PaymentMethod.Card, store, [], new PriceBreakdown(Total, zero, zero, zero, Total), null,
            new DeliveryAddress("401 W 42nd Street", null, "New York", "10036"), DeliveryPromise.Asap(Now.AddMinutes(20)), ReservationStatus.Held,
            Now.AddMinutes(15), Now, Now, 1, [], status == OrderStatus.PaymentFailed, true);
    }

    private static PaymentView Payment(PaymentStatus status, string? redirect = "https://psp.test/pay/pi_1", long refunded = 0, string? failure = null,
        params PaymentRefundView[] refunds) =>
        new(9, 5, "user-1", status, Total, status is PaymentStatus.Captured or PaymentStatus.Refunded ? Total : new Money("USD", 0), new Money("USD", refunded),
            "pi_1", redirect, failure, [new PaymentAttemptView(1, status, Total, "pi_1", failure, Now)], refunds, Now, Now);

    private IRenderedComponent<PaymentPanel> Render(OrderDetailView order, PaymentView? payment) =>
        Render<PaymentPanel>(p => p.Add(x => x.Order, order).Add(x => x.Payment, payment).Add(x => x.UserId, "user-1"));

    [Fact]
    public void NotPaidYet_OffersToPayTheTotal_AndSaysHowLongTheItemsAreHeld()
    {
        var panel = Render(Order(OrderStatus.PendingPayment), null);
        Assert.Equal("Pay $16.03", panel.Find("[data-testid=pay]").TextContent.Trim());
        Assert.Contains("held for you until 10:15", panel.Markup);
    }

    [Fact]
    public void Declined_ShowsWhy_AndOffersTryAgain()
    {
        var panel = Render(Order(OrderStatus.PaymentFailed), Payment(PaymentStatus.Failed, failure: "Your card was declined."));
        Assert.Contains("Your card was declined.", panel.Find("[data-testid=payment-status]").TextContent);
        Assert.Contains("form-error", panel.Find("[data-testid=payment-status]").ClassList);
        Assert.Equal("Try again · $16.03", panel.Find("[data-testid=pay]").TextContent.Trim());
    }

    [Fact]
    public void StartedButUnfinished_OffersToContinueOnThePspPage()
    {
        var panel = Render(Order(OrderStatus.PendingPayment), Payment(PaymentStatus.Initiated));
        Assert.Equal("Continue to payment", panel.Find("[data-testid=pay]").TextContent.Trim());
        Assert.Contains("Not paid yet: the payment page was left before the end. Nothing was charged.", panel.Markup);
    }

    [Fact]
    public void StartedWhileThePspWasDown_OffersToPayAgain()
    {
        var panel = Render(Order(OrderStatus.PendingPayment), Payment(PaymentStatus.Initiated, redirect: null) with { PspReference = null });
        Assert.Equal("Pay $16.03", panel.Find("[data-testid=pay]").TextContent.Trim());
    }

    [Fact]
    public void InTheBanksChallenge_SaysSo_AndOffersToContinue()
    {
        var panel = Render(Order(OrderStatus.PendingPayment), Payment(PaymentStatus.RequiresAction));
        Assert.Contains("3-D Secure", panel.Find("[data-testid=payment-status]").TextContent);
        Assert.Equal("Continue to payment", panel.Find("[data-testid=pay]").TextContent.Trim());
    }

    [Fact]
    public void Paid_SaysHowMuch_AndOffersNothingToPay()
    {
        var panel = Render(Order(OrderStatus.Paid), Payment(PaymentStatus.Captured, redirect: null));
        Assert.Equal("Charged $16.03 by card.", panel.Find("[data-testid=payment-status]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=pay]"));
    }

    [Fact]
    public void Held_SaysTheShopperPaysOnlyForWhatIsPicked()
    {
        var panel = Render(Order(OrderStatus.Paid), Payment(PaymentStatus.Authorized, redirect: null) with { Held = Total });
        Assert.Equal("Paid by card: $16.03 is held on your card. You pay only for what we pick; the rest is released, never charged.",
            panel.Find("[data-testid=payment-status]").TextContent);
        Assert.Empty(panel.FindAll("[data-testid=pay]"));
    }

    [Fact]
    public void BeingCharged_ThenCharged_SaysWhatWasChargedAndReleased()
    {
        var charging = Render(Order(OrderStatus.Picking), Payment(PaymentStatus.Authorized, redirect: null) with { Held = Total, Capturing = new Money("USD", 1203) });
        Assert.Equal("Charging $12.03 by card for what we picked; the rest of the $16.03 held goes back to your card.", charging.Find("[data-testid=payment-status]").TextContent);
        var charged = Render(Order(OrderStatus.Picking), Payment(PaymentStatus.Captured, redirect: null) with
        {
            Held = Total, Captured = new Money("USD", 1203), Released = new Money("USD", 400),
        });
        Assert.Equal("Charged $12.03 by card; $4.00 of the hold went back to your card.", charged.Find("[data-testid=payment-status]").TextContent);
        var refused = Render(Order(OrderStatus.Picking), Payment(PaymentStatus.Authorized, redirect: null) with { Held = Total, CaptureFailure = "expired" });
        Assert.Equal("Your card could not be charged; the store will be in touch.", refused.Find("[data-testid=payment-status]").TextContent);
    }

    [Fact]
    public void AHoldReleasedOrLapsed_SaysNothingWasCharged()
    {
        var voided = Render(Order(OrderStatus.Cancelled), Payment(PaymentStatus.Voided, redirect: null) with { Held = Total, Released = Total });
        Assert.Equal("The $16.03 held on your card was released; nothing was charged.", voided.Find("[data-testid=payment-status]").TextContent);
        var lapsed = Render(Order(OrderStatus.Picking), Payment(PaymentStatus.Expired, redirect: null) with { Held = Total, Released = Total });
        Assert.Equal("The $16.03 held on your card lapsed; nothing was charged.", lapsed.Find("[data-testid=payment-status]").TextContent);
    }

    [Fact]
    public void PartlyRefunded_ListsEachRefund()
    {
        var refund = new PaymentRefundView(1, new Money("USD", 250), RefundStatus.Succeeded, "damaged milk", null, Now, Now);
        var pending = new PaymentRefundView(2, new Money("USD", 100), RefundStatus.Pending, "late", null, Now, null);
        var panel = Render(Order(OrderStatus.Paid), Payment(PaymentStatus.Captured, redirect: null, refunded: 250, refunds: [refund, pending]));
        Assert.Equal("Charged $16.03 by card; $2.50 refunded.", panel.Find("[data-testid=payment-status]").TextContent);
        Assert.Contains("Refund of $2.50: done.", panel.Markup);
        Assert.Contains("Refund of $1.00: on its way.", panel.Markup);
    }

    [Fact]
    public void CancelledOrder_OffersNothingToPay_EvenWithAFailedPayment()
    {
        var panel = Render(Order(OrderStatus.Cancelled), Payment(PaymentStatus.Failed, failure: "The payment was cancelled."));
        Assert.Empty(panel.FindAll("[data-testid=pay]"));
    }
}
