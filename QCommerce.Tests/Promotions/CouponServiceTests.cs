using QCommerce.Core.Promotions;

namespace QCommerce.Tests.Promotions;

/// <summary>Coupons for ops on each provider: terms checked as checkout needs them, field by field; usage shown; a disabled code refused by checkout's own rule.</summary>
public abstract class CouponServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly StaffActor Admin = TestStaff.Admin;
    private ServiceHarness _h = null!;

    private CouponService Coupons => _h.Get<CouponService>();
    private DateTime Now => _h.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync() => _h = await ServiceHarness.CreateAsync(provider);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static CouponDraft Percent(string code = "AUTUMN15", int percent = 15, string? region = null) =>
        new(code, CouponKind.Percent, percent, null, 2000, "USD", null, null, 100, 1, region);

    [Fact]
    public async Task ACreatedCoupon_IsListedWithItsUsage_AndCheckoutsRulesApply()
    {
        var created = await Coupons.CreateAsync(Admin, Percent(region: "metro-south"));
        Assert.Equal(("AUTUMN15", "Active", "metro-south", 0), (created.Code, created.State, created.RegionCode, created.TimesUsed));
        Assert.Contains(await Coupons.ListAsync(), c => c.Code == "WELCOME10");

        await using var db = _h.Database.CreateContext();
        var coupon = await db.Coupons.SingleAsync(c => c.Code == "AUTUMN15");
        var south = await db.Regions.SingleAsync(r => r.Code == "metro-south");
        Assert.True(coupon.Evaluate(new Money("USD", 3000), south.Id, 0, Now).Applies);
        Assert.False(coupon.Evaluate(new Money("USD", 1000), south.Id, 0, Now).Applies);
    }

    [Fact]
    public async Task BadTerms_AreRefusedByField()
    {
        var bad = await Assert.ThrowsAsync<RequestRejectedException>(() => Coupons.CreateAsync(Admin,
            new CouponDraft("x", CouponKind.Percent, 0, null, -5, "EUR", Now, Now.AddDays(-1), 0, 0, "metro-north")));
        Assert.Equal(["code", "currency", "minimumBasket", "perCustomerLimit", "percentOff", "usageLimit", "validTo"], bad.Errors.Keys.Order(StringComparer.Ordinal));
        var amount = await Assert.ThrowsAsync<RequestRejectedException>(() => Coupons.CreateAsync(Admin, new CouponDraft("FLAT5", CouponKind.FixedAmount, null, 0, 0, "USD", null, null, null, null, null)));
        Assert.Contains("amountOff", amount.Errors.Keys);
        var twice = await Assert.ThrowsAsync<RequestRejectedException>(() => Coupons.CreateAsync(Admin, Percent("WELCOME10")));
        Assert.Contains("exists already", twice.Errors["code"][0]);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Coupons.CreateAsync(TestStaff.ScopedTo(Demo.Downtown), Percent("MINE")));
        var euro = await Assert.ThrowsAsync<RequestRejectedException>(() => Coupons.CreateAsync(Admin, new CouponDraft("EURO5", CouponKind.FixedAmount, null, 500, 0, "EUR", null, null, null, null, null)));
        Assert.Contains("No store sells in EUR", euro.Errors["currency"][0]);
        var mixed = await Assert.ThrowsAsync<RequestRejectedException>(() => Coupons.CreateAsync(Admin, Percent("MIXED") with { AmountOffMinor = 500 }));
        Assert.Contains("amountOff", mixed.Errors.Keys);
        await Coupons.CreateAsync(Admin, Percent("KEEPME"));
        var renamed = await Assert.ThrowsAsync<RequestRejectedException>(() => Coupons.UpdateAsync(Admin, "KEEPME", Percent("RENAMED")));
        Assert.Contains("cannot change", renamed.Errors["code"][0]);
    }

    [Fact]
    public async Task ADisabledCoupon_IsRefusedByCheckout_AndALimitCannotGoBelowTheUsesMade()
    {
        await Coupons.CreateAsync(Admin, Percent("STOPME"));
        var disabled = await Coupons.UpdateAsync(Admin, "stopme", Percent("STOPME") with { Active = false });
        Assert.Equal("Disabled", disabled.State);
        await using (var db = _h.Database.CreateContext())
        {
            var coupon = await db.Coupons.SingleAsync(c => c.Code == "STOPME");
            Assert.Contains("no longer active", coupon.Evaluate(new Money("USD", 5000), 1, 0, Now).Message);
            await db.Coupons.Where(c => c.Code == "STOPME").ExecuteUpdateAsync(s => s.SetProperty(c => c.TimesUsed, 7));
        }
        var below = await Assert.ThrowsAsync<RequestRejectedException>(() => Coupons.UpdateAsync(Admin, "STOPME", Percent("STOPME") with { UsageLimit = 5 }));
        Assert.Contains("used 7 times", below.Errors["usageLimit"][0]);
        await Assert.ThrowsAsync<NotFoundException>(() => Coupons.UpdateAsync(Admin, "NOSUCHCODE", Percent("NOSUCHCODE")));
        await using var check = _h.Database.CreateContext();
        Assert.Equal(2, await check.AuditLog.CountAsync(a => a.EntityId == "STOPME"));
    }
}

public sealed class SqliteCouponServiceTests() : CouponServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresCouponServiceTests() : CouponServiceTests(DatabaseProvider.Postgres);
