namespace QCommerce.Web.Payments.Sandbox;

/// <summary>
/// Trouble the sandbox can make on purpose (<c>Payments:Sandbox:Faults</c>, or set by tests at run
/// time): answers that fail or come late, and webhooks that are lost or delayed, to prove that
/// QCommerce retries with the same idempotency key, tells the shopper to try again, and reconciles.
/// </summary>
public sealed class SandboxFaults
{
    private int _failNextRequests;
    private int _slowNextRequests;

    /// <summary>Added to every API answer.</summary>
    public TimeSpan Latency { get; set; }

    /// <summary>How late a "slow" answer comes (longer than the client's timeout makes it a timeout).</summary>
    public TimeSpan SlowBy { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>New events are never delivered, as if lost on the way.</summary>
    public bool LoseWebhooks { get; set; }

    /// <summary>Events are signed with a wrong secret while set, so the shop refuses them (400) and they are retried.</summary>
    public bool SignWebhooksWrongly { get; set; }

    /// <summary>New events are delivered no earlier than this after they happen.</summary>
    public TimeSpan WebhookDelay { get; set; }

    /// <summary>Bound from configuration: the next N API requests answer 500.</summary>
    public int FailRequests { get => _failNextRequests; set => _failNextRequests = value; }

    /// <summary>Bound from configuration: the next N API requests answer after <see cref="SlowBy"/> (and still take effect).</summary>
    public int SlowRequests { get => _slowNextRequests; set => _slowNextRequests = value; }

    public bool TakeFailure() => Take(ref _failNextRequests);

    public bool TakeSlow() => Take(ref _slowNextRequests);

    public void Reset()
    {
        FailRequests = SlowRequests = 0;
        Latency = WebhookDelay = TimeSpan.Zero;
        LoseWebhooks = SignWebhooksWrongly = false;
    }

    private static bool Take(ref int counter)
    {
        while (true)
        {
            var current = Volatile.Read(ref counter);
            if (current <= 0) return false;
            if (Interlocked.CompareExchange(ref counter, current - 1, current) == current) return true;
        }
    }
}
