using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Catalog;

/// <summary>
/// Scheduling prices on each provider: the rules by field (the region's currency, no start in the past, an end after the
/// start, known SKUs and regions, amounts within reason), catalog-wide staff only, a retry that changes nothing, the
/// storefront switching at the effective moment (the clock moved, no restart), withdrawal of what has not started.
/// </summary>
public abstract class PriceServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly StaffActor Admin = TestStaff.Admin;
    private ServiceHarness _h = null!;
    private int _sku;
    private int _product;

    private PriceService Prices => _h.Get<PriceService>();
    private DateTime Now => _h.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        await using var db = _h.Database.CreateContext();
        (_sku, _product) = await db.Skus.OrderBy(s => s.Id).Select(s => new ValueTuple<int, int>(s.Id, s.ProductId)).FirstAsync();
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private PriceInput Input(long amount = 999, string region = "metro-north", string currency = "USD", DateTime? from = null, DateTime? to = null, int? sku = null) =>
        new(sku ?? _sku, region, currency, amount, from, to);

    /// <summary>What a shopper of Downtown (Metro North) is charged now.</summary>
    private async Task<long?> StorefrontPriceAsync() =>
        (await _h.Get<CatalogQueries>().FindProductAsync(_product, Demo.Downtown))!.Skus.Single(s => s.SkuId == _sku).Price?.MinorUnits;

    [Theory]
    [InlineData("EUR", 999, "metro-north", 0, null, "amount.currency")]
    [InlineData("USD", 0, "metro-north", 0, null, "amount.value")]
    [InlineData("USD", 10_000_001, "metro-north", 0, null, "amount.value")]
    [InlineData("USD", -5, "metro-north", 0, null, "amount.value")]
    [InlineData("USD", 999, "atlantis", 0, null, "region")]
    [InlineData("USD", 999, "metro-north", -60, null, "effectiveFrom")]
    [InlineData("USD", 999, "metro-north", 60, 30, "effectiveTo")]
    public async Task BadPrices_AreRefusedByField_AndNothingIsWritten(string currency, long amount, string region, int fromMinutes, int? toMinutes, string field)
    {
        var before = await StorefrontPriceAsync();
        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => Prices.ScheduleAsync(Admin,
            Input(amount, region, currency, Now.AddMinutes(fromMinutes), toMinutes is { } t ? Now.AddMinutes(t) : null)));
        Assert.Contains(field, refused.Errors.Keys);
        Assert.Equal(before, await StorefrontPriceAsync());
        await using var db = _h.Database.CreateContext();
        Assert.False(await db.AuditLog.AnyAsync(a => a.Action == AuditActions.PriceSchedule));
    }

    /// <summary>Periods are kept to the minute, and a start within the tolerance means now: a window that rule folds to nothing is refused by field.</summary>
    [Theory]
    [InlineData(-200, -100)] // accepted as "now", but it ended before now
    [InlineData(65, 100)] // both ends inside one minute to come
    public async Task APeriodThatFoldsToNothing_IsRefusedByItsEnd_NotABareError(int fromSeconds, int toSeconds)
    {
        var nextMinute = PriceRules.Minute(Now).AddMinutes(1);
        var origin = fromSeconds < 0 ? Now : nextMinute;
        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() =>
            Prices.ScheduleAsync(Admin, Input(from: origin.AddSeconds(fromSeconds), to: origin.AddSeconds(toSeconds))));
        Assert.Contains("effectiveTo", refused.Errors.Keys);
        var csv = $"sku,region,amount,currency,effectiveFrom,effectiveTo\n{PublicId.Format(PublicId.Sku, _sku)},metro-north,999,USD,"
            + $"{PriceImport.Iso(origin.AddSeconds(fromSeconds))},{PriceImport.Iso(origin.AddSeconds(toSeconds))}\n";
        var preview = await _h.Get<PriceImport>().PreviewAsync(Admin, csv);
        Assert.Equal((2, "effectiveTo"), (Assert.Single(preview.Problems).Row, preview.Problems[0].Column));
    }

    [Fact]
    public async Task AnUnknownSku_IsRefused_AndStaffOfSomeStoresMayNotChangePrices()
    {
        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => Prices.ScheduleAsync(Admin, Input(sku: 987_654)));
        Assert.Contains("skuId", refused.Errors.Keys);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Prices.ScheduleAsync(TestStaff.ScopedTo(Demo.Downtown), Input()));
        await Assert.ThrowsAsync<NotFoundException>(() => Prices.HistoryAsync(987_654));
    }

    [Fact]
    public async Task AScheduledPrice_TakesEffectAtItsMoment_WithoutARestart()
    {
        var old = await StorefrontPriceAsync();
        var monday = Now.AddDays(3).Date.AddHours(11); // 06:00 in New York
        var scheduled = await Prices.ScheduleAsync(Admin, Input(amount: 777, from: monday));
        Assert.Equal(PriceState.Scheduled, scheduled.State);

        _h.Clock.SetUtcNow(monday.AddSeconds(-1));
        Assert.Equal(old, await StorefrontPriceAsync());
        _h.Clock.SetUtcNow(monday);
        Assert.Equal(777, await StorefrontPriceAsync());

        var history = await Prices.HistoryAsync(_sku, "metro-north");
        Assert.Equal(PriceState.Current, history.Single(p => p.Id == scheduled.Id).State);
        Assert.Contains(history, p => p.State == PriceState.Overridden && p.Amount.MinorUnits == old);
        await using var db = _h.Database.CreateContext();
        var audit = await db.AuditLog.SingleAsync(a => a.Action == AuditActions.PriceSchedule);
        Assert.Equal(PublicId.Format(PublicId.Sku, _sku), audit.EntityId);
    }

    [Fact]
    public async Task APromotionWithAnEnd_GivesWayToThePriceBeneathIt()
    {
        var old = await StorefrontPriceAsync();
        var start = Now.AddHours(1);
        await Prices.ScheduleAsync(Admin, Input(amount: 499, from: start, to: start.AddHours(2)));

        _h.Clock.SetUtcNow(start.AddHours(1));
        Assert.Equal(499, await StorefrontPriceAsync());
        _h.Clock.SetUtcNow(start.AddHours(2));
        Assert.Equal(old, await StorefrontPriceAsync());
        Assert.Contains(await Prices.HistoryAsync(_sku, "metro-north"), p => p.State == PriceState.Past && p.Amount.MinorUnits == 499);
    }

    [Fact]
    public async Task APriceFromNow_ChangesTheStorefrontAtOnce_AndARetryAddsNothing()
    {
        var start = Now.AddDays(1);
        var first = await Prices.ScheduleAsync(Admin, Input(amount: 1234, from: start));
        var again = await Prices.ScheduleAsync(Admin, Input(amount: 1234, from: start));
        Assert.Equal(first.Id, again.Id);
        var clash = await Assert.ThrowsAsync<RequestRejectedException>(() => Prices.ScheduleAsync(Admin, Input(amount: 1300, from: start)));
        Assert.Contains("withdraw it first", clash.Errors["effectiveFrom"][0]);

        await Prices.ScheduleAsync(Admin, Input(amount: 1111));
        Assert.Equal(1111, await StorefrontPriceAsync());
    }

    [Fact]
    public async Task OnlyAPriceNotYetInForce_CanBeWithdrawn()
    {
        var scheduled = await Prices.ScheduleAsync(Admin, Input(amount: 555, from: Now.AddDays(2)));
        var now = await Prices.ScheduleAsync(Admin, Input(amount: 556));

        await Prices.WithdrawAsync(Admin, scheduled.Id);
        await Assert.ThrowsAsync<ConflictException>(() => Prices.WithdrawAsync(Admin, now.Id));
        Assert.DoesNotContain(await Prices.HistoryAsync(_sku), p => p.Id == scheduled.Id);
        await Assert.ThrowsAsync<NotFoundException>(() => Prices.WithdrawAsync(Admin, scheduled.Id));
    }
}

public sealed class SqlitePriceServiceTests() : PriceServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresPriceServiceTests() : PriceServiceTests(DatabaseProvider.Postgres);
