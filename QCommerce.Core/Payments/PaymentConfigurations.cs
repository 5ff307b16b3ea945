using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

internal sealed class PaymentConfiguration : IEntityTypeConfiguration<Payment>
{
    public void Configure(EntityTypeBuilder<Payment> b)
    {
        b.ToTable("Payments", t =>
        {
            t.HasCheckConstraint("CK_Payments_Refunds", "\"RefundedMinor\" >= 0 AND \"RefundedMinor\" <= \"CapturedMinor\"");
        });
        b.HasOne<Order>().WithMany().HasForeignKey(p => p.OrderId).OnDelete(DeleteBehavior.Restrict);
        // One payment per order: two parallel "pay" requests cannot both start one (the loser gets 409).
        b.HasIndex(p => p.OrderId).IsUnique();
        b.Property(p => p.UserId).HasMaxLength(450);
        b.Property(p => p.Currency).HasMaxLength(3);
        b.Property(p => p.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(p => p.FailureMessage).HasMaxLength(300);
        b.Property(p => p.ReviewNote).HasMaxLength(300);
        b.Property(p => p.Version).IsConcurrencyToken();
        b.HasIndex(p => new { p.Status, p.UpdatedAtUtc });
        b.HasIndex(p => p.UpdatedAtUtc); // the live feed's look for other instances' changes
        b.HasMany(p => p.Attempts).WithOne().HasForeignKey(a => a.PaymentId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(p => p.Refunds).WithOne().HasForeignKey(r => r.PaymentId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(p => p.Attempts).UsePropertyAccessMode(PropertyAccessMode.Field).AutoInclude();
        b.Navigation(p => p.Refunds).UsePropertyAccessMode(PropertyAccessMode.Field).AutoInclude();
        b.Ignore(p => p.PublicId);
        b.Ignore(p => p.CurrentAttempt);
        b.Ignore(p => p.Amount);
        b.Ignore(p => p.IsLive);
        b.Ignore(p => p.RefundableMinor);
        b.Ignore(p => p.CapturedAttempt);
        b.Ignore(p => p.IsCaptured);
        b.Ignore(p => p.ReleasedMinor);
        b.Ignore(p => p.IsCapturing);
        b.Property(p => p.CaptureFailure).HasMaxLength(300);
    }
}

internal sealed class PaymentAttemptConfiguration : IEntityTypeConfiguration<PaymentAttempt>
{
    public void Configure(EntityTypeBuilder<PaymentAttempt> b)
    {
        b.ToTable("PaymentAttempts");
        b.Property(a => a.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(a => a.PspIdempotencyKey).HasMaxLength(64);
        b.Property(a => a.PspReference).HasMaxLength(255);
        b.Property(a => a.PspCheckoutId).HasMaxLength(255);
        b.Property(a => a.RedirectUrl).HasMaxLength(2000);
        b.Property(a => a.FailureMessage).HasMaxLength(300);
        b.HasIndex(a => new { a.PaymentId, a.Number }).IsUnique();
        // Webhooks find their payment by PaymentIntent id, or by checkout page.
        b.HasIndex(a => a.PspReference).IsUnique();
        b.HasIndex(a => a.PspCheckoutId).IsUnique();
    }
}

internal sealed class PaymentRefundConfiguration : IEntityTypeConfiguration<PaymentRefund>
{
    public void Configure(EntityTypeBuilder<PaymentRefund> b)
    {
        b.ToTable("PaymentRefunds", t => t.HasCheckConstraint("CK_PaymentRefunds_Amount", "\"AmountMinor\" > 0"));
        b.Property(r => r.Status).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.PspRefundId).HasMaxLength(255);
        b.Property(r => r.Reason).HasMaxLength(300);
        b.Property(r => r.Actor).HasMaxLength(100);
        b.Property(r => r.FailureMessage).HasMaxLength(300);
        b.HasIndex(r => r.Key).IsUnique();
        b.HasIndex(r => r.PspRefundId).IsUnique();
        b.HasIndex(r => r.Status);
        b.Ignore(r => r.PublicId);
        b.Ignore(r => r.PspIdempotencyKey);
    }
}

internal sealed class PspEventConfiguration : IEntityTypeConfiguration<PspEvent>
{
    public void Configure(EntityTypeBuilder<PspEvent> b)
    {
        b.ToTable("PspEvents");
        b.Property(e => e.EventId).HasMaxLength(255);
        b.HasIndex(e => e.EventId).IsUnique();
        b.Property(e => e.Type).HasMaxLength(100);
        b.Property(e => e.ObjectId).HasMaxLength(255);
        b.Property(e => e.Outcome).HasConversion<string>().HasMaxLength(40);
        b.HasIndex(e => e.PaymentId);
    }
}
