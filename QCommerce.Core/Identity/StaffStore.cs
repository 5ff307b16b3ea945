using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Identity;

/// <summary>A store an <c>Ops</c> member of staff works for; with none assigned they see every store.</summary>
public sealed class StaffStore
{
    private StaffStore() { }

    public StaffStore(string userId, int storeId)
    {
        UserId = userId;
        StoreId = storeId;
    }

    public string UserId { get; private set; } = "";
    public int StoreId { get; private set; }
}

internal sealed class StaffStoreConfiguration : IEntityTypeConfiguration<StaffStore>
{
    public void Configure(EntityTypeBuilder<StaffStore> b)
    {
        b.ToTable("StaffStores");
        b.HasKey(s => new { s.UserId, s.StoreId });
        b.HasOne<AppUser>().WithMany().HasForeignKey(s => s.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<DarkStore>().WithMany().HasForeignKey(s => s.StoreId).OnDelete(DeleteBehavior.Cascade);
    }
}
