using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Promotions;

public enum CouponKind
{
    Percent,
    FixedAmount,
}

/// <summary>
/// A code a shopper types at checkout for money off the goods. It may need a minimum basket, be
/// limited in time, in uses overall and per customer, and to one pricing region.
/// </summary>
public sealed class Coupon
{
    private Coupon() { }

    private Coupon(string code, CouponKind kind, int percentOff, Money? amountOff, Money minimumBasket,
        DateTime validFromUtc, DateTime? validToUtc, int? usageLimit, int? perCustomerLimit, int? regionId)
    {
        if (Normalize(code) is not { } normalized) throw new DomainException($"'{TextRules.Excerpt(code)}' is not a coupon code (3-32 letters, digits or dashes).");
        if (validToUtc is { } to && to <= validFromUtc) throw new DomainException("A coupon must end after it starts.");
        if (minimumBasket.IsNegative) throw new DomainException("A minimum basket cannot be negative.");
        if (usageLimit is < 1 || perCustomerLimit is < 1) throw new DomainException("A usage limit must be at least 1.");
        Code = normalized;
        Kind = kind;
        PercentOff = percentOff;
        AmountOffMinor = amountOff?.MinorUnits ?? 0;
        Currency = minimumBasket.Currency;
        MinimumBasketMinor = minimumBasket.MinorUnits;
        ValidFromUtc = validFromUtc;
        ValidToUtc = validToUtc;
        UsageLimit = usageLimit;
        PerCustomerLimit = perCustomerLimit;
        RegionId = regionId;
        IsActive = true;
    }

    public static Coupon PercentOffCoupon(string code, int percent, Money minimumBasket, DateTime validFromUtc, DateTime? validToUtc = null,
        int? usageLimit = null, int? perCustomerLimit = null, int? regionId = null)
    {
        if (percent is < 1 or > 100) throw new DomainException("A percentage off is between 1 and 100.");
        return new Coupon(code, CouponKind.Percent, percent, null, minimumBasket, validFromUtc, validToUtc, usageLimit, perCustomerLimit, regionId);
    }

    public static Coupon AmountOffCoupon(string code, Money amountOff, Money minimumBasket, DateTime validFromUtc, DateTime? validToUtc = null,
        int? usageLimit = null, int? perCustomerLimit = null, int? regionId = null)
    {
        if (amountOff.MinorUnits <= 0) throw new DomainException("An amount off must be positive.");
        if (amountOff.Currency != minimumBasket.Currency) throw new DomainException("A coupon's amount and minimum basket share one currency.");
        return new Coupon(code, CouponKind.FixedAmount, 0, amountOff, minimumBasket, validFromUtc, validToUtc, usageLimit, perCustomerLimit, regionId);
    }

    public int Id { get; private set; }
    public string Code { get; private set; } = "";
    public CouponKind Kind { get; private set; }
    public int PercentOff { get; private set; }
    public long AmountOffMinor { get; private set; }
    public string Currency { get; private set; } = "";
    public long MinimumBasketMinor { get; private set; }
    public DateTime ValidFromUtc { get; private set; }
    public DateTime? ValidToUtc { get; private set; }
    public int? UsageLimit { get; private set; }
    public int? PerCustomerLimit { get; private set; }
    public int? RegionId { get; private set; }
    public Region? Region { get; private set; }
    public int TimesUsed { get; private set; }
    public bool IsActive { get; private set; }

    public Money MinimumBasket => new(Currency, MinimumBasketMinor);

    /// <summary>New terms for the code (the code itself stays: shoppers and printed flyers know it by it).</summary>
    public void Change(Coupon terms)
    {
        if (terms.UsageLimit is { } limit && limit < TimesUsed)
            throw new DomainException($"The code {Code} has been used {TimesUsed} times already; its limit cannot be lower than that.");
        Kind = terms.Kind;
        PercentOff = terms.PercentOff;
        AmountOffMinor = terms.AmountOffMinor;
        Currency = terms.Currency;
        MinimumBasketMinor = terms.MinimumBasketMinor;
        ValidFromUtc = terms.ValidFromUtc;
        ValidToUtc = terms.ValidToUtc;
        UsageLimit = terms.UsageLimit;
        PerCustomerLimit = terms.PerCustomerLimit;
        RegionId = terms.RegionId;
    }

    public void Disable() => IsActive = false;

    public void Enable() => IsActive = true;

    public static string? Normalize(string? code)
    {
        if (string.IsNullOrWhiteSpace(code)) return null;
        var trimmed = code.Trim().ToUpperInvariant();
        return trimmed.Length is >= 3 and <= 32 && trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c == '-') ? trimmed : null;
    }

    /// <summary>
    /// Whether the coupon takes money off <paramref name="goods"/> for this shopper now, and how much.
    /// A percentage is rounded down to the minor unit; an amount off never exceeds the goods.
    /// </summary>
    /// <param name="ownUses">Uses already counted for the order being changed, which do not count against it.</param>
    public CouponDecision Evaluate(Money goods, int regionId, int customerUses, DateTime nowUtc, int ownUses = 0)
    {
        if (!IsActive) return CouponDecision.No($"The code {Code} is no longer active.");
        if (nowUtc < ValidFromUtc) return CouponDecision.No($"The code {Code} is not valid until {ValidFromUtc:d MMM yyyy}.");
        if (ValidToUtc is { } to && nowUtc >= to) return CouponDecision.No($"The code {Code} expired on {to:d MMM yyyy}.");
        if (RegionId is { } region && region != regionId) return CouponDecision.No($"The code {Code} is not valid at this store.");
        if (goods.Currency != Currency) return CouponDecision.No($"The code {Code} is not valid at this store.");
        if (UsageLimit is { } limit && TimesUsed - ownUses >= limit) return CouponDecision.No($"The code {Code} has been used up.");
        if (PerCustomerLimit is { } perCustomer && customerUses >= perCustomer)
            return CouponDecision.No(perCustomer == 1 ? $"You have already used the code {Code}." : $"You have already used the code {Code} {perCustomer} times.");
        if (goods < MinimumBasket)
            return CouponDecision.No($"The code {Code} needs a basket of at least {MinimumBasket.Format()}; add {(MinimumBasket - goods).Format()} more.");

        var off = Kind == CouponKind.Percent
            ? new Money(goods.Currency, goods.MinorUnits * PercentOff / 100)
            : new Money(goods.Currency, Math.Min(AmountOffMinor, goods.MinorUnits));
        return CouponDecision.Yes(off, Describe());
    }

    public string Describe() => Kind == CouponKind.Percent ? $"{PercentOff}% off" : $"{new Money(Currency, AmountOffMinor).Format()} off";
}

/// <summary>The outcome of trying a coupon: money off, or the reason it does not apply.</summary>
public sealed record CouponDecision(bool Applies, Money? Discount, string Message)
{
    public static CouponDecision Yes(Money discount, string description) => new(true, discount, description);
    public static CouponDecision No(string reason) => new(false, null, reason);
}

internal sealed class CouponConfiguration : IEntityTypeConfiguration<Coupon>
{
    public void Configure(EntityTypeBuilder<Coupon> b)
    {
        b.ToTable("Coupons", t =>
        {
            t.HasCheckConstraint("CK_Coupons_TimesUsed", "\"TimesUsed\" >= 0 AND (\"UsageLimit\" IS NULL OR \"TimesUsed\" <= \"UsageLimit\")");
        });
        b.Property(c => c.Code).HasMaxLength(32);
        b.HasIndex(c => c.Code).IsUnique();
        b.Property(c => c.Kind).HasConversion<string>().HasMaxLength(16);
        b.Property(c => c.Currency).HasMaxLength(3);
        b.HasOne(c => c.Region).WithMany().HasForeignKey(c => c.RegionId).OnDelete(DeleteBehavior.Restrict);
        b.Ignore(c => c.MinimumBasket);
    }
}
