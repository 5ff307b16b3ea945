namespace QCommerce.Core.Payments;

/// <summary>
/// One try at the PSP. <see cref="PspIdempotencyKey"/> is written before the PSP is called, so a
/// retry after a timeout asks for the same PaymentIntent instead of charging twice.
/// </summary>
public sealed class PaymentAttempt
{
    private PaymentAttempt() { }

    internal PaymentAttempt(int number, long amountMinor, DateTime now)
    {
        Number = number;
        AmountMinor = amountMinor;
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

    /// <summary>The PaymentIntent id, once the PSP has answered.</summary>
    public string? PspReference { get; internal set; }
    public string? RedirectUrl { get; internal set; }
    public string? FailureMessage { get; internal set; }

    /// <summary>Set while a request is asking the PSP for this attempt's PaymentIntent.</summary>
    public DateTime? PspCallUntilUtc { get; internal set; }
    public DateTime CreatedAtUtc { get; private set; }
}
