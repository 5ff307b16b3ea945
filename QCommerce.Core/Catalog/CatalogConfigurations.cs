using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Catalog;

internal sealed class CategoryConfiguration : IEntityTypeConfiguration<Category>
{
    public void Configure(EntityTypeBuilder<Category> b)
    {
        b.Property(c => c.Name).HasMaxLength(Category.MaxNameLength);
        b.Property(c => c.Slug).HasMaxLength(80);
        b.HasIndex(c => c.Slug).IsUnique();
        b.HasOne(c => c.Parent).WithMany().HasForeignKey(c => c.ParentId).OnDelete(DeleteBehavior.Restrict);
    }
}

internal sealed class ProductConfiguration : IEntityTypeConfiguration<Product>
{
    public void Configure(EntityTypeBuilder<Product> b)
    {
        b.Property(p => p.Title).HasMaxLength(200);
        b.Property(p => p.Slug).HasMaxLength(200);
        b.Property(p => p.Brand).HasMaxLength(80);
        b.Property(p => p.Description).HasMaxLength(4000);
        b.HasIndex(p => p.Slug).IsUnique();
        b.Property(p => p.Version).IsConcurrencyToken();
        b.HasIndex(p => new { p.CategoryId, p.IsActive, p.Title });
        b.HasIndex(p => new { p.IsFeatured, p.IsActive });
        b.HasOne(p => p.Category).WithMany().HasForeignKey(p => p.CategoryId).OnDelete(DeleteBehavior.Restrict);
        b.HasMany(p => p.Skus).WithOne().HasForeignKey(s => s.ProductId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(p => p.Skus).UsePropertyAccessMode(PropertyAccessMode.Field);
        // Images and attributes are read with their product and never queried alone: JSON columns.
        b.OwnsMany(p => p.Images, i => i.ToJson());
        b.OwnsMany(p => p.Attributes, a => a.ToJson());
    }
}

internal sealed class SkuConfiguration : IEntityTypeConfiguration<Sku>
{
    public void Configure(EntityTypeBuilder<Sku> b)
    {
        b.Property(s => s.Code).HasMaxLength(64);
        b.Property(s => s.Barcode).HasMaxLength(32);
        b.Property(s => s.Unit).HasConversion<string>().HasMaxLength(16);
        b.Property(s => s.Size).HasPrecision(10, 3);
        b.HasIndex(s => s.Code).IsUnique();
        // One barcode, one SKU: a scanner must find exactly one thing.
        b.HasIndex(s => s.Barcode).IsUnique();
        b.Ignore(s => s.SizeLabel);
    }
}

internal sealed class PriceConfiguration : IEntityTypeConfiguration<Price>
{
    public void Configure(EntityTypeBuilder<Price> b)
    {
        b.Property(p => p.Currency).HasMaxLength(3).IsFixedLength();
        b.HasOne<Sku>().WithMany().HasForeignKey(p => p.SkuId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Stores.Region>().WithMany().HasForeignKey(p => p.RegionId).OnDelete(DeleteBehavior.Restrict);
        // Price resolution reads "this SKU, this region, latest start first".
        b.HasIndex(p => new { p.SkuId, p.RegionId, p.EffectiveFromUtc });
        b.Ignore(p => p.Amount);
    }
}
