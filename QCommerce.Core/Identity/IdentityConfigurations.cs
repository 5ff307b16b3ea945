using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Identity;

internal sealed class SavedAddressConfiguration : IEntityTypeConfiguration<SavedAddress>
{
    public void Configure(EntityTypeBuilder<SavedAddress> b)
    {
        b.Property(a => a.Label).HasMaxLength(40);
        b.Property(a => a.Line1).HasMaxLength(120);
        b.Property(a => a.Line2).HasMaxLength(120);
        b.Property(a => a.City).HasMaxLength(80);
        b.Property(a => a.Zip).HasMaxLength(10);
        b.Property(a => a.Instructions).HasMaxLength(DeliveryInstructions.MaxLength);
        b.HasOne<AppUser>().WithMany().HasForeignKey(a => a.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(a => a.UserId);
    }
}

internal sealed class AppUserConfiguration : IEntityTypeConfiguration<AppUser>
{
    public void Configure(EntityTypeBuilder<AppUser> b) => b.Property(u => u.DisplayName).HasMaxLength(80);
}
