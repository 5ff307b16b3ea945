namespace QCommerce.Core.Payments;

/// <summary>
/// One try at the PSP: one hosted checkout page and the PaymentIntent the shopper pays it with.
/// <see cref="PspIdempotencyKey"/> and <see cref="PageExpiresAtUtc"/> are written before the PSP is called, so a retry
/// after a timeout asks for the very same page instead of opening a second one.
/// </summary>
public sealed class PaymentAttempt
{
    private PaymentAttempt() { }

    internal PaymentAttempt(int number, long amountMinor, DateTime pageExpiresAtUtc, DateTime now)
    {
        Number = number;
        AmountMinor = amountMinor;
        PageExpiresAtUtc = pageExpiresAtUtc;
        Status = PaymentStatus.Initiated;
        PspIdempotencyKey = $"qc-pay-{Guid.NewGuid():N}";
        CreatedAtUtc = now;
    }

    public int Id { get; private set; }
    public int PaymentId { get; private set; }
    public int Number { get; private set; }
    public long AmountMinor { get; private set; }
    public PaymentStatus Status { get; internal set; }
    public string PspIdempotencyKey { get; private set; } = "";

    /// <summary>The checkout page's id (Stripe's Checkout Session), once the PSP has answered.</summary>
    public string? PspCheckoutId { get; internal set; }

    /// <summary>The PaymentIntent that pays the page: known once the shopper paid on it (its events, or the page's completion, say which).</summary>
    public string? PspReference { get; internal set; }

    /// <summary>The checkout page, where the shopper is sent to pay.</summary>
    public string? RedirectUrl { get; internal set; }

    /// <summary>When the checkout page closes: never after the order's stock is released.</summary>
    public DateTime PageExpiresAtUtc { get; private set; }
    public string? FailureMessage { get; internal set; }

    /// <summary>Set while a request is asking the PSP for this attempt's PaymentIntent.</summary>
    public DateTime? PspCallUntilUtc { get; internal set; }
    public DateTime CreatedAtUtc { get; private set; }
}
