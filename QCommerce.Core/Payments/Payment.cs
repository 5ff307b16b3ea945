using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>
/// The card payment of one order. Each try at the PSP is an <see cref="PaymentAttempt"/> with its own
/// PaymentIntent; a new attempt is allowed only after the previous one failed, so at most one is live.
/// PSP observations move the current attempt forward only: a stale or repeated event changes nothing,
/// and money is captured once. Refunds, partial or full, never add up to more than was captured.
/// </summary>
public sealed class Payment : ILiveEntity
{
    private readonly List<PaymentAttempt> _attempts = [];
    private readonly List<PaymentRefund> _refunds = [];

    private Payment() { }

    /// <summary>Starts paying for an order by card; the amount is the order's, never the client's.</summary>
    public static Payment Start(Order order, DateTime now)
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
        payment._attempts.Add(new PaymentAttempt(1, order.TotalMinor, now));
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

    /// <summary>The PSP created the PaymentIntent of an attempt (the same idempotency key always yields the same one).</summary>
    public void RecordIntent(int attemptNumber, string intentId, string? redirectUrl, DateTime now)
    {
        var attempt = Attempt(attemptNumber);
        if (attempt.PspReference is { } known && known != intentId)
            throw new DomainException($"Attempt {attemptNumber} of payment {PublicId} already has PaymentIntent {known}; the PSP answered {intentId}.");
        attempt.PspReference = intentId;
        attempt.RedirectUrl = redirectUrl;
        Touch(now);
    }

    /// <summary>
    /// Applies what the PSP says about one of this payment's PaymentIntents. Only forward moves of the
    /// current attempt count; anything else (late, repeated, about an older attempt) returns <see cref="PaymentChange.None"/>.
    /// </summary>
    /// <remarks>
    /// A success counts only for exactly the amount and currency the attempt asked for. Anything else
    /// (a forged event, a PSP-side edit) is never captured: it sets <see cref="ReviewNote"/> once and
    /// leaves the payment where it was, so the PSP's true answer can still settle it.
    /// </remarks>
    public PaymentChange Observe(string intentId, PspIntentStatus observed, long amountReceivedMinor, string currency, string? failureMessage, DateTime now)
    {
        var attempt = _attempts.FirstOrDefault(a => a.PspReference == intentId)
            ?? throw new DomainException($"PaymentIntent {intentId} does not belong to payment {PublicId}.");
        if (attempt != CurrentAttempt) return PaymentChange.None;
        if (observed == PspIntentStatus.Succeeded && Status is not (PaymentStatus.Captured or PaymentStatus.Refunded)
            && (amountReceivedMinor != attempt.AmountMinor || !string.Equals(currency, Currency, StringComparison.OrdinalIgnoreCase)))
        {
            var note = Shorten($"The PSP reported PaymentIntent {intentId} as succeeded with {amountReceivedMinor} {currency.ToUpperInvariant()} (minor units) received; "
                + $"attempt {attempt.Number} asked for {attempt.AmountMinor} {Currency}. Not captured: check the payment at the PSP and refund or settle it by hand.");
            if (note == ReviewNote) return PaymentChange.None;
            ReviewNote = note;
            Touch(now);
            return PaymentChange.HeldForReview;
        }

        var change = (Status, observed) switch
        {
            (PaymentStatus.Initiated, PspIntentStatus.RequiresAction) => PaymentChange.RequiresAction,
            (PaymentStatus.Initiated or PaymentStatus.RequiresAction, PspIntentStatus.Authorized) => PaymentChange.Authorized,
            // A PaymentIntent may still succeed after a failed try on the PSP's page: money taken is the truth.
            (PaymentStatus.Initiated or PaymentStatus.RequiresAction or PaymentStatus.Authorized or PaymentStatus.Failed, PspIntentStatus.Succeeded) => PaymentChange.Captured,
            (PaymentStatus.Initiated or PaymentStatus.RequiresAction or PaymentStatus.Authorized, PspIntentStatus.Failed or PspIntentStatus.Canceled) => PaymentChange.Failed,
            _ => PaymentChange.None,
        };
        switch (change)
        {
            case PaymentChange.RequiresAction:
                Status = attempt.Status = PaymentStatus.RequiresAction;
                break;
            case PaymentChange.Authorized:
                Status = attempt.Status = PaymentStatus.Authorized;
                break;
            case PaymentChange.Captured:
                Status = attempt.Status = PaymentStatus.Captured;
                CapturedMinor = amountReceivedMinor;
                FailureMessage = attempt.FailureMessage = null;
                break;
            case PaymentChange.Failed:
                Status = attempt.Status = PaymentStatus.Failed;
                FailureMessage = attempt.FailureMessage = Shorten(failureMessage ?? (observed == PspIntentStatus.Canceled ? "The payment was cancelled." : "The payment failed."));
                break;
            default:
                return PaymentChange.None;
        }
        Touch(now);
        return change;
    }

    /// <summary>A new attempt after a failure, for what the order costs now.</summary>
    public PaymentAttempt Retry(long amountMinor, DateTime now)
    {
        if (Status != PaymentStatus.Failed)
            throw new ConflictException($"Payment {PublicId} is {Status}; a new attempt is possible only after the last one failed.");
        var attempt = new PaymentAttempt(CurrentAttempt.Number + 1, amountMinor, now);
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

    /// <summary>
    /// Promises money back; the PSP is asked next, with the refund's own idempotency key. A
    /// <paramref name="key"/> already used returns that refund, so a repeated request is one refund.
    /// </summary>
    public PaymentRefund RequestRefund(long amountMinor, string reason, string actor, DateTime now, Guid? key = null)
    {
        if (key is { } k && _refunds.FirstOrDefault(r => r.Key == k) is { } existing) return existing;
        if (Status is not PaymentStatus.Captured)
            throw new ConflictException($"Payment {PublicId} is {Status}; only captured money can be refunded.");
        if (amountMinor <= 0) throw new DomainException("A refund is a positive amount.");
        if (amountMinor > RefundableMinor)
            throw new ConflictException($"Payment {PublicId} has {new Money(Currency, RefundableMinor)} left to refund; {new Money(Currency, amountMinor)} is more than that.");
        var refund = new PaymentRefund(amountMinor, Shorten(reason), actor, now, key);
        _refunds.Add(refund);
        Touch(now);
        return refund;
    }

    /// <summary>
    /// Whether a refund the PSP reports is one it could have made: one of ours, or one of the PaymentIntent whose money was
    /// captured here, positive, and within what the charge has left after every refund not failed. Anything else (a forged
    /// or broken event) must never count as money. A refund's event that overtook its capture's is not one yet: refused, the
    /// PSP sends it again (Stripe retries for days) and it counts once the capture is here.
    /// </summary>
    public bool CouldBeRefunded(string intentId, string pspRefundId, Guid? localKey, long amountMinor)
    {
        var attempt = _attempts.FirstOrDefault(a => a.PspReference == intentId);
        if (amountMinor <= 0 || attempt is null || amountMinor > attempt.AmountMinor) return false;
        if (_refunds.Any(r => r.PspRefundId == pspRefundId || (localKey is { } key && r.Key == key))) return true;
        return attempt.Status == PaymentStatus.Captured
            && _refunds.Where(r => r.Status != RefundStatus.Failed).Sum(r => r.AmountMinor) + amountMinor <= CapturedMinor;
    }

    /// <summary>
    /// Applies what the PSP says about a refund. Ours move from pending to succeeded or failed, once. A refund we never asked
    /// for (made at the PSP directly) is recorded only once it succeeded: a pending one is no promise of ours and never holds
    /// back what staff may refund; it is for the order's account to count and a person to look at.
    /// </summary>
    public PaymentChange ObserveRefund(string pspRefundId, Guid? localKey, long amountMinor, RefundStatus observed, string? failure, DateTime now)
    {
        if (amountMinor <= 0) throw new DomainException("A refund is a positive amount.");
        var refund = _refunds.FirstOrDefault(r => r.PspRefundId == pspRefundId)
            ?? (localKey is { } key ? _refunds.FirstOrDefault(r => r.Key == key) : null);
        if (refund is null)
        {
            if (observed != RefundStatus.Succeeded || !IsCaptured) return PaymentChange.None;
            refund = new PaymentRefund(amountMinor, "Refunded at the payment provider.", "psp", now, localKey, unasked: true);
            _refunds.Add(refund);
        }
        refund.PspRefundId ??= pspRefundId;
        if (refund.Status != RefundStatus.Pending || observed == RefundStatus.Pending)
        {
            Touch(now);
            return PaymentChange.None;
        }
        refund.Status = observed;
        refund.CompletedAtUtc = now;
        if (observed == RefundStatus.Failed)
        {
            refund.FailureMessage = Shorten(failure ?? "The refund failed.");
            Touch(now);
            return PaymentChange.RefundFailed;
        }
        SettleRefunds();
        Touch(now);
        return PaymentChange.RefundSucceeded;
    }

    /// <summary>Refunded so far is what succeeded, never more than was captured; all of it makes the payment Refunded.</summary>
    private void SettleRefunds()
    {
        RefundedMinor = Math.Min(CapturedMinor, _refunds.Where(r => r.Status == RefundStatus.Succeeded).Sum(r => r.AmountMinor));
        if (Status == PaymentStatus.Captured && CapturedMinor > 0 && RefundedMinor == CapturedMinor) Status = PaymentStatus.Refunded;
    }

    /// <summary>The PSP's answer to our own refund request.</summary>
    public void RecordRefundReference(Guid key, string pspRefundId, DateTime now)
    {
        var refund = _refunds.FirstOrDefault(r => r.Key == key) ?? throw new DomainException($"Payment {PublicId} has no refund {key}.");
        refund.PspRefundId ??= pspRefundId;
        Touch(now);
    }

    public PaymentAttempt Attempt(int number) =>
        _attempts.FirstOrDefault(a => a.Number == number) ?? throw new DomainException($"Payment {PublicId} has no attempt {number}.");

    private void Touch(DateTime now)
    {
        UpdatedAtUtc = now;
        Version++;
    }

    private static string Shorten(string text) => TextRules.Clean(text, 300);
}
