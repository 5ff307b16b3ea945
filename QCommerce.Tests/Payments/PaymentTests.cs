using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Tests.Ordering;

namespace QCommerce.Tests.Payments;

/// <summary>Every edge of the payment state machine (architecture §3): forward only, captured once, refunds bounded.</summary>
public sealed class PaymentTests
{
    private static readonly DateTime Now = new(2026, 11, 27, 15, 0, 0, DateTimeKind.Utc);
    private const string Intent = "pi_1";

    /// <summary>What the test order costs: the amount each attempt asks the PSP for.</summary>
    private static readonly long Total = OrderTests.NewOrder().TotalMinor;

    private static readonly DateTime PageCloses = Now.AddMinutes(31);

    /// <summary>A payment whose first page is open and whose PaymentIntent (named by its metadata, as its first event does) is known.</summary>
    private static Payment NewPayment()
    {
        var payment = Payment.Start(OrderTests.NewOrder(), PageCloses, Now);
        payment.RecordCheckout(1, "cs_1", "https://psp.test/pay/cs_1", Now);
        Assert.NotNull(payment.AttemptPaidBy(Intent, new PspPaymentRef(payment.PublicId, 1), Now));
        return payment;
    }

    /// <summary>Drives a new payment to a state along legal observations only.</summary>
    private static Payment PaymentIn(PaymentStatus status)
    {
        var payment = NewPayment();
        switch (status)
        {
            case PaymentStatus.Initiated: break;
            case PaymentStatus.RequiresAction: payment.Observe(Intent, PspIntentStatus.RequiresAction, Total, "USD", null, Now); break;
            case PaymentStatus.Authorized: payment.Observe(Intent, PspIntentStatus.Authorized, 0, "USD", null, Now, amountCapturableMinor: Total); break;
            case PaymentStatus.Voided or PaymentStatus.Expired:
                payment.Observe(Intent, PspIntentStatus.Authorized, 0, "USD", null, Now, amountCapturableMinor: Total);
                payment.Observe(Intent, PspIntentStatus.Canceled, 0, "USD", null, Now, lapsed: status == PaymentStatus.Expired);
                break;
            case PaymentStatus.Captured: payment.Observe(Intent, PspIntentStatus.Succeeded, Total, "USD", null, Now); break;
            case PaymentStatus.Failed: payment.Observe(Intent, PspIntentStatus.Failed, Total, "USD", "Declined", Now); break;
            case PaymentStatus.Refunded:
                payment.Observe(Intent, PspIntentStatus.Succeeded, Total, "USD", null, Now);
                var refund = payment.RequestRefund(payment.CapturedMinor, "cancelled", "shopper", Now);
                payment.ObserveRefund("re_1", refund.Key, refund.AmountMinor, RefundStatus.Succeeded, null, Now);
                break;
        }
        Assert.Equal(status, payment.Status);
        return payment;
    }

    /// <summary>The design's table: from each state, what each PSP observation leads to (null: nothing changes).</summary>
    public static TheoryData<PaymentStatus, PspIntentStatus, PaymentStatus?> Observations()
    {
        var data = new TheoryData<PaymentStatus, PspIntentStatus, PaymentStatus?>();
        PaymentStatus? To(PaymentStatus from, PspIntentStatus seen) => (from, seen) switch
        {
            (PaymentStatus.Initiated, PspIntentStatus.RequiresAction) => PaymentStatus.RequiresAction,
            (PaymentStatus.Initiated or PaymentStatus.RequiresAction or PaymentStatus.Failed, PspIntentStatus.Authorized) => PaymentStatus.Authorized,
            (PaymentStatus.Initiated or PaymentStatus.RequiresAction or PaymentStatus.Authorized or PaymentStatus.Failed, PspIntentStatus.Succeeded) => PaymentStatus.Captured,
            (PaymentStatus.Initiated or PaymentStatus.RequiresAction, PspIntentStatus.Failed or PspIntentStatus.Canceled) => PaymentStatus.Failed,
            // A hold cancelled is released, not failed: nothing was taken, and nothing is to retry.
            (PaymentStatus.Authorized, PspIntentStatus.Canceled) => PaymentStatus.Voided,
            _ => null,
        };
        foreach (var from in Enum.GetValues<PaymentStatus>())
            foreach (var seen in Enum.GetValues<PspIntentStatus>())
                data.Add(from, seen, To(from, seen));
        return data;
    }

    [Theory]
    [MemberData(nameof(Observations))]
    public void Observe_FromEachState_MovesOnlyForward(PaymentStatus from, PspIntentStatus seen, PaymentStatus? expected)
    {
        var payment = PaymentIn(from);
        var version = payment.Version;
        var captured = payment.CapturedMinor;

        var change = payment.Observe(Intent, seen, Total, "USD", "why", Now.AddMinutes(1), amountCapturableMinor: Total);

        if (expected is { } to)
        {
            Assert.NotEqual(PaymentChange.None, change);
            Assert.Equal(to, payment.Status);
            Assert.Equal(to, payment.CurrentAttempt.Status);
            Assert.True(payment.Version > version);
        }
        else
        {
            Assert.Equal(PaymentChange.None, change);
            Assert.Equal(from, payment.Status);
            // A second failure on the same page only updates the reason the shopper reads.
            if ((from, seen) != (PaymentStatus.Failed, PspIntentStatus.Failed)) Assert.Equal(version, payment.Version);
            Assert.Equal(captured, payment.CapturedMinor);
        }
    }

    [Fact]
    public void Observe_SucceededTwice_CapturesOnce()
    {
        var payment = NewPayment();
        Assert.Equal(PaymentChange.Captured, payment.Observe(Intent, PspIntentStatus.Succeeded, Total, "USD", null, Now));
        Assert.Equal(PaymentChange.None, payment.Observe(Intent, PspIntentStatus.Succeeded, Total, "USD", null, Now));
        Assert.Equal(Total, payment.CapturedMinor);
    }

    [Theory]
    [InlineData(1, "USD")]
    [InlineData(0, "USD")]
    [InlineData(-1, "USD")] // a cent short
    [InlineData(-2, "USD")] // a cent over
    [InlineData(-3, "EUR")] // the right amount in another currency
    public void Observe_SucceededForAnotherAmountOrCurrency_IsHeldForReviewNeverCaptured(long amount, string currency)
    {
        var received = amount switch { -1 => Total - 1, -2 => Total + 1, -3 => Total, _ => amount };
        var payment = NewPayment();

        Assert.Equal(PaymentChange.HeldForReview, payment.Observe(Intent, PspIntentStatus.Succeeded, received, currency, null, Now));

        Assert.Equal(PaymentStatus.Initiated, payment.Status);
        Assert.Equal(0, payment.CapturedMinor);
        Assert.Contains($"asked for {Total} USD", payment.ReviewNote);
        // Said once; the PSP's true answer still settles the payment.
        Assert.Equal(PaymentChange.None, payment.Observe(Intent, PspIntentStatus.Succeeded, received, currency, null, Now));
        Assert.Equal(PaymentChange.Captured, payment.Observe(Intent, PspIntentStatus.Succeeded, Total, "usd", null, Now));
        Assert.Equal(Total, payment.CapturedMinor);
    }

    [Fact]
    public void Observe_LateRequiresActionAfterCapture_ChangesNothing()
    {
        var payment = PaymentIn(PaymentStatus.Captured);
        Assert.Equal(PaymentChange.None, payment.Observe(Intent, PspIntentStatus.RequiresAction, Total, "USD", null, Now));
        Assert.Equal(PaymentChange.None, payment.Observe(Intent, PspIntentStatus.Failed, Total, "USD", "late", Now));
        Assert.Equal(PaymentStatus.Captured, payment.Status);
        Assert.Null(payment.FailureMessage);
    }

    [Fact]
    public void Observe_AnIntentOfAnEarlierAttempt_ChangesNothing()
    {
        var payment = PaymentIn(PaymentStatus.Failed);
        payment.Retry(Total, PageCloses, Now);
        payment.RecordCheckout(2, "cs_2", null, Now);
        payment.AttemptPaidBy("pi_2", new PspPaymentRef(payment.PublicId, 2), Now);

        Assert.Equal(PaymentChange.None, payment.Observe(Intent, PspIntentStatus.Failed, Total, "USD", "old news", Now));
        Assert.Equal(PaymentStatus.Initiated, payment.Status);
        Assert.Equal(PaymentChange.Captured, payment.Observe("pi_2", PspIntentStatus.Succeeded, Total, "USD", null, Now));
    }

    [Fact]
    public void Observe_AnIntentOfAnotherPayment_Throws() =>
        Assert.Throws<DomainException>(() => NewPayment().Observe("pi_other", PspIntentStatus.Succeeded, Total, "USD", null, Now));

    [Fact]
    public void AnotherFailureOnTheSamePage_GivesTheLatestReason()
    {
        var payment = PaymentIn(PaymentStatus.Failed);
        Assert.Equal(PaymentChange.None, payment.Observe(Intent, PspIntentStatus.Failed, 0, "USD", "The bank could not authenticate this payment.", Now));
        Assert.Equal(PaymentStatus.Failed, payment.Status);
        Assert.Equal("The bank could not authenticate this payment.", payment.FailureMessage);
        Assert.Equal(payment.FailureMessage, payment.CurrentAttempt.FailureMessage);
    }

    [Fact]
    public void Failed_KeepsTheReason_AndCancelledIntentsCountAsFailed()
    {
        var declined = NewPayment();
        declined.Observe(Intent, PspIntentStatus.Failed, Total, "USD", "Your card was declined.", Now);
        Assert.Equal("Your card was declined.", declined.FailureMessage);

        var cancelled = NewPayment();
        cancelled.Observe(Intent, PspIntentStatus.Canceled, Total, "USD", null, Now);
        Assert.Equal(PaymentStatus.Failed, cancelled.Status);
        Assert.Equal("The payment was cancelled.", cancelled.FailureMessage);
    }

    [Theory]
    [InlineData(PaymentStatus.Initiated)]
    [InlineData(PaymentStatus.RequiresAction)]
    [InlineData(PaymentStatus.Authorized)]
    [InlineData(PaymentStatus.Captured)]
    [InlineData(PaymentStatus.Refunded)]
    public void Retry_UnlessTheLastAttemptFailed_Throws(PaymentStatus status) =>
        Assert.Throws<ConflictException>(() => PaymentIn(status).Retry(1603, PageCloses, Now));

    [Fact]
    public void Retry_AfterAFailure_StartsANewAttemptWithItsOwnKeyAndTheOrdersAmountNow()
    {
        var payment = PaymentIn(PaymentStatus.Failed);
        var first = payment.CurrentAttempt;

        var second = payment.Retry(1999, PageCloses.AddMinutes(5), Now);

        Assert.Equal(2, second.Number);
        Assert.Equal(PaymentStatus.Initiated, payment.Status);
        Assert.Equal(1999, payment.AmountMinor);
        Assert.NotEqual(first.PspIdempotencyKey, second.PspIdempotencyKey);
        Assert.Equal(PageCloses.AddMinutes(5), second.PageExpiresAtUtc);
        Assert.Null(payment.FailureMessage);
        Assert.True(payment.IsLive);
    }

    [Fact]
    public void RecordCheckout_TheSameAttemptCannotGetASecondPage()
    {
        var payment = NewPayment();
        payment.RecordCheckout(1, "cs_1", null, Now); // the same answer again (a retried call) is fine
        Assert.Throws<DomainException>(() => payment.RecordCheckout(1, "cs_other", null, Now));
    }

    [Fact]
    public void APaymentIntent_IsLearnedFromItsMetadataOnce_AndOnlyForTheAttemptItNames()
    {
        var payment = Payment.Start(OrderTests.NewOrder(), PageCloses, Now);
        payment.RecordCheckout(1, "cs_1", null, Now);
        Assert.Null(payment.AttemptPaidBy("pi_x", null, Now));
        Assert.Null(payment.AttemptPaidBy("pi_x", new PspPaymentRef("pay_999", 1), Now));
        Assert.Null(payment.AttemptPaidBy("pi_x", new PspPaymentRef(payment.PublicId, 2), Now));
        Assert.Equal(1, payment.AttemptPaidBy("pi_1", new PspPaymentRef(payment.PublicId, 1), Now)!.Number);
        // The attempt knows its PaymentIntent now: a second one naming it is none of ours.
        Assert.Null(payment.AttemptPaidBy("pi_2", new PspPaymentRef(payment.PublicId, 1), Now));
        Assert.Throws<DomainException>(() => payment.Observe("pi_2", PspIntentStatus.Succeeded, Total, "USD", null, Now, new PspPaymentRef(payment.PublicId, 1)));
    }

    [Fact]
    public void ACompletedPage_TeachesItsAttemptThePaymentIntent_WhoseOwnStateSaysWhatHappened()
    {
        var payment = Payment.Start(OrderTests.NewOrder(), PageCloses, Now);
        payment.RecordCheckout(1, "cs_1", null, Now);
        Assert.Equal(PaymentChange.None, payment.ObserveCheckout("cs_1", PspCheckoutStatus.Complete, "pi_1", Now));
        Assert.Equal("pi_1", payment.CurrentAttempt.PspReference);
        Assert.Equal(PaymentStatus.Initiated, payment.Status);
        Assert.Equal(PaymentChange.Captured, payment.Observe("pi_1", PspIntentStatus.Succeeded, Total, "USD", null, Now));
        // Expiry after the payment changes nothing.
        Assert.Equal(PaymentChange.None, payment.ObserveCheckout("cs_1", PspCheckoutStatus.Expired, null, Now));
        Assert.Equal(PaymentStatus.Captured, payment.Status);
    }

    [Theory]
    [InlineData(PaymentStatus.Initiated, true)]
    [InlineData(PaymentStatus.RequiresAction, true)]
    [InlineData(PaymentStatus.Failed, false)]
    [InlineData(PaymentStatus.Captured, false)]
    [InlineData(PaymentStatus.Refunded, false)]
    public void APageThatClosedUnpaid_FailsItsAttempt_OnlyWhileItWasWaiting(PaymentStatus status, bool fails)
    {
        var payment = PaymentIn(status);
        var change = payment.ObserveCheckout("cs_1", PspCheckoutStatus.Expired, null, Now);
        Assert.Equal(fails ? PaymentChange.Failed : PaymentChange.None, change);
        Assert.Equal(fails ? PaymentStatus.Failed : status, payment.Status);
        if (fails) Assert.Equal("The payment page closed before a payment was made.", payment.FailureMessage);
        Assert.Throws<DomainException>(() => payment.ObserveCheckout("cs_other", PspCheckoutStatus.Expired, null, Now));
    }

    [Fact]
    public void APageOfAnEarlierAttempt_ClosingChangesNothing()
    {
        var payment = PaymentIn(PaymentStatus.Failed);
        payment.Retry(Total, PageCloses, Now);
        payment.RecordCheckout(2, "cs_2", null, Now);
        Assert.Equal(PaymentChange.None, payment.ObserveCheckout("cs_1", PspCheckoutStatus.Expired, null, Now));
        Assert.Equal(PaymentStatus.Initiated, payment.Status);
    }

    [Fact]
    public void TakePspCall_IsHeldUntilReleasedOrRunOut()
    {
        var payment = Payment.Start(OrderTests.NewOrder(), PageCloses, Now);
        Assert.True(payment.TakePspCall(1, Now, TimeSpan.FromSeconds(30)));
        Assert.False(payment.TakePspCall(1, Now.AddSeconds(10), TimeSpan.FromSeconds(30)));
        Assert.True(payment.TakePspCall(1, Now.AddSeconds(31), TimeSpan.FromSeconds(30)));
        payment.ReleasePspCall(1, Now.AddSeconds(32));
        Assert.True(payment.TakePspCall(1, Now.AddSeconds(33), TimeSpan.FromSeconds(30)));
    }

    [Fact]
    public void Start_ForACashOnDeliveryOrder_Throws() =>
        Assert.Throws<ConflictException>(() => Payment.Start(OrderTests.NewOrder(PaymentMethod.CashOnDelivery), PageCloses, Now));

    [Fact]
    public void Start_TakesTheAmountFromTheOrder()
    {
        var order = OrderTests.NewOrder();
        var payment = Payment.Start(order, PageCloses, Now);
        Assert.Equal(order.Total, payment.Amount);
        Assert.Equal(order.TotalMinor, payment.CurrentAttempt.AmountMinor);
    }

    [Theory]
    [InlineData(PaymentStatus.Initiated)]
    [InlineData(PaymentStatus.RequiresAction)]
    [InlineData(PaymentStatus.Authorized)]
    [InlineData(PaymentStatus.Failed)]
    [InlineData(PaymentStatus.Refunded)]
    [InlineData(PaymentStatus.Voided)]
    [InlineData(PaymentStatus.Expired)]
    public void RequestRefund_UnlessCaptured_Throws(PaymentStatus status) =>
        Assert.Throws<ConflictException>(() => PaymentIn(status).RequestRefund(100, "why", "ops", Now));

    [Fact]
    public void PartialRefunds_AreSummed_AndTheLastOneMakesItRefunded()
    {
        var payment = PaymentIn(PaymentStatus.Captured);
        var captured = payment.CapturedMinor;
        var first = payment.RequestRefund(500, "damaged milk", "ops", Now);
        Assert.Equal(captured - 500, payment.RefundableMinor); // a pending refund is already promised

        Assert.Equal(PaymentChange.RefundSucceeded, payment.ObserveRefund("re_1", first.Key, 500, RefundStatus.Succeeded, null, Now));
        Assert.Equal(PaymentStatus.Captured, payment.Status);
        Assert.Equal(500, payment.RefundedMinor);

        var rest = payment.RequestRefund(captured - 500, "cancelled", "shopper", Now);
        payment.ObserveRefund("re_2", rest.Key, rest.AmountMinor, RefundStatus.Succeeded, null, Now);
        Assert.Equal(PaymentStatus.Refunded, payment.Status);
        Assert.Equal(captured, payment.RefundedMinor);
        Assert.Equal(0, payment.RefundableMinor);
    }

    [Fact]
    public void RequestRefund_AboveWhatIsLeft_ThrowsAndZeroIsRefused()
    {
        var payment = PaymentIn(PaymentStatus.Captured);
        payment.RequestRefund(payment.CapturedMinor - 100, "most", "ops", Now);
        Assert.Throws<ConflictException>(() => payment.RequestRefund(101, "too much", "ops", Now));
        Assert.Throws<DomainException>(() => payment.RequestRefund(0, "nothing", "ops", Now));
        Assert.Throws<DomainException>(() => payment.RequestRefund(-5, "negative", "ops", Now));
    }

    [Fact]
    public void RequestRefund_WithAKeyAlreadyUsed_ReturnsThatRefund()
    {
        var payment = PaymentIn(PaymentStatus.Captured);
        var key = Guid.NewGuid();
        var first = payment.RequestRefund(payment.CapturedMinor, "cancelled", "system", Now, key);
        var again = payment.RequestRefund(payment.CapturedMinor, "cancelled", "system", Now, key);
        Assert.Same(first, again);
        Assert.Single(payment.Refunds);
    }

    [Fact]
    public void ObserveRefund_Repeated_CountsOnce_AndAFailedOneGivesTheAmountBack()
    {
        var payment = PaymentIn(PaymentStatus.Captured);
        var refund = payment.RequestRefund(300, "partial", "ops", Now);
        Assert.Equal(PaymentChange.None, payment.ObserveRefund("re_1", refund.Key, 300, RefundStatus.Pending, null, Now));
        Assert.Equal(PaymentChange.RefundSucceeded, payment.ObserveRefund("re_1", null, 300, RefundStatus.Succeeded, null, Now));
        Assert.Equal(PaymentChange.None, payment.ObserveRefund("re_1", null, 300, RefundStatus.Succeeded, null, Now));
        Assert.Equal(300, payment.RefundedMinor);

        var failing = payment.RequestRefund(200, "more", "ops", Now);
        Assert.Equal(PaymentChange.RefundFailed, payment.ObserveRefund("re_2", failing.Key, 200, RefundStatus.Failed, "expired card", Now));
        Assert.Equal(300, payment.RefundedMinor);
        Assert.Equal(payment.CapturedMinor - 300, payment.RefundableMinor);
        Assert.Equal(PaymentChange.None, payment.ObserveRefund("re_2", failing.Key, 200, RefundStatus.Succeeded, null, Now));
    }

    [Fact]
    public void ObserveRefund_OfMoneyNotCapturedYet_RecordsNothing_AndCountsOnceTheCaptureIsHere()
    {
        var payment = NewPayment();
        Assert.False(payment.CouldBeRefunded(Intent, "re_early", null, 400)); // the webhook refuses it: the PSP sends it again
        Assert.Equal(PaymentChange.None, payment.ObserveRefund("re_early", null, 400, RefundStatus.Succeeded, null, Now));
        Assert.Empty(payment.Refunds);

        payment.Observe(Intent, PspIntentStatus.Succeeded, Total, "USD", null, Now);

        Assert.True(payment.CouldBeRefunded(Intent, "re_early", null, 400));
        Assert.Equal(PaymentChange.RefundSucceeded, payment.ObserveRefund("re_early", null, 400, RefundStatus.Succeeded, null, Now));
        Assert.Equal(400, payment.RefundedMinor);
        Assert.Equal(PaymentStatus.Captured, payment.Status);
        Assert.Equal(Total - 400, payment.RefundableMinor);
        Assert.False(payment.CouldBeRefunded(Intent, "re_more", null, Total - 399)); // more than the charge has left
    }

    [Fact]
    public void ObserveRefund_MadeAtThePspDirectly_IsRecorded()
    {
        var payment = PaymentIn(PaymentStatus.Captured);
        Assert.Equal(PaymentChange.RefundSucceeded, payment.ObserveRefund("re_dashboard", null, 250, RefundStatus.Succeeded, null, Now));
        var refund = Assert.Single(payment.Refunds);
        Assert.Equal("psp", refund.Actor);
        Assert.Equal(250, payment.RefundedMinor);
    }

    [Fact]
    public void AHold_CountsOnlyForTheAttemptsAmount()
    {
        var odd = NewPayment();
        Assert.Equal(PaymentChange.HeldForReview, odd.Observe(Intent, PspIntentStatus.Authorized, 0, "USD", null, Now, amountCapturableMinor: Total - 1));
        Assert.Equal(PaymentStatus.Initiated, odd.Status);
        Assert.Contains("authorized", odd.ReviewNote);

        var held = PaymentIn(PaymentStatus.Authorized);
        Assert.Equal((Total, 0L, 0L), (held.AuthorizedMinor, held.CapturedMinor, held.ReleasedMinor));
        Assert.True(held.IsLive);
        Assert.Equal(PaymentChange.None, held.Observe(Intent, PspIntentStatus.Authorized, 0, "USD", null, Now, amountCapturableMinor: Total));
        // Nothing taken yet: nothing to refund.
        Assert.Throws<ConflictException>(() => held.RequestRefund(100, "goodwill", "staff", Now));
    }

    [Fact]
    public void ACardHeldAfterADeclineOnTheSamePage_IsHeld()
    {
        var payment = PaymentIn(PaymentStatus.Failed);
        Assert.Equal(PaymentChange.Authorized, payment.Observe(Intent, PspIntentStatus.Authorized, 0, "USD", null, Now, amountCapturableMinor: Total));
        Assert.Equal(PaymentStatus.Authorized, payment.Status);
        Assert.Null(payment.FailureMessage);
    }

    [Fact]
    public void ACaptureForLess_TakesWhatWasAsked_AndReleasesTheRest()
    {
        var payment = PaymentIn(PaymentStatus.Authorized);
        var key = Guid.NewGuid();
        payment.RequestCapture(Total - 300, key, Now);
        payment.RequestCapture(Total - 300, key, Now); // a repeat of the same capture
        Assert.True(payment.IsCapturing);
        // The PSP's word for another amount than asked is not money.
        Assert.Equal(PaymentChange.HeldForReview, payment.Observe(Intent, PspIntentStatus.Succeeded, Total, "USD", null, Now));
        Assert.Equal(PaymentStatus.Authorized, payment.Status);

        Assert.Equal(PaymentChange.Captured, payment.Observe(Intent, PspIntentStatus.Succeeded, Total - 300, "USD", null, Now));
        Assert.Equal((Total - 300, 300L), (payment.CapturedMinor, payment.ReleasedMinor));
        Assert.False(payment.IsCapturing);
        Assert.Equal(PaymentChange.None, payment.Observe(Intent, PspIntentStatus.Succeeded, Total - 300, "USD", null, Now));
        Assert.Throws<ConflictException>(() => payment.RequestCapture(100, Guid.NewGuid(), Now));
        Assert.Equal(Total - 300, payment.RefundableMinor);
    }

    [Fact]
    public void RequestCapture_OnlyOnceAndWithinTheHold()
    {
        Assert.Throws<ConflictException>(() => PaymentIn(PaymentStatus.Initiated).RequestCapture(100, Guid.NewGuid(), Now));
        Assert.Throws<ConflictException>(() => PaymentIn(PaymentStatus.Captured).RequestCapture(100, Guid.NewGuid(), Now));
        var held = PaymentIn(PaymentStatus.Authorized);
        Assert.Throws<DomainException>(() => held.RequestCapture(Total + 1, Guid.NewGuid(), Now));
        Assert.Throws<DomainException>(() => held.RequestCapture(0, Guid.NewGuid(), Now));
        held.RequestCapture(Total, Guid.NewGuid(), Now);
        Assert.Throws<ConflictException>(() => held.RequestCapture(Total, Guid.NewGuid(), Now));
    }

    [Theory]
    [InlineData(false, PaymentStatus.Voided)]
    [InlineData(true, PaymentStatus.Expired)]
    public void AHoldCancelled_IsVoided_OrExpiredWhenItLapsed_AndReleasesAll(bool lapsed, PaymentStatus ends)
    {
        var payment = PaymentIn(PaymentStatus.Authorized);
        var change = payment.Observe(Intent, PspIntentStatus.Canceled, 0, "USD", null, Now, lapsed: lapsed);
        Assert.Equal(lapsed ? PaymentChange.Expired : PaymentChange.Voided, change);
        Assert.Equal(ends, payment.Status);
        Assert.Equal((0L, Total), (payment.CapturedMinor, payment.ReleasedMinor));
        Assert.False(payment.IsLive);
        // Nothing after it moves it back.
        Assert.Equal(PaymentChange.None, payment.Observe(Intent, PspIntentStatus.Authorized, 0, "USD", null, Now, amountCapturableMinor: Total));
        Assert.Throws<ConflictException>(() => payment.Retry(Total, PageCloses, Now));
    }

    [Fact]
    public void ACaptureThePspRefuses_IsRecordedOnce_WhileItWasAsked()
    {
        var held = PaymentIn(PaymentStatus.Authorized);
        Assert.Equal(PaymentChange.None, held.CaptureRefused("expired", Now));
        held.RequestCapture(Total, Guid.NewGuid(), Now);
        Assert.Equal(PaymentChange.CaptureFailed, held.CaptureRefused("The authorization expired.", Now));
        Assert.Equal(PaymentChange.None, held.CaptureRefused("again", Now));
        Assert.Equal("The authorization expired.", held.CaptureFailure);
        Assert.False(held.IsCapturing);
    }
}
