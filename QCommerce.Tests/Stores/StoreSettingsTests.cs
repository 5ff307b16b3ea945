using QCommerce.Core.Stores;

namespace QCommerce.Tests.Stores;

/// <summary>Store settings on each provider: admins only, every field checked, the storefront's store directory and the slot grid following at once.</summary>
public abstract class StoreSettingsTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ServiceHarness _h = null!;

    public async Task InitializeAsync() => _h = await ServiceHarness.CreateAsync(provider);

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static StoreSettings Settings(int slotMinutes = 30, int capacity = 9, long fee = 199) =>
        new(new TimeOnly(8, 0), new TimeOnly(22, 0), ["10013", "10014", "10280"], fee, 4000, 25, slotMinutes, capacity);

    [Fact]
    public async Task NewSettings_ReachTheStorefrontAndTheSlotGrid()
    {
        await _h.Get<StoreSettingsService>().ChangeAsync(TestStaff.Admin, Demo.Downtown, Settings());

        var store = await _h.Get<StoreDirectory>().GetAsync(Demo.Downtown);
        Assert.Equal((199L, 25, 30, 9), (store.DeliveryFee.MinorUnits, store.EtaMinutes, store.SlotMinutes, store.SlotCapacity));
        Assert.Contains("10280", store.DeliveryZips);
        Assert.DoesNotContain("10001", store.DeliveryZips);
        Assert.Contains(await _h.Get<StoreDirectory>().ServingAsync("10280"), s => s.Id == Demo.Downtown);
        var slots = await _h.Get<DeliverySlots>().UpcomingAsync(Demo.Downtown);
        Assert.NotEmpty(slots);
        Assert.All(slots, s => Assert.Equal(TimeSpan.FromMinutes(30), s.EndUtc - s.StartUtc));
        Assert.All(slots, s => Assert.Equal(9, s.Remaining));
        await using var db = _h.Database.CreateContext();
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == AuditActions.StoreChange && a.StoreId == Demo.Downtown));
    }

    [Fact]
    public async Task OnlyAdmins_ChangeStores_AndBadSettingsAreNamed()
    {
        var service = _h.Get<StoreSettingsService>();
        await Assert.ThrowsAsync<AccessDeniedException>(() => service.ChangeAsync(TestStaff.ScopedTo(Demo.Downtown), Demo.Downtown, Settings()));
        var bad = await Assert.ThrowsAsync<RequestRejectedException>(() => service.ChangeAsync(TestStaff.Admin, Demo.Downtown,
            new StoreSettings(null, new TimeOnly(22, 0), ["not a zip!"], -1, 4000, 0, 45, 0)));
        Assert.Equal(["baseEtaMinutes", "deliveryFee", "deliveryZips", "opens", "slotCapacity", "slotMinutes"], bad.Errors.Keys.Order(StringComparer.Ordinal));
        await Assert.ThrowsAsync<NotFoundException>(() => service.ChangeAsync(TestStaff.Admin, 999, Settings()));
        Assert.Equal(299, (await _h.Get<StoreDirectory>().GetAsync(Demo.Downtown)).DeliveryFee.MinorUnits);
    }
}

public sealed class SqliteStoreSettingsTests() : StoreSettingsTests(DatabaseProvider.Sqlite);

public sealed class PostgresStoreSettingsTests() : StoreSettingsTests(DatabaseProvider.Postgres);
