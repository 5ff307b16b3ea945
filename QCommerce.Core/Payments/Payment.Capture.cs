namespace QCommerce.Core.Payments;

/// <summary>
/// Money held, then taken (architecture §3): the card is authorised for the order's total at checkout; when the pick is done the
/// order's account says what to capture (never more than is held), and the PSP releases the rest to the card.
/// </summary>
public sealed partial class Payment
{
    /// <summary>What the card was authorised for at checkout (0 when the money was taken at once).</summary>
    public long AuthorizedMinor { get; private set; }

    /// <summary>When the hold was seen (the bank keeps it for <see cref="PaymentsOptions.HoldValidity"/>); null before.</summary>
    public DateTime? AuthorizedAtUtc { get; private set; }

    /// <summary>What was asked to be captured (0: nothing yet); the PSP's success must say the same.</summary>
    public long CaptureRequestedMinor { get; private set; }

    /// <summary>The capture's own key: the PSP's idempotency key and what a repeated request finds.</summary>
    public Guid? CaptureKey { get; private set; }

    /// <summary>Why the PSP would not take the money held (null while nothing went wrong).</summary>
    public string? CaptureFailure { get; private set; }

    /// <summary>Held money that went back to the card: the rest after a capture, or all of a hold voided or lapsed.</summary>
    public long ReleasedMinor => AuthorizedMinor == 0 ? 0
        : Status is PaymentStatus.Captured or PaymentStatus.Refunded ? AuthorizedMinor - CapturedMinor
        : Status is PaymentStatus.Voided or PaymentStatus.Expired ? AuthorizedMinor
        : 0;

    /// <summary>A capture asked and not yet confirmed by the PSP.</summary>
    public bool IsCapturing => Status == PaymentStatus.Authorized && CaptureKey is not null && CaptureFailure is null;

    /// <summary>
    /// Promises to take <paramref name="amountMinor"/> of the money held; the PSP is asked next under the capture's key. A
    /// repeat with the same key is the same capture; another capture of the same hold is refused (money is taken once).
    /// </summary>
    public void RequestCapture(long amountMinor, Guid key, DateTime now)
    {
        if (CaptureKey == key) return;
        if (Status != PaymentStatus.Authorized)
            throw new ConflictException($"Payment {PublicId} is {Status}; only money held on the card can be captured.");
        if (CaptureKey is not null)
            throw new ConflictException($"Payment {PublicId} is already asked to capture {new Money(Currency, CaptureRequestedMinor)}.");
        if (amountMinor <= 0 || amountMinor > AuthorizedMinor)
            throw new DomainException($"Payment {PublicId} holds {new Money(Currency, AuthorizedMinor)}; {new Money(Currency, amountMinor)} cannot be captured.");
        CaptureRequestedMinor = amountMinor;
        CaptureKey = key;
        CaptureFailure = null;
        Touch(now);
    }

    /// <summary>The PSP refused the capture for good (the hold lapsed or was released at the PSP): a person decides what follows.</summary>
    public PaymentChange CaptureRefused(string reason, DateTime now)
    {
        if (!IsCapturing) return PaymentChange.None;
        CaptureFailure = Shorten(reason);
        Touch(now);
        return PaymentChange.CaptureFailed;
    }
}
