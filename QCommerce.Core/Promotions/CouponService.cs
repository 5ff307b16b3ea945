using QCommerce.Core.Data;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Promotions;

/// <summary>A coupon as staff write it: percent off or an amount off (minor units), with the limits checkout enforces.</summary>
public sealed record CouponDraft(string? Code, CouponKind? Kind, int? PercentOff, long? AmountOffMinor, long? MinimumBasketMinor, string? Currency,
    DateTime? ValidFromUtc, DateTime? ValidToUtc, int? UsageLimit, int? PerCustomerLimit, string? RegionCode, bool Active = true);

/// <summary>A coupon in the ops list: its terms, how often it was used, and whether it works now.</summary>
public sealed record CouponRow(int Id, string Code, CouponKind Kind, int PercentOff, Money AmountOff, Money MinimumBasket, DateTime ValidFromUtc,
    DateTime? ValidToUtc, int? UsageLimit, int? PerCustomerLimit, string? RegionCode, bool IsActive, int TimesUsed, string Describe, string State);

/// <summary>
/// Coupons for ops: list with usage, create, edit, disable and enable again. The terms are checked by the same
/// <see cref="Coupon"/> factories checkout's coupons come from (percent 1–100, an amount and a basket in one currency, the
/// region's currency, an end after the start, limits of at least 1 and not below the uses already made), so a code
/// staff can save is one checkout can judge. Catalog-wide; an audit row with each change.
/// </summary>
public sealed class CouponService(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock, ILogger<CouponService> logger)
{
    public async Task<IReadOnlyList<CouponRow>> ListAsync(CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var coupons = await db.Coupons.AsNoTracking().Include(c => c.Region).OrderBy(c => c.Code).ToListAsync(ct);
        return coupons.Select(c => Row(c, now)).ToList();
    }

    public async Task<CouponRow?> FindAsync(string code, CancellationToken ct = default)
    {
        var normalized = Coupon.Normalize(code);
        if (normalized is null) return null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var coupon = await db.Coupons.AsNoTracking().Include(c => c.Region).FirstOrDefaultAsync(c => c.Code == normalized, ct);
        return coupon is null ? null : Row(coupon, clock.UtcNow());
    }

    public async Task<CouponRow> CreateAsync(StaffActor staff, CouponDraft draft, CancellationToken ct = default)
    {
        Catalog.PriceService.RequireCatalogWide(staff);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var terms = await TermsAsync(db, draft, now, ct);
        if (await db.Coupons.AnyAsync(c => c.Code == terms.Code, ct)) throw Rejected("code", $"The code {terms.Code} exists already; edit it instead.");
        if (!draft.Active) terms.Disable();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Coupons.Add(terms);
        Audit.Record(db, staff, AuditActions.CouponCreate, "coupon", terms.Code, null, null, Snapshot(terms), null, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Coupon {Code} created by {StaffId}: {Terms}", terms.Code, staff.UserId, terms.Describe());
        return (await FindAsync(terms.Code, ct))!;
    }

    /// <summary>New terms for an existing code; <see cref="CouponDraft.Active"/> false disables it (checkout refuses it at once).</summary>
    public async Task<CouponRow> UpdateAsync(StaffActor staff, string code, CouponDraft draft, CancellationToken ct = default)
    {
        Catalog.PriceService.RequireCatalogWide(staff);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var normalized = Coupon.Normalize(code) ?? throw new NotFoundException("Coupon", code);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var coupon = await db.Coupons.FirstOrDefaultAsync(c => c.Code == normalized, ct) ?? throw new NotFoundException("Coupon", normalized);
        if (draft.Code is { Length: > 0 } asked && Coupon.Normalize(asked) != coupon.Code)
            throw Rejected("code", $"A code cannot change (shoppers and flyers know it as {coupon.Code}); disable it and create the new one.");
        var terms = await TermsAsync(db, draft with { Code = coupon.Code }, now, ct, coupon.ValidFromUtc);
        var before = Snapshot(coupon);
        try
        {
            coupon.Change(terms);
        }
        catch (DomainException refused)
        {
            throw Rejected("usageLimit", refused.Message);
        }
        if (draft.Active) coupon.Enable(); else coupon.Disable();
        Audit.Record(db, staff, AuditActions.CouponChange, "coupon", coupon.Code, null, before, Snapshot(coupon), null, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        return (await FindAsync(coupon.Code, ct))!;
    }

    /// <summary>Builds the terms through the coupon's own factories, each problem named by field.</summary>
    private static async Task<Coupon> TermsAsync(QCommerceDbContext db, CouponDraft draft, DateTime now, CancellationToken ct, DateTime? keepStart = null)
    {
        var problems = new ProblemList();
        var code = Coupon.Normalize(draft.Code);
        if (code is null) problems.Add("code", $"'{TextRules.Excerpt(draft.Code)}' is not a coupon code: 3 to 32 letters, digits or dashes.");
        Region? region = null;
        if (draft.RegionCode is { Length: > 0 } regionCode)
        {
            var wanted = regionCode.Trim().ToLowerInvariant();
            region = await db.Regions.AsNoTracking().FirstOrDefaultAsync(r => r.Code == wanted, ct);
            if (region is null) problems.Add("region", $"There is no region '{TextRules.Excerpt(regionCode)}'.");
        }
        var currency = draft.Currency?.Trim().ToUpperInvariant() ?? region?.Currency;
        var sold = await db.Regions.AsNoTracking().Select(r => r.Currency).Distinct().ToListAsync(ct);
        if (currency is null || currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper)) problems.Add("currency", "Say the currency (USD).");
        else if (region is not null && region.Currency != currency) problems.Add("currency", $"{region.Name} sells in {region.Currency}, not {currency}.");
        else if (!sold.Contains(currency)) problems.Add("currency", $"No store sells in {currency}; checkout would refuse the code everywhere. Use {string.Join(" or ", sold)}.");
        if (draft.Kind is not { } kind || !Enum.IsDefined(kind)) { problems.Add("kind", "Choose percent or amount off."); kind = CouponKind.Percent; }
        if (kind == CouponKind.Percent && draft.PercentOff is not (>= 1 and <= 100)) problems.Add("percentOff", "A percentage off is 1 to 100.");
        if (kind == CouponKind.Percent && draft.AmountOffMinor is not null) problems.Add("amountOff", "A percentage coupon has no amount off; leave amountOff out, or make it an amount coupon.");
        if (kind == CouponKind.FixedAmount && draft.AmountOffMinor is not (> 0 and <= 1_000_000)) problems.Add("amountOff", "An amount off is 1 to 1,000,000 minor units.");
        if (kind == CouponKind.FixedAmount && draft.PercentOff is not null) problems.Add("percentOff", "An amount coupon has no percentage; leave percentOff out, or make it a percentage coupon.");
        if (draft.MinimumBasketMinor is < 0 or > 10_000_000) problems.Add("minimumBasket", "A minimum basket is 0 to 10,000,000 minor units.");
        var from = draft.ValidFromUtc ?? keepStart ?? now;
        if (draft.ValidToUtc is { } to && to <= from) problems.Add("validTo", "The end must be after the start.");
        if (draft.UsageLimit is < 1) problems.Add("usageLimit", "A usage limit is at least 1 (leave it empty for no limit).");
        if (draft.PerCustomerLimit is < 1) problems.Add("perCustomerLimit", "A per-customer limit is at least 1 (leave it empty for no limit).");
        problems.ThrowIfAny();
        var minimum = new Money(currency!, draft.MinimumBasketMinor ?? 0);
        return kind == CouponKind.Percent
            ? Coupon.PercentOffCoupon(code!, draft.PercentOff!.Value, minimum, from, draft.ValidToUtc, draft.UsageLimit, draft.PerCustomerLimit, region?.Id)
            : Coupon.AmountOffCoupon(code!, new Money(currency!, draft.AmountOffMinor!.Value), minimum, from, draft.ValidToUtc, draft.UsageLimit, draft.PerCustomerLimit, region?.Id);
    }

    private static CouponRow Row(Coupon c, DateTime now)
    {
        var state = !c.IsActive ? "Disabled"
            : now < c.ValidFromUtc ? "Scheduled"
            : c.ValidToUtc is { } to && now >= to ? "Expired"
            : c.UsageLimit is { } limit && c.TimesUsed >= limit ? "Used up"
            : "Active";
        return new CouponRow(c.Id, c.Code, c.Kind, c.PercentOff, new Money(c.Currency, c.AmountOffMinor), c.MinimumBasket, c.ValidFromUtc, c.ValidToUtc,
            c.UsageLimit, c.PerCustomerLimit, c.Region?.Code, c.IsActive, c.TimesUsed, c.Describe(), state);
    }

    private static object Snapshot(Coupon c) => new
    {
        kind = c.Kind.ToString(), percent = c.PercentOff, amount = c.AmountOffMinor, currency = c.Currency, minimum = c.MinimumBasketMinor, from = c.ValidFromUtc, to = c.ValidToUtc,
        limit = c.UsageLimit, perCustomer = c.PerCustomerLimit, region = c.RegionId, active = c.IsActive,
    };

    private static RequestRejectedException Rejected(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}
