using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Stores;

internal sealed class RegionConfiguration : IEntityTypeConfiguration<Region>
{
    public void Configure(EntityTypeBuilder<Region> b)
    {
        b.Property(r => r.Code).HasMaxLength(32);
        b.Property(r => r.Name).HasMaxLength(80);
        b.Property(r => r.Currency).HasMaxLength(3).IsFixedLength();
        b.Property(r => r.Locale).HasMaxLength(16).HasDefaultValue("en-US");
        b.HasIndex(r => r.Code).IsUnique();
    }
}

internal sealed class DarkStoreConfiguration : IEntityTypeConfiguration<DarkStore>
{
    public void Configure(EntityTypeBuilder<DarkStore> b)
    {
        b.ToTable("Stores");
        b.Property(s => s.Name).HasMaxLength(80);
        b.HasOne(s => s.Region).WithMany().HasForeignKey(s => s.RegionId).OnDelete(DeleteBehavior.Restrict);
        b.ComplexProperty(s => s.Address, a =>
        {
            a.Property(x => x.Line1).HasMaxLength(120).HasColumnName("AddressLine1");
            a.Property(x => x.City).HasMaxLength(80).HasColumnName("AddressCity");
            a.Property(x => x.Zip).HasMaxLength(10).HasColumnName("AddressZip");
        });
        b.ComplexProperty(s => s.Hours, h =>
        {
            h.Property(x => x.Opens).HasColumnName("Opens");
            h.Property(x => x.Closes).HasColumnName("Closes");
            h.Property(x => x.TimeZoneId).HasMaxLength(64).HasColumnName("TimeZoneId");
        });
        b.HasMany(s => s.DeliveryZips).WithOne().HasForeignKey(z => z.StoreId);
        b.Navigation(s => s.DeliveryZips).UsePropertyAccessMode(PropertyAccessMode.Field);
    }
}

internal sealed class DeliveryZipConfiguration : IEntityTypeConfiguration<DeliveryZip>
{
    public void Configure(EntityTypeBuilder<DeliveryZip> b)
    {
        b.HasKey(z => new { z.StoreId, z.Zip });
        b.Property(z => z.Zip).HasMaxLength(10);
        // "Which stores serve this zip?" is the storefront's first question.
        b.HasIndex(z => z.Zip);
    }
}
