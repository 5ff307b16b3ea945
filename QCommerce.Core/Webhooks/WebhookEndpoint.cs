using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Webhooks;

/// <summary>
/// A receiver an admin registered: where deliveries go, which event types it wants, and the secrets that sign them. The
/// secrets are kept protected (<see cref="WebhookSecrets"/>); the current one is shown once, when made. After a rotation
/// the previous secret signs beside it until <see cref="PreviousSecretUntilUtc"/>, so a receiver can switch without a gap.
/// An endpoint every delivery of which has failed for <see cref="WebhookOptions.DisableAfter"/> is disabled: paused, its
/// deliveries (new ones too) waiting until it is enabled.
/// </summary>
public sealed class WebhookEndpoint
{
    public const int MaxUrlLength = 2000;
    public const int MaxDescriptionLength = 200;

    private WebhookEndpoint() { }

    internal WebhookEndpoint(string url, string description, IEnumerable<string> eventTypes, string protectedSecret, string createdBy, DateTime now)
    {
        Url = url;
        Description = description;
        EventTypes = string.Join(' ', eventTypes);
        ProtectedSecret = protectedSecret;
        CreatedBy = createdBy;
        CreatedAtUtc = now;
    }

    public int Id { get; private set; }
    public string Url { get; private set; } = "";
    public string Description { get; private set; } = "";

    /// <summary>The public event types it receives, space-separated (<c>order.placed payment.held</c>).</summary>
    public string EventTypes { get; private set; } = "";
    public string ProtectedSecret { get; private set; } = "";
    public string? ProtectedPreviousSecret { get; private set; }
    public DateTime? PreviousSecretUntilUtc { get; private set; }
    public string CreatedBy { get; private set; } = "";
    public DateTime CreatedAtUtc { get; private set; }
    public DateTime? DisabledAtUtc { get; private set; }
    /// <summary>Why, to follow "Disabled: " (<c>turned off by ana@shop.example.</c>, <c>every delivery failed for 24 hours (…).</c>).</summary>
    public string? DisabledReason { get; private set; }

    /// <summary>When its deliveries started failing with no success since; null while the last one succeeded.</summary>
    public DateTime? FailingSinceUtc { get; private set; }
    public DateTime? LastSuccessAtUtc { get; private set; }

    public bool Enabled => DisabledAtUtc is null;
    public string PublicId => Format(Id);

    public IReadOnlyList<string> Subscriptions => EventTypes.Split(' ', StringSplitOptions.RemoveEmptyEntries);

    public bool Wants(string eventType) => Subscriptions.Contains(eventType);

    public static string Format(int id) => Common.PublicId.Format(Common.PublicId.Webhook, id);

    internal void Change(string url, string description, IEnumerable<string> eventTypes)
    {
        Url = url;
        Description = description;
        EventTypes = string.Join(' ', eventTypes);
    }

    internal void Rotate(string protectedSecret, DateTime previousUntil)
    {
        ProtectedPreviousSecret = ProtectedSecret;
        PreviousSecretUntilUtc = previousUntil;
        ProtectedSecret = protectedSecret;
    }

    internal void Disable(string reason, DateTime now)
    {
        DisabledAtUtc = now;
        DisabledReason = reason;
    }

    /// <summary>Enabled again: its failures so far no longer count towards the next disabling.</summary>
    internal void Enable()
    {
        DisabledAtUtc = null;
        DisabledReason = null;
        FailingSinceUtc = null;
    }
}

internal sealed class WebhookEndpointConfiguration : IEntityTypeConfiguration<WebhookEndpoint>
{
    public void Configure(EntityTypeBuilder<WebhookEndpoint> b)
    {
        b.ToTable("WebhookEndpoints");
        b.Property(e => e.Url).HasMaxLength(WebhookEndpoint.MaxUrlLength);
        b.Property(e => e.Description).HasMaxLength(WebhookEndpoint.MaxDescriptionLength);
        b.Property(e => e.EventTypes).HasMaxLength(1000);
        b.Property(e => e.ProtectedSecret).HasMaxLength(1000);
        b.Property(e => e.ProtectedPreviousSecret).HasMaxLength(1000);
        b.Property(e => e.CreatedBy).HasMaxLength(256);
        b.Property(e => e.DisabledReason).HasMaxLength(500);
        b.Ignore(e => e.Subscriptions);
    }
}
