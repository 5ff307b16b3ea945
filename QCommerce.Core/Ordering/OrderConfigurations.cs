using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Catalog;
using QCommerce.Core.Identity;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Ordering;

internal sealed class OrderConfiguration : IEntityTypeConfiguration<Order>
{
    public void Configure(EntityTypeBuilder<Order> b)
    {
        b.ToTable("Orders", t =>
        {
            // The order's money account (Order.Money.cs): never more back, settled or promised, than was captured.
            t.HasCheckConstraint("CK_Orders_Money", "\"RefundedMinor\" >= 0 AND \"RefundPendingMinor\" >= 0 AND \"RefundedMinor\" + \"RefundPendingMinor\" <= \"CapturedMinor\"");
            // Money held, then taken (Order.Hold.cs): never more asked, nor taken and released, than the card held.
            t.HasCheckConstraint("CK_Orders_Hold", "\"HeldMinor\" >= 0 AND \"CaptureAskedMinor\" >= 0 AND \"HoldReleasedMinor\" >= 0 AND \"CaptureAskedMinor\" <= \"HeldMinor\" "
                + "AND (\"HeldMinor\" = 0 OR \"CapturedMinor\" + \"HoldReleasedMinor\" <= \"HeldMinor\")");
        });
        b.Property(o => o.UserId).HasMaxLength(450);
        b.HasOne<AppUser>().WithMany().HasForeignKey(o => o.UserId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<DarkStore>().WithMany().HasForeignKey(o => o.StoreId).OnDelete(DeleteBehavior.Restrict);
        b.HasOne<DeliverySlot>().WithMany().HasForeignKey(o => o.SlotId).OnDelete(DeleteBehavior.Restrict);
        b.Property(o => o.Status).HasConversion<string>().HasMaxLength(24);
        b.Property(o => o.PaymentMethod).HasConversion<string>().HasMaxLength(16);
        b.Property(o => o.ReservationStatus).HasConversion<string>().HasMaxLength(16);
        b.Property(o => o.Hold).HasConversion<string>().HasMaxLength(16);
        b.Property(o => o.DeliveryKind).HasConversion<string>().HasMaxLength(8);
        b.Property(o => o.Currency).HasMaxLength(3);
        b.Property(o => o.AddressLine1).HasMaxLength(120);
        b.Property(o => o.AddressLine2).HasMaxLength(120);
        b.Property(o => o.AddressCity).HasMaxLength(80);
        b.Property(o => o.AddressZip).HasMaxLength(10);
        b.Property(o => o.ContactPhone).HasMaxLength(Phones.MaxE164Length);
        b.Property(o => o.DeliveryInstructions).HasMaxLength(DeliveryInstructions.MaxLength);
        b.Property(o => o.CouponCode).HasMaxLength(32);
        b.Property(o => o.MoneyReviewNote).HasMaxLength(300);
        b.Property(o => o.Version).IsConcurrencyToken();
        b.HasMany(o => o.Lines).WithOne().HasForeignKey(l => l.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.HasMany(o => o.Events).WithOne().HasForeignKey(e => e.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(o => o.Lines).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.Navigation(o => o.Events).UsePropertyAccessMode(PropertyAccessMode.Field);
        b.HasIndex(o => new { o.UserId, o.CreatedAtUtc });
        b.HasIndex(o => new { o.ReservationStatus, o.ReservationExpiresAtUtc });
        b.HasIndex(o => new { o.StoreId, o.Status });
        // The ops grid pages newest first by id, within a state or a store, or over a range of days (OpsOrderQueries).
        b.HasIndex(o => new { o.Status, o.Id });
        b.HasIndex(o => new { o.StoreId, o.Id });
        b.HasIndex(o => o.CreatedAtUtc);
        b.HasIndex(o => o.UpdatedAtUtc); // the live feed's look for other instances' changes
        b.Ignore(o => o.PublicId);
        b.Ignore(o => o.Address);
        b.Ignore(o => o.Delivery);
        b.Ignore(o => o.Price);
        b.Ignore(o => o.Total);
        b.Ignore(o => o.CanBeModified);
        b.Ignore(o => o.CanBeCancelledByShopper);
        b.Ignore(o => o.IsFinal);
        b.Ignore(o => o.RefundableMinor);
        b.Ignore(o => o.KeptWorthMinor);
        b.Ignore(o => o.OwedMinor);
    }
}

internal sealed class OrderLineConfiguration : IEntityTypeConfiguration<OrderLine>
{
    public void Configure(EntityTypeBuilder<OrderLine> b)
    {
        b.ToTable("OrderLines", t =>
        {
            t.HasCheckConstraint("CK_OrderLines_Quantity", "\"Quantity\" BETWEEN 1 AND 99");
            // A unit is short or refunded once at most; units refunded before the pick are among those refunded; a line gives
            // back no more than it cost.
            t.HasCheckConstraint("CK_OrderLines_Units", "\"ShortQuantity\" >= 0 AND \"RemovedQuantity\" >= 0 AND \"RemovedQuantity\" <= \"RefundedQuantity\" AND \"ShortQuantity\" + \"RefundedQuantity\" <= \"Quantity\"");
            t.HasCheckConstraint("CK_OrderLines_Money", "\"RefundedMinor\" >= 0 AND \"RefundedMinor\" <= \"UnitPriceMinor\" * \"Quantity\" - \"DiscountMinor\" + \"TaxMinor\"");
        });
        b.HasOne<Sku>().WithMany().HasForeignKey(l => l.SkuId).OnDelete(DeleteBehavior.Restrict);
        b.Property(l => l.Title).HasMaxLength(200);
        b.Property(l => l.SizeLabel).HasMaxLength(40);
        b.Property(l => l.ImageUrl).HasMaxLength(300);
        b.Property(l => l.Currency).HasMaxLength(3);
        b.Ignore(l => l.UnitPrice);
        b.Ignore(l => l.LineTotal);
        b.Ignore(l => l.PickedQuantity);
        b.Ignore(l => l.KeptQuantity);
        b.Ignore(l => l.ShareMinor);
    }
}

internal sealed class OrderEventConfiguration : IEntityTypeConfiguration<OrderEvent>
{
    public void Configure(EntityTypeBuilder<OrderEvent> b)
    {
        b.ToTable("OrderEvents");
        b.Property(e => e.Actor).HasMaxLength(120);
        b.Property(e => e.FromStatus).HasConversion<string>().HasMaxLength(24);
        b.Property(e => e.ToStatus).HasConversion<string>().HasMaxLength(24);
        b.Property(e => e.Reason).HasMaxLength(500);
        b.HasIndex(e => new { e.OrderId, e.Id });
    }
}
