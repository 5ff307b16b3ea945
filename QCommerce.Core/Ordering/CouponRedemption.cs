using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Promotions;

namespace QCommerce.Core.Ordering;

/// <summary>One use of a coupon by one customer's order; removed again when that order is cancelled.</summary>
public sealed class CouponRedemption
{
    private CouponRedemption() { }

    public CouponRedemption(int couponId, string userId, int orderId, int? useNumber, DateTime now)
    {
        CouponId = couponId;
        UserId = userId;
        OrderId = orderId;
        UseNumber = useNumber;
        RedeemedAtUtc = now;
    }

    public int Id { get; private set; }
    public int CouponId { get; private set; }
    public string UserId { get; private set; } = "";
    public int OrderId { get; private set; }

    /// <summary>
    /// Which of a customer's allowed uses this is (1 … the coupon's per-customer limit); unique per coupon and customer,
    /// so two orders placed at once cannot both take the last use: the second meets the unique index. Null when the
    /// coupon has no per-customer limit.
    /// </summary>
    public int? UseNumber { get; private set; }
    public DateTime RedeemedAtUtc { get; private set; }

    /// <summary>The lowest of a customer's <paramref name="limit"/> allowed uses not yet taken; null when none is left.</summary>
    public static int? FreeUseNumber(int limit, IEnumerable<int?> taken)
    {
        var used = taken.OfType<int>().ToHashSet();
        return Enumerable.Range(1, limit).Cast<int?>().FirstOrDefault(n => !used.Contains(n!.Value));
    }
}

internal sealed class CouponRedemptionConfiguration : IEntityTypeConfiguration<CouponRedemption>
{
    public void Configure(EntityTypeBuilder<CouponRedemption> b)
    {
        b.ToTable("CouponRedemptions");
        b.HasOne<Coupon>().WithMany().HasForeignKey(r => r.CouponId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Order>().WithMany().HasForeignKey(r => r.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.Property(r => r.UserId).HasMaxLength(450);
        b.HasIndex(r => new { r.CouponId, r.UserId, r.UseNumber }).IsUnique();
        b.HasIndex(r => r.OrderId).IsUnique();
    }
}
