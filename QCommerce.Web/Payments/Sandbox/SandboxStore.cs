using Microsoft.EntityFrameworkCore;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>A PaymentIntent as the sandbox keeps it; statuses are Stripe's own strings.</summary>
public sealed class SandboxIntent
{
    public string Id { get; set; } = "";
    public long Amount { get; set; }
    public long AmountReceived { get; set; }

    /// <summary>Held on the card, waiting for a capture (manual capture only).</summary>
    public long AmountCapturable { get; set; }

    /// <summary>automatic (taken at once) or manual (held until captured).</summary>
    public string CaptureMethod { get; set; } = "automatic";
    public string? CancellationReason { get; set; }
    public string? CheckoutSessionId { get; set; }
    public DateTime? AuthorizedAtUtc { get; set; }
    public string Currency { get; set; } = "";
    public string Status { get; set; } = "";
    public string? Description { get; set; }
    public string MetadataJson { get; set; } = "{}";
    public string? ReturnUrl { get; set; }
    public string? PayPageUrl { get; set; }
    public string? LastErrorCode { get; set; }
    public string? LastErrorMessage { get; set; }
    public string? CardLast4 { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

/// <summary>A Checkout Session: the hosted page, what it sells and where it sends the shopper back.</summary>
public sealed class SandboxSession
{
    public string Id { get; set; } = "";

    /// <summary>open, complete or expired.</summary>
    public string Status { get; set; } = "open";

    /// <summary>unpaid (nothing yet, or only held), paid.</summary>
    public string PaymentStatus { get; set; } = "unpaid";
    public string Currency { get; set; } = "";
    public long AmountSubtotal { get; set; }
    public long AmountShipping { get; set; }
    public long AmountDiscount { get; set; }
    public long AmountTotal { get; set; }

    /// <summary>The line items as the page lists them: name, unit amount, quantity.</summary>
    public string LineItemsJson { get; set; } = "[]";
    public string MetadataJson { get; set; } = "{}";

    /// <summary>What the PaymentIntent is made with: its capture method, description and metadata.</summary>
    public string CaptureMethod { get; set; } = "automatic";
    public string? IntentDescription { get; set; }
    public string IntentMetadataJson { get; set; } = "{}";
    public string? ClientReferenceId { get; set; }
    public string SuccessUrl { get; set; } = "";
    public string? CancelUrl { get; set; }
    public string Url { get; set; } = "";
    public string? PaymentIntentId { get; set; }
    public DateTime ExpiresAtUtc { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

/// <summary>A line of a Checkout Session's page.</summary>
public sealed record SandboxLineItem(string Name, long UnitAmount, long Quantity);

/// <summary>A coupon (the one way Stripe shows a discount on a Checkout Session): an amount off, once.</summary>
public sealed class SandboxCoupon
{
    public string Id { get; set; } = "";
    public long AmountOff { get; set; }
    public string Currency { get; set; } = "";
    public string? Name { get; set; }
    public int? MaxRedemptions { get; set; }
    public int TimesRedeemed { get; set; }
    public DateTime CreatedAtUtc { get; set; }
}

public sealed class SandboxRefund
{
    public string Id { get; set; } = "";
    public string PaymentIntentId { get; set; } = "";
    public long Amount { get; set; }
    public string Currency { get; set; } = "";
    public string Status { get; set; } = "";
    public string MetadataJson { get; set; } = "{}";
    public DateTime CreatedAtUtc { get; set; }
}

/// <summary>Stripe's idempotency: the first answer to a key is the answer to every repeat of it.</summary>
public sealed class SandboxIdempotentResponse
{
    public string Key { get; set; } = "";
    public string RequestFingerprint { get; set; } = "";
    public int Status { get; set; }
    public string Body { get; set; } = "";
}

/// <summary>
/// An event: listed by GET /v1/events like Stripe's event log, and delivered (signed) to the
/// merchant's webhook endpoint until it answers 2xx.
/// </summary>
public sealed class SandboxWebhook
{
    public long Id { get; set; }
    public string EventId { get; set; } = "";
    public string Type { get; set; } = "";
    public string Payload { get; set; } = "";
    public DateTime CreatedAtUtc { get; set; }
    public int Attempts { get; set; }
    public DateTime NextAttemptAtUtc { get; set; }
    public DateTime? DeliveredAtUtc { get; set; }
    public int? LastStatus { get; set; }

    /// <summary>Dropped by fault injection: never delivered, as if lost on the way.</summary>
    public bool Lost { get; set; }
}

/// <summary>
/// The sandbox's own SQLite file (not the shop's database): its state survives a restart, and it
/// stays out of QCommerce's schema and migrations because a real PSP is not part of them either.
/// A file of an older shape is started afresh (<see cref="SchemaVersion"/>).
/// </summary>
public sealed class PspSandboxDbContext(DbContextOptions<PspSandboxDbContext> options) : DbContext(options)
{
    /// <summary>Raised whenever the entities change shape; a file stamped with another is made anew.</summary>
    public const int SchemaVersion = 2;

    public DbSet<SandboxIntent> Intents => Set<SandboxIntent>();
    public DbSet<SandboxRefund> Refunds => Set<SandboxRefund>();
    public DbSet<SandboxSession> Sessions => Set<SandboxSession>();
    public DbSet<SandboxCoupon> Coupons => Set<SandboxCoupon>();
    public DbSet<SandboxIdempotentResponse> IdempotentResponses => Set<SandboxIdempotentResponse>();
    public DbSet<SandboxWebhook> Webhooks => Set<SandboxWebhook>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<SandboxIntent>().HasKey(i => i.Id);
        b.Entity<SandboxRefund>().HasKey(r => r.Id);
        b.Entity<SandboxRefund>().HasIndex(r => r.PaymentIntentId);
        b.Entity<SandboxRefund>().HasIndex(r => r.Status);
        b.Entity<SandboxSession>().HasKey(s => s.Id);
        b.Entity<SandboxSession>().HasIndex(s => new { s.Status, s.ExpiresAtUtc });
        b.Entity<SandboxCoupon>().HasKey(c => c.Id);
        b.Entity<SandboxIntent>().HasIndex(i => new { i.Status, i.AuthorizedAtUtc });
        b.Entity<SandboxIdempotentResponse>().HasKey(r => r.Key);
        b.Entity<SandboxWebhook>().HasIndex(w => new { w.DeliveredAtUtc, w.NextAttemptAtUtc });
        b.Entity<SandboxWebhook>().HasIndex(w => w.EventId).IsUnique();
        b.Entity<SandboxWebhook>().HasIndex(w => w.CreatedAtUtc);
    }
}
