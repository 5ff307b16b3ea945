namespace QCommerce.Core.Payments;

/// <summary>The <c>Payments</c> section of appsettings.json.</summary>
public sealed class PaymentsOptions
{
    public StripeSettings Stripe { get; set; } = new();

    /// <summary>The most a colleague in Support may refund at once, in the order's minor units (5000: $50.00); more needs Ops.</summary>
    public long SupportRefundLimitMinor { get; set; } = 5_000;

    /// <summary>How long the PSP gets to answer one call before it is retried (with the same idempotency key).</summary>
    public TimeSpan PspTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Retries of a call that timed out or met a 5xx/409/429, on top of the first try (<see cref="PspResilience"/>).</summary>
    public int PspRetries { get; set; } = 2;

    /// <summary>When card payments pause because the provider keeps failing.</summary>
    public PspCircuitOptions Circuit { get; set; } = new();

    /// <summary>A payment still Initiated/RequiresAction, or a refund still pending, this long is asked about at the PSP.</summary>
    public TimeSpan ReconcileAfter { get; set; } = TimeSpan.FromMinutes(5);

    public TimeSpan ReconcileInterval { get; set; } = TimeSpan.FromMinutes(1);

    /// <summary>How far back each reconciliation reads the PSP's event log (already stored events are skipped).</summary>
    public TimeSpan ReconcileLookback { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// The shortest life of a checkout page: Stripe refuses a Checkout Session that closes in less than 30 minutes, so an
    /// order whose stock reservation ends sooner has it stretched to this when its first payment starts (a minute more, for
    /// the clocks' difference). A retry stretches nothing: its page closes when the order expires.
    /// </summary>
    public TimeSpan CheckoutPageMinimum { get; set; } = TimeSpan.FromMinutes(31);

    /// <summary>How long a 3-D Secure challenge keeps the order's stock reserved past its usual expiry.</summary>
    public TimeSpan ChallengeHold { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Failed tries at a capture (the PSP not answering) after which the order's review note tells a person; it is still
    /// asked again, with the outbox's backoff (1, 2, 4, 8 s… up to 5 minutes apart), until the PSP answers.
    /// </summary>
    public int CaptureTriesBeforeReview { get; set; } = 5;

    /// <summary>How long the card's bank keeps money held before the hold lapses (Stripe: 7 days for online card payments).</summary>
    public TimeSpan HoldValidity { get; set; } = TimeSpan.FromDays(7);

    /// <summary>Money held longer than this (an order picked within the hour is charged long before) is listed on the dashboard for a person.</summary>
    public TimeSpan HoldAgeWarning { get; set; } = TimeSpan.FromHours(3);

    /// <summary>True when no Stripe key is configured: the embedded sandbox PSP answers instead.</summary>
    public bool UsesSandbox => string.IsNullOrWhiteSpace(Stripe.SecretKey);
}

public sealed class StripeSettings
{
    /// <summary>Empty (the default) runs the embedded sandbox; a real key (sk_test_/sk_live_) talks to Stripe.</summary>
    public string SecretKey { get; set; } = "";

    /// <summary>Signs (sandbox) and verifies webhook events; with a real account it comes from the environment.</summary>
    public string WebhookSecret { get; set; } = "";

    /// <summary>Seconds a webhook's signature timestamp may be off: older events are replays and refused.</summary>
    public long WebhookToleranceSeconds { get; set; } = 300;
}

/// <summary>
/// Where Stripe's API is: api.stripe.com with the configured key, or the embedded sandbox, whose
/// address is known only once the server listens.
/// </summary>
public interface IStripeApiLocation
{
    string ApiKey { get; }

    /// <summary>Null for Stripe itself.</summary>
    string? ApiBase { get; }
}

/// <summary>Stripe itself, with the configured secret key.</summary>
internal sealed class ConfiguredStripeApiLocation(Microsoft.Extensions.Options.IOptions<PaymentsOptions> options) : IStripeApiLocation
{
    public string ApiKey => options.Value.Stripe.SecretKey;
    public string? ApiBase => null;
}
