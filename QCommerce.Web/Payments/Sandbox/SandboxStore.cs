using Microsoft.EntityFrameworkCore;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>A PaymentIntent as the sandbox keeps it; statuses are Stripe's own strings.</summary>
public sealed class SandboxIntent
{
    public string Id { get; set; } = "";
    public long Amount { get; set; }
    public long AmountReceived { get; set; }
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
/// </summary>
public sealed class PspSandboxDbContext(DbContextOptions<PspSandboxDbContext> options) : DbContext(options)
{
    public DbSet<SandboxIntent> Intents => Set<SandboxIntent>();
    public DbSet<SandboxRefund> Refunds => Set<SandboxRefund>();
    public DbSet<SandboxIdempotentResponse> IdempotentResponses => Set<SandboxIdempotentResponse>();
    public DbSet<SandboxWebhook> Webhooks => Set<SandboxWebhook>();

    protected override void OnModelCreating(ModelBuilder b)
    {
        b.Entity<SandboxIntent>().HasKey(i => i.Id);
        b.Entity<SandboxRefund>().HasKey(r => r.Id);
        b.Entity<SandboxRefund>().HasIndex(r => r.PaymentIntentId);
        b.Entity<SandboxIdempotentResponse>().HasKey(r => r.Key);
        b.Entity<SandboxWebhook>().HasIndex(w => new { w.DeliveredAtUtc, w.NextAttemptAtUtc });
        b.Entity<SandboxWebhook>().HasIndex(w => w.EventId).IsUnique();
        b.Entity<SandboxWebhook>().HasIndex(w => w.CreatedAtUtc);
    }
}
