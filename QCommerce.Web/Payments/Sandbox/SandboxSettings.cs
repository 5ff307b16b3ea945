namespace QCommerce.Web.Payments.Sandbox;

/// <summary>
/// How the sandbox's time runs (<c>Payments:Sandbox</c>): Stripe's own figures by default; tests and demos shorten them
/// to see a hold lapse or a refund settle without waiting days.
/// </summary>
public sealed class SandboxSettings
{
    /// <summary>How long a card holds an authorization before it lapses (Stripe: 7 days for online card payments).</summary>
    public TimeSpan AuthorizationValidity { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a card refund stays pending before it succeeds.</summary>
    public TimeSpan RefundSettlesAfter { get; set; } = TimeSpan.FromMilliseconds(200);
}
