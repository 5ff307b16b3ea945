using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>
/// The card payment of one order. Each try at the PSP is an <see cref="PaymentAttempt"/> with its own
/// PaymentIntent; a new attempt is allowed only after the previous one failed, so at most one is live.
/// PSP observations move the current attempt forward only: a stale or repeated event changes nothing,
/// and money is captured once. Refunds, partial or full, never add up to more than was captured.
/// </summary>
public sealed partial class Payment : ILiveEntity
{
    private readonly List<PaymentAttempt> _attempts = [];
    private readonly List<PaymentRefund> _refunds = [];

    private Payment() { }

    /// <summary>Starts paying for an order by card; the amount is the order's, never the client's. Its page closes at <paramref name="pageExpiresAtUtc"/>.</summary>
    public static Payment Start(Order order, DateTime pageExpiresAtUtc, DateTime now)
    {
        if (order.PaymentMethod != PaymentMethod.Card)
            throw new ConflictException($"Order {order.PublicId} is paid in cash on delivery; there is nothing to pay by card.");
        var payment = new Payment
        {
            OrderId = order.Id,
            UserId = order.UserId,
            Currency = order.Currency,
            AmountMinor = order.TotalMinor,
            Status = PaymentStatus.Initiated,
            CreatedAtUtc = now,
            UpdatedAtUtc = now,
        };
        payment._attempts.Add(new PaymentAttempt(1, order.TotalMinor, pageExpiresAtUtc, now));
        return payment;
    }

    public int Id { get; private set; }
    public string PublicId => Common.PublicId.Format(Common.PublicId.Payment, Id);
    public int OrderId { get; private set; }
    public string UserId { get; private set; } = "";
    public string Currency { get; private set; } = "";

    /// <summary>What the current attempt asks for (an order changed after a failure is re-priced).</summary>
    public long AmountMinor { get; private set; }
    public long CapturedMinor { get; private set; }
    public long RefundedMinor { get; private set; }
    public PaymentStatus Status { get; private set; }
    public string? FailureMessage { get; private set; }

    /// <summary>Why a person must look at this payment (a success for an amount we never asked for); null when nothing is amiss.</summary>
    public string? ReviewNote { get; private set; }
    public DateTime CreatedAtUtc { get; private set; }
    public DateTime UpdatedAtUtc { get; private set; }

    /// <summary>Optimistic concurrency: a webhook and a retry racing on one payment cannot both win.</summary>
    public int Version { get; private set; }

    /// <summary>The return page follows the payment; the order's page shows it too.</summary>
    public ChangedRow Changed() => new("Payments", Id, Version, [new Change("payment", Id), new Change("order", OrderId)]);

    public IReadOnlyList<PaymentAttempt> Attempts => _attempts;
    public IReadOnlyList<PaymentRefund> Refunds => _refunds;
    public PaymentAttempt CurrentAttempt => _attempts.MaxBy(a => a.Number)!;
    public Money Amount => new(Currency, AmountMinor);

    /// <summary>Money is, or may still be, taken: another attempt must not start.</summary>
    public bool IsLive => Status is PaymentStatus.Initiated or PaymentStatus.RequiresAction or PaymentStatus.Authorized;

    /// <summary>Captured money not yet refunded nor promised to a pending refund of ours.</summary>
    public long RefundableMinor => Math.Max(0, CapturedMinor - RefundedMinor - _refunds.Where(r => r.Status == RefundStatus.Pending).Sum(r => r.AmountMinor));

    /// <summary>Money taken: refunds now settle against it (one reported before the capture waited for it).</summary>
    public bool IsCaptured => Status is PaymentStatus.Captured or PaymentStatus.Refunded;

    /// <summary>The PSP opened the checkout page of an attempt (the same idempotency key always yields the same one).</summary>
    public void RecordCheckout(int attemptNumber, string checkoutId, string? url, DateTime now)
    {
        var attempt = Attempt(attemptNumber);
        if (attempt.PspCheckoutId is { } known && known != checkoutId)
            throw new DomainException($"Attempt {attemptNumber} of payment {PublicId} already has checkout page {known}; the PSP answered {checkoutId}.");
        attempt.PspCheckoutId = checkoutId;
        attempt.RedirectUrl = url;
        Touch(now);
    }

    /// <summary>
    /// Which attempt a PaymentIntent pays: the one that knows it, or (its first event may come before the page's own says
    /// so) the one its metadata names, which then learns it. Null when it is none of ours.
    /// </summary>
    public PaymentAttempt? AttemptPaidBy(string intentId, PspPaymentRef? named, DateTime now)
    {
        if (_attempts.FirstOrDefault(a => a.PspReference == intentId) is { } known) return known;
        if (named is null || named.PaymentId != PublicId || _attempts.FirstOrDefault(a => a.Number == named.Attempt) is not { PspReference: null } attempt) return null;
        attempt.PspReference = intentId;
        Touch(now);
        return attempt;
    }

    /// <summary>
    /// What the PSP says about an attempt's checkout page. Complete: the attempt learns its PaymentIntent (whose own events
    /// and state say what became of the money). Expired with nothing paid: the attempt failed, and the shopper may try again.
    /// </summary>
    public PaymentChange ObserveCheckout(string checkoutId, PspCheckoutStatus observed, string? intentId, DateTime now)
    {
        var attempt = _attempts.FirstOrDefault(a => a.PspCheckoutId == checkoutId)
            ?? throw new DomainException($"Checkout page {checkoutId} does not belong to payment {PublicId}.");
        if (observed == PspCheckoutStatus.Complete && intentId is not null && attempt.PspReference is null)
        {
            attempt.PspReference = intentId;
            Touch(now);
        }
        if (observed != PspCheckoutStatus.Expired || attempt != CurrentAttempt || Status is not (PaymentStatus.Initiated or PaymentStatus.RequiresAction))
            return PaymentChange.None;
        Status = attempt.Status = PaymentStatus.Failed;
        FailureMessage = attempt.FailureMessage = "The payment page closed before a payment was made.";
        Touch(now);
        return PaymentChange.Failed;
    }

    /// <summary>
    /// Applies what the PSP says about one of this payment's PaymentIntents. Only forward moves of the
    /// current attempt count; anything else (late, repeated, about an older attempt) returns <see cref="PaymentChange.None"/>.
    /// </summary>
    /// <remarks>
    /// A hold counts only for exactly the amount and currency the attempt asked for, a capture only for what was asked to be
    /// captured (or, with nothing asked, the attempt's amount). Anything else (a forged event, a PSP-side edit) is never
    /// taken as money: it sets <see cref="ReviewNote"/> once and leaves the payment where it was, so the PSP's true answer
    /// can still settle it.
    /// </remarks>
    public PaymentChange Observe(string intentId, PspIntentStatus observed, long amountReceivedMinor, string currency, string? failureMessage, DateTime now,
        PspPaymentRef? named = null, long amountCapturableMinor = 0, bool lapsed = false)
    {
        var attempt = AttemptPaidBy(intentId, named, now)
            ?? throw new DomainException($"PaymentIntent {intentId} does not belong to payment {PublicId}.");
        if (attempt != CurrentAttempt) return PaymentChange.None;
        var (what, got, expected) = observed == PspIntentStatus.Authorized
            ? ("authorized", amountCapturableMinor, attempt.AmountMinor)
            : ("succeeded", amountReceivedMinor, CaptureRequestedMinor > 0 ? CaptureRequestedMinor : attempt.AmountMinor);
        var wouldMove = observed switch
        {
            PspIntentStatus.Authorized => Status is PaymentStatus.Initiated or PaymentStatus.RequiresAction or PaymentStatus.Failed,
            PspIntentStatus.Succeeded => Status is not (PaymentStatus.Captured or PaymentStatus.Refunded),
            _ => false,
        };
        if (wouldMove && (got != expected || !string.Equals(currency, Currency, StringComparison.OrdinalIgnoreCase)))
        {
            var note = Shorten($"The PSP reported PaymentIntent {intentId} as {what} for {got} {currency.ToUpperInvariant()} (minor units); "
                + $"attempt {attempt.Number} asked for {expected} {Currency}. Not taken as money: check the payment at the PSP and refund, release or settle it by hand.");
            if (note == ReviewNote) return PaymentChange.None;
            ReviewNote = note;
            Touch(now);
            return PaymentChange.HeldForReview;
        }

        var change = (Status, observed) switch
        {
            (PaymentStatus.Initiated, PspIntentStatus.RequiresAction) => PaymentChange.RequiresAction,
            // A card may still be held, or charged, after a failed try on the PSP's page: what the bank said last is the truth.
            (PaymentStatus.Initiated or PaymentStatus.RequiresAction or PaymentStatus.Failed, PspIntentStatus.Authorized) => PaymentChange.Authorized,
            (PaymentStatus.Initiated or PaymentStatus.RequiresAction or PaymentStatus.Authorized or PaymentStatus.Failed, PspIntentStatus.Succeeded) => PaymentChange.Captured,
            (PaymentStatus.Initiated or PaymentStatus.RequiresAction, PspIntentStatus.Failed or PspIntentStatus.Canceled) => PaymentChange.Failed,
            (PaymentStatus.Authorized, PspIntentStatus.Canceled) => lapsed ? PaymentChange.Expired : PaymentChange.Voided,
            _ => PaymentChange.None,
        };
        switch (change)
        {
            case PaymentChange.RequiresAction:
                Status = attempt.Status = PaymentStatus.RequiresAction;
                break;
            case PaymentChange.Authorized:
                Status = attempt.Status = PaymentStatus.Authorized;
                AuthorizedMinor = amountCapturableMinor;
                AuthorizedAtUtc = now;
                FailureMessage = attempt.FailureMessage = null;
                break;
            case PaymentChange.Captured:
                Status = attempt.Status = PaymentStatus.Captured;
                CapturedMinor = amountReceivedMinor;
                FailureMessage = attempt.FailureMessage = null;
                break;
            case PaymentChange.Voided or PaymentChange.Expired:
                Status = attempt.Status = change == PaymentChange.Voided ? PaymentStatus.Voided : PaymentStatus.Expired;
                break;
            case PaymentChange.Failed:
                Status = attempt.Status = PaymentStatus.Failed;
                FailureMessage = attempt.FailureMessage = Shorten(failureMessage ?? (observed == PspIntentStatus.Canceled ? "The payment was cancelled." : "The payment failed."));
                break;
            case PaymentChange.None when Status == PaymentStatus.Failed && observed == PspIntentStatus.Failed && failureMessage is { } why
                && Shorten(why) != attempt.FailureMessage:
                // Another card failed on the same page (a decline, then a failed 3-D Secure): the shopper reads the latest reason.
                FailureMessage = attempt.FailureMessage = Shorten(why);
                Touch(now);
                return PaymentChange.None;
            default:
                return PaymentChange.None;
        }
        Touch(now);
        return change;
    }

    /// <summary>A new attempt after a failure, for what the order costs now, on a page that closes at <paramref name="pageExpiresAtUtc"/>.</summary>
    public PaymentAttempt Retry(long amountMinor, DateTime pageExpiresAtUtc, DateTime now)
    {
        if (Status != PaymentStatus.Failed)
            throw new ConflictException($"Payment {PublicId} is {Status}; a new attempt is possible only after the last one failed.");
        var attempt = new PaymentAttempt(CurrentAttempt.Number + 1, amountMinor, pageExpiresAtUtc, now);
        _attempts.Add(attempt);
        AmountMinor = amountMinor;
        Status = PaymentStatus.Initiated;
        FailureMessage = null;
        Touch(now);
        return attempt;
    }

    /// <summary>
    /// Marks that one request is now asking the PSP for an attempt's PaymentIntent, so a parallel
    /// request does not; false while another request holds it. A request that died lets it run out.
    /// </summary>
    public bool TakePspCall(int attemptNumber, DateTime now, TimeSpan lease)
    {
        var attempt = Attempt(attemptNumber);
        if (attempt.PspCallUntilUtc is { } until && until > now) return false;
        attempt.PspCallUntilUtc = now + lease;
        Touch(now);
        return true;
    }

    public void ReleasePspCall(int attemptNumber, DateTime now)
    {
        Attempt(attemptNumber).PspCallUntilUtc = null;
        Touch(now);
    }

    /// <summary>The attempt whose PaymentIntent took the money.</summary>
    public PaymentAttempt? CapturedAttempt => _attempts.FirstOrDefault(a => a.Status == PaymentStatus.Captured);

    public PaymentAttempt Attempt(int number) =>
        _attempts.FirstOrDefault(a => a.Number == number) ?? throw new DomainException($"Payment {PublicId} has no attempt {number}.");

    private void Touch(DateTime now)
    {
        UpdatedAtUtc = now;
        Version++;
    }

    private static string Shorten(string text) => TextRules.Clean(text, 300);
}
