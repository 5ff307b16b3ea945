namespace QCommerce.Core.Webhooks;

/// <summary>The <c>Webhooks</c> section of appsettings.json: how endpoints are checked and how deliveries are sent.</summary>
public sealed class WebhookOptions
{
    /// <summary>
    /// Whether an endpoint may be on a loopback, private, link-local or otherwise internal address (SSRF: a webhook must not
    /// become a way to reach the shop's own network). Unset: allowed in Development and Testing only.
    /// </summary>
    public bool? AllowPrivateTargets { get; set; }

    /// <summary>Whether plain http:// endpoints are refused. Unset: https only outside Development and Testing.</summary>
    public bool? RequireHttps { get; set; }

    /// <summary>How long one delivery may take, connection included, before it counts as failed.</summary>
    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Deliveries one endpoint may have in flight on one instance: a slow receiver slows only itself.</summary>
    public int MaxInFlightPerEndpoint { get; set; } = 4;

    /// <summary>
    /// The wait after each failed try, then the delivery gives up: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (about 28 hours in
    /// all, the Standard Webhooks schedule). Each wait is spread by ±<see cref="Jitter"/> so a receiver coming back is not met
    /// by every retry at once.
    /// </summary>
    public TimeSpan[] RetrySchedule { get; set; } =
    [
        TimeSpan.FromSeconds(5), TimeSpan.FromMinutes(5), TimeSpan.FromMinutes(30), TimeSpan.FromHours(2),
        TimeSpan.FromHours(5), TimeSpan.FromHours(10), TimeSpan.FromHours(10),
    ];

    public double Jitter { get; set; } = 0.2;

    /// <summary>An endpoint whose every delivery has failed for this long is disabled (and the dashboard says so).</summary>
    public TimeSpan DisableAfter { get; set; } = TimeSpan.FromDays(1);

    /// <summary>How long a rotated-out secret keeps signing beside the new one, unless the rotation names another overlap.</summary>
    public TimeSpan RotationOverlap { get; set; } = TimeSpan.FromHours(24);

    /// <summary>How much of a receiver's answer is read and kept in the delivery log.</summary>
    public int ResponseExcerptBytes { get; set; } = 1024;
}
