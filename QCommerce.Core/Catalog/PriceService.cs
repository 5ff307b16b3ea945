using QCommerce.Core.Data;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Catalog;

/// <summary>A price to schedule: a SKU's amount in a region (named by its code, <c>metro-north</c>) from a moment (null: now), until one (null: open).</summary>
public sealed record PriceInput(int SkuId, string? RegionCode, string? Currency, long? AmountMinor, DateTime? EffectiveFromUtc, DateTime? EffectiveToUtc);

public enum PriceState
{
    /// <summary>The price shoppers pay now.</summary>
    Current,

    /// <summary>Starts later.</summary>
    Scheduled,

    /// <summary>In its period, but a later-starting price is in force over it (it returns when that one ends).</summary>
    Overridden,

    /// <summary>Its period is over.</summary>
    Past,
}

public sealed record PriceEntry(int Id, int SkuId, string RegionCode, string RegionName, Money Amount, DateTime EffectiveFromUtc, DateTime? EffectiveToUtc,
    PriceState State);

/// <summary>
/// The rules every new price meets, wherever it comes from (the portal, <c>/v1/ops/prices</c>, a CSV row): a known SKU
/// and region, the region's currency, a positive amount within reason, a start that is not in the past (orders were
/// placed at the price then in force), an end after the start. Problems are named by the CSV's column names.
/// </summary>
public static class PriceRules
{
    public const long MaxAmountMinor = 10_000_000;

    /// <summary>How far in the past a start may be and still mean "now" (a form filled in a minute ago).</summary>
    public static readonly TimeSpan StartTolerance = TimeSpan.FromMinutes(5);

    public static void Check(PriceInput input, bool skuExists, Region? region, DateTime now, Action<string, string> problem)
    {
        if (!skuExists) problem("sku", $"There is no SKU {PublicId.Format(PublicId.Sku, input.SkuId)}.");
        if (string.IsNullOrWhiteSpace(input.RegionCode)) problem("region", "Name the region by its code (metro-north).");
        else if (region is null) problem("region", $"There is no region '{TextRules.Excerpt(input.RegionCode)}'.");
        if (string.IsNullOrWhiteSpace(input.Currency)) problem("currency", "Say the currency (USD).");
        else if (region is not null && !string.Equals(input.Currency.Trim(), region.Currency, StringComparison.Ordinal))
            problem("currency", $"{region.Name} prices in {region.Currency}, not {TextRules.Excerpt(input.Currency)}.");
        if (input.AmountMinor is null) problem("amount", "Say the amount in minor units (cents): 349 is $3.49.");
        else if (input.AmountMinor is < 1 or > MaxAmountMinor) problem("amount", $"An amount is 1 to {MaxAmountMinor:N0} minor units (cents).");
        if (input.EffectiveFromUtc is { } asked && asked < now - StartTolerance)
            problem("effectiveFrom", "A price cannot start in the past; leave it empty for now, or give a later time.");
        if (Period(input.EffectiveFromUtc, input.EffectiveToUtc, now) is (var from, { } to) && to <= from)
            problem("effectiveTo", to <= now
                ? "The end must be in the future (periods are kept to the minute)."
                : "The end must be at least a minute after the start (periods are kept to the minute).");
    }

    /// <summary>
    /// The period a price is kept for: a later start on its minute ("06:00"); a start now, within the minute under way or
    /// within <see cref="StartTolerance"/> before now, as now (this instant, so a correction a moment later is a later
    /// row); an end on its minute.
    /// </summary>
    public static (DateTime From, DateTime? To) Period(DateTime? from, DateTime? to, DateTime now)
    {
        var start = from is { } later && later > now ? Minute(later) : now;
        return (start < now ? now : start, to is { } end ? Minute(end) : null);
    }

    /// <summary>Prices start and end on the minute: a schedule says "06:00", not "06:00:17.3".</summary>
    public static DateTime Minute(DateTime utc) => new(utc.Ticks - utc.Ticks % TimeSpan.TicksPerMinute, DateTimeKind.Utc);
}

/// <summary>
/// Scheduling prices: a new price is a new row (the latest start in force wins, architecture §2), so "from Monday 06:00" is a
/// row starting then, and the storefront switches at that moment because every read resolves the price for its own
/// now. A price not yet in force may be withdrawn. Catalog-wide, so staff limited to some stores may read prices, not
/// change them. Each change has its audit row in its transaction.
/// </summary>
public sealed class PriceService(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock, ILogger<PriceService> logger)
{
    /// <summary>Adds the price, or returns the identical one already scheduled (so a retry changes nothing).</summary>
    public async Task<PriceEntry> ScheduleAsync(StaffActor staff, PriceInput input, CancellationToken ct = default)
    {
        RequireCatalogWide(staff);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var code = input.RegionCode?.Trim().ToLowerInvariant();
        var region = code is null ? null : await db.Regions.AsNoTracking().FirstOrDefaultAsync(r => r.Code == code, ct);
        var skuId = input.SkuId;
        var skuExists = await db.Skus.AnyAsync(s => s.Id == skuId, ct);
        var problems = new ProblemList();
        PriceRules.Check(input, skuExists, region, now, (column, message) => problems.Add(ApiField(column), message));
        problems.ThrowIfAny();

        var (from, to) = PriceRules.Period(input.EffectiveFromUtc, input.EffectiveToUtc, now);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (from == now)
        {
            // "This price from now" when it is the price now changes nothing (a retry, a double click).
            var regionId = region!.Id;
            var inForce = Price.Resolve(await db.Prices.AsNoTracking().Where(p => p.SkuId == skuId && p.RegionId == regionId).ToListAsync(ct), skuId, regionId, now);
            if (inForce is not null && inForce.AmountMinor == input.AmountMinor && inForce.EffectiveToUtc == to) return await EntryAsync(db, inForce, region, now, ct);
        }
        var same = await db.Prices.AsNoTracking().FirstOrDefaultAsync(p => p.SkuId == skuId && p.RegionId == region!.Id && p.EffectiveFromUtc == from, ct);
        if (same is not null)
        {
            if (same.AmountMinor == input.AmountMinor && same.EffectiveToUtc == to) return await EntryAsync(db, same, region!, now, ct);
            throw new RequestRejectedException(new Dictionary<string, string[]>
            {
                ["effectiveFrom"] = [$"A price of {same.Amount.Format()} already starts then for this SKU in {region!.Name}; withdraw it first, or start a minute later."],
            });
        }
        var price = new Price(skuId, region!.Id, new Money(region.Currency, input.AmountMinor!.Value), from, to);
        db.Prices.Add(price);
        Audit.Record(db, staff, AuditActions.PriceSchedule, "sku", PublicId.Format(PublicId.Sku, skuId), null, null,
            new { region = region.Code, amount = price.AmountMinor, currency = price.Currency, effectiveFrom = from, effectiveTo = to }, null, now);
        var sku = PublicId.Format(PublicId.Sku, skuId);
        Outbox.Enqueue(db, EventTypes.PriceChanged, PriceChangedEvent.Aggregate(sku),
            new PriceChangedEvent([new PriceChange(sku, region.Code, price.AmountMinor, price.Currency, from, to)]), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Price of {SkuId} in {Region} set to {Amount} from {From:O} by {StaffId}", PublicId.Format(PublicId.Sku, skuId), region.Code,
            price.Amount, from, staff.UserId);
        return await EntryAsync(db, price, region, now, ct);
    }

    private static async Task<PriceEntry> EntryAsync(QCommerceDbContext db, Price price, Region region, DateTime now, CancellationToken ct)
    {
        var (skuId, regionId) = (price.SkuId, price.RegionId);
        var all = await db.Prices.AsNoTracking().Where(p => p.SkuId == skuId && p.RegionId == regionId).ToListAsync(ct);
        return Entry(price, region, now, all);
    }

    /// <summary>Takes back a price that has not started yet; one already in force stays (it was what shoppers paid).</summary>
    public async Task WithdrawAsync(StaffActor staff, int priceId, CancellationToken ct = default)
    {
        RequireCatalogWide(staff);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var price = await db.Prices.FirstOrDefaultAsync(p => p.Id == priceId, ct) ?? throw new NotFoundException("Price", PublicId.Format(PublicId.Price, priceId));
        if (price.EffectiveFromUtc <= now) throw new ConflictException("That price is already in force; schedule a new one instead of withdrawing it.");
        db.Prices.Remove(price);
        Audit.Record(db, staff, AuditActions.PriceWithdraw, "sku", PublicId.Format(PublicId.Sku, price.SkuId), null,
            new { amount = price.AmountMinor, currency = price.Currency, effectiveFrom = price.EffectiveFromUtc, effectiveTo = price.EffectiveToUtc }, null, null, now);
        var sku = PublicId.Format(PublicId.Sku, price.SkuId);
        var regionCode = await db.Regions.Where(r => r.Id == price.RegionId).Select(r => r.Code).FirstAsync(ct);
        Outbox.Enqueue(db, EventTypes.PriceChanged, PriceChangedEvent.Aggregate(sku), new PriceChangedEvent(
            [new PriceChange(sku, regionCode, price.AmountMinor, price.Currency, price.EffectiveFromUtc, price.EffectiveToUtc, Withdrawn: true)]), now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
    }

    /// <summary>A SKU's prices in every region (or one): current, scheduled, overridden and past, newest start first per region.</summary>
    public async Task<IReadOnlyList<PriceEntry>> HistoryAsync(int skuId, string? regionCode = null, CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Skus.AnyAsync(s => s.Id == skuId, ct)) throw new NotFoundException("SKU", PublicId.Format(PublicId.Sku, skuId));
        var regions = await db.Regions.AsNoTracking().ToDictionaryAsync(r => r.Id, ct);
        var code = regionCode?.Trim().ToLowerInvariant();
        if (code is { Length: > 0 } && regions.Values.All(r => r.Code != code)) throw new NotFoundException("Region", code);
        var prices = await db.Prices.AsNoTracking().Where(p => p.SkuId == skuId).ToListAsync(ct);
        return prices.Where(p => code is not { Length: > 0 } || regions[p.RegionId].Code == code)
            .GroupBy(p => p.RegionId)
            .OrderBy(g => regions[g.Key].Code, StringComparer.Ordinal)
            .SelectMany(g => g.OrderByDescending(p => p.EffectiveFromUtc).ThenByDescending(p => p.Id).Select(p => Entry(p, regions[g.Key], now, g.ToList())))
            .ToList();
    }

    /// <summary>Catalog and prices are shared by every store: changing them is for staff not limited to some stores.</summary>
    public static void RequireCatalogWide(StaffActor staff)
    {
        if (staff.StoreIds is not null)
            throw new AccessDeniedException("The catalog and its prices are shared by every store; staff limited to some stores can read them, not change them.");
    }

    internal static PriceEntry Entry(Price p, Region region, DateTime now, IReadOnlyCollection<Price> sameSkuAndRegion)
    {
        var current = Price.Resolve(sameSkuAndRegion, p.SkuId, p.RegionId, now);
        var state = current?.Id == p.Id ? PriceState.Current
            : p.EffectiveFromUtc > now ? PriceState.Scheduled
            : p.EffectiveToUtc is { } to && to <= now ? PriceState.Past
            : PriceState.Overridden;
        return new PriceEntry(p.Id, p.SkuId, region.Code, region.Name, p.Amount, p.EffectiveFromUtc, p.EffectiveToUtc, state);
    }

    /// <summary>The API's names for the CSV's columns.</summary>
    private static string ApiField(string column) => column switch
    {
        "sku" => "skuId",
        "currency" => "amount.currency",
        "amount" => "amount.value",
        _ => column,
    };
}
