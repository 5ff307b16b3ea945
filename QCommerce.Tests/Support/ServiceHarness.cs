using Microsoft.AspNetCore.Identity;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Time.Testing;
using QCommerce.Core;
using QCommerce.Core.Identity;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;
using QCommerce.Core.Stores;

namespace QCommerce.Tests.Support;

/// <summary>
/// Core's use cases wired as the app wires them, over a fresh seeded database of one provider, with
/// a clock the test moves. 10:00 in New York on a weekday: every store is open.
/// </summary>
public sealed class ServiceHarness : IAsyncDisposable
{
    public static readonly DateTimeOffset Start = new(2026, 11, 27, 15, 0, 0, TimeSpan.Zero);

    private readonly ServiceProvider _services;

    private ServiceHarness(TestDatabase database, ServiceProvider services, FakeTimeProvider clock)
    {
        Database = database;
        _services = services;
        Clock = clock;
    }

    public TestDatabase Database { get; }
    public FakeTimeProvider Clock { get; }
    public IServiceProvider Services => _services;

    public T Get<T>() where T : notnull => _services.GetRequiredService<T>();

    public static async Task<ServiceHarness> CreateAsync(DatabaseProvider provider, Action<IServiceCollection>? configure = null)
    {
        var clock = new FakeTimeProvider(Start);
        var database = await TestDatabase.CreateAsync(provider);
        await database.InitializeAsync(seed: true, clock);
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?>
        {
            ["Orders:ReservationTtl"] = "00:15:00",
            ["Orders:TaxRates:metro-north"] = "8.875",
            ["Orders:TaxRates:metro-south"] = "8.5",
            // Messages are rendered by the web project's real renderer and written as .eml files, as the app does without a relay.
            ["Mail:SiteUrl"] = "http://localhost:5080/",
            ["Mail:PickupDirectory"] = Directory.CreateTempSubdirectory("qcommerce-harness-mail-").FullName,
        }).Build());
        services.AddLogging(l => l.SetMinimumLevel(LogLevel.Warning));
        services.AddSingleton<TimeProvider>(clock);
        services.AddSingleton(new DatabaseInfo(provider));
        services.AddSingleton(database.ContextFactory());
        services.AddSingleton<IDatabaseContexts>(sp => new DatabaseContexts(sp.GetRequiredService<IDbContextFactory<QCommerceDbContext>>()));
        services.AddQCommerceCore();
        QCommerce.Web.Messages.MessagesSetup.AddMessages(services, AppContext.BaseDirectory);
        configure?.Invoke(services);
        var built = services.BuildServiceProvider();
        // The harness's contexts are the app's: its catalog and stock caches hear of what they commit, and so does its outbox.
        database.Interceptors.AddRange(built.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>()
            .Where(i => i is QCommerce.Core.Catalog.CatalogChangeInterceptor or StockCommits or OutboxCommitInterceptor));
        var harness = new ServiceHarness(database, built, clock);
        await harness.Get<DeliverySlots>().EnsureSlotsAsync();
        return harness;
    }

    public async Task<string> CreateUserAsync(string email)
    {
        await using var db = Database.CreateContext();
        var user = new AppUser { UserName = email, Email = email, NormalizedEmail = email.ToUpperInvariant(), NormalizedUserName = email.ToUpperInvariant() };
        db.Users.Add(user);
        await db.SaveChangesAsync();
        return user.Id;
    }

    /// <summary>An admin in the database, as the staff directory reads them on every action (the ops pages' bUnit tests sign in as them).</summary>
    public async Task<string> CreateAdminAsync(string email)
    {
        var id = await CreateUserAsync(email);
        await using var db = Database.CreateContext();
        var role = await db.Roles.FirstOrDefaultAsync(r => r.Name == Roles.Admin) ?? new IdentityRole(Roles.Admin) { NormalizedName = Roles.Admin.ToUpperInvariant() };
        if (db.Entry(role).State == EntityState.Detached) db.Roles.Add(role);
        db.UserRoles.Add(new IdentityUserRole<string> { UserId = id, RoleId = role.Id });
        await db.SaveChangesAsync();
        return id;
    }

    /// <summary>Sets a SKU's stock for a test, with the count correction in the ledger, so the ledger still sums to on hand.</summary>
    public async Task SetStockAsync(int storeId, int skuId, int onHand, int? lowStockThreshold = null)
    {
        await using var db = Database.CreateContext();
        var before = await db.Stock.Where(s => s.StoreId == storeId && s.SkuId == skuId).Select(s => s.OnHand).SingleAsync();
        var rows = await db.Stock.Where(s => s.StoreId == storeId && s.SkuId == skuId)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, onHand).SetProperty(x => x.Reserved, 0).SetProperty(x => x.LowSinceUtc, (DateTime?)null)
                .SetProperty(x => x.LowStockThreshold, x => lowStockThreshold ?? x.LowStockThreshold));
        Assert.Equal(1, rows);
        db.StockMovements.Add(new StockMovement(storeId, skuId, StockMovementKind.CountCorrection, onHand - before, null, "test", "set by the test", Clock.GetUtcNow().UtcDateTime));
        await db.SaveChangesAsync();
        StockCache.Changed(db, storeId, [skuId]);
    }

    /// <summary>The ledger's sum of a store's SKU: always its on hand.</summary>
    public async Task<int> LedgerSumAsync(int storeId, int skuId)
    {
        await using var db = Database.CreateContext();
        return await db.StockMovements.Where(m => m.StoreId == storeId && m.SkuId == skuId).SumAsync(m => m.Quantity);
    }

    public async Task<StockLevel> StockAsync(int storeId, int skuId)
    {
        await using var db = Database.CreateContext();
        return await db.Stock.AsNoTracking().SingleAsync(s => s.StoreId == storeId && s.SkuId == skuId);
    }

    /// <summary>What the orders holding a reservation hold of a SKU: must always equal the stock row's Reserved.</summary>
    public async Task<int> HeldByOrdersAsync(int storeId, int skuId)
    {
        await using var db = Database.CreateContext();
        return await db.OrderLines.Where(l => l.SkuId == skuId && db.Orders.Any(o => o.Id == l.OrderId && o.StoreId == storeId && o.ReservationStatus == ReservationStatus.Held))
            .SumAsync(l => (int?)l.Quantity) ?? 0;
    }

    public async Task<(int Orders, int Lines, int Outbox, int Idempotency, int Redemptions)> RowCountsAsync()
    {
        await using var db = Database.CreateContext();
        return (await db.Orders.CountAsync(), await db.OrderLines.CountAsync(), await db.OutboxMessages.CountAsync(),
            await db.IdempotencyRecords.CountAsync(), await db.CouponRedemptions.CountAsync());
    }

    public async ValueTask DisposeAsync()
    {
        await _services.DisposeAsync();
        await Database.DisposeAsync();
    }
}

/// <summary>Ids in the demo data the ordering tests lean on.</summary>
public static class Demo
{
    public const int Downtown = 1, Midtown = 2, Brooklyn = 3;

    public static OrderAddressInput DowntownAddress => new("12 Mercer Street", "Apt 4", "New York", "10013");
    public static OrderAddressInput MidtownAddress => new("401 W 42nd Street", null, "New York", "10036");
    public static OrderAddressInput BrooklynAddress => new("88 Court Street", null, "Brooklyn", "11201");

    /// <summary>A SKU every store stocks well: its stock is set by the test that uses it.</summary>
    public static async Task<int[]> SkusAsync(TestDatabase database, int count)
    {
        await using var db = database.CreateContext();
        return await db.Skus.OrderBy(s => s.Id).Select(s => s.Id).Take(count).ToArrayAsync();
    }
}
