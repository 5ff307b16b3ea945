using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Catalog;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Inventory;

internal sealed class StockLevelConfiguration : IEntityTypeConfiguration<StockLevel>
{
    public void Configure(EntityTypeBuilder<StockLevel> b)
    {
        b.ToTable("Stock", t =>
        {
            t.HasCheckConstraint("CK_Stock_OnHand", "\"OnHand\" >= 0");
            t.HasCheckConstraint("CK_Stock_Reserved", "\"Reserved\" >= 0 AND \"Reserved\" <= \"OnHand\"");
        });
        b.HasKey(s => new { s.StoreId, s.SkuId });
        b.HasOne<DarkStore>().WithMany().HasForeignKey(s => s.StoreId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Sku>().WithMany().HasForeignKey(s => s.SkuId).OnDelete(DeleteBehavior.Cascade);
        b.Ignore(s => s.Available);
        b.Ignore(s => s.IsLow);
        b.Property(s => s.ShelfLocation).HasMaxLength(StockLevel.MaxShelfLocationLength);
        // The alerts page and the app bar's badge: a store's SKUs that are low, newest first; and the live feed's
        // "marked in the last seconds" across stores.
        b.HasIndex(s => new { s.StoreId, s.LowSinceUtc });
        b.HasIndex(s => s.LowSinceUtc);
    }
}
