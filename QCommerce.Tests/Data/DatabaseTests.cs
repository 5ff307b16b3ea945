using Microsoft.Extensions.Caching.Memory;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.EntityFrameworkCore.Migrations;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using QCommerce.Core.Catalog;
using QCommerce.Core.Inventory;
using QCommerce.Core.Stores;

namespace QCommerce.Tests.Data;

/// <summary>Migrations, demo data and catalog queries against a real database of each provider.</summary>
public abstract class DatabaseTests(DatabaseProvider provider) : IAsyncLifetime
{
    protected TestDatabase Db { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        Db = await TestDatabase.CreateAsync(provider);
        await Db.InitializeAsync();
    }

    public async Task DisposeAsync() => await Db.DisposeAsync();

    private CatalogQueries Catalog(out StoreDirectory stores)
    {
        var cache = new MemoryCache(new MemoryCacheOptions());
        stores = new StoreDirectory(Db.ContextFactory(), cache);
        var snapshots = new CatalogSnapshots(Db.ContextFactory(), new CatalogChangeSignal(), TimeProvider.System, NullLogger<CatalogSnapshots>.Instance);
        return new CatalogQueries(stores, snapshots,
            new StockCache(Db.ContextFactory(), TimeProvider.System, new StockCommits()));
    }

    [Fact]
    public async Task Migrate_EmptyDatabase_LeavesNoMigrationPending()
    {
        await using var db = Db.CreateContext();
        Assert.Empty(await db.Database.GetPendingMigrationsAsync());
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task Initialize_MigratedDatabase_AppliesNothing()
    {
        var log = new LogCapture();
        await Db.InitializeAsync(logger: new Logger<DatabaseInitializer>(new LoggerFactory([log])));
        Assert.Contains(log.Entries, e => e.Message.Contains("migrations, none to apply)"));
        await using var db = Db.CreateContext();
        Assert.Equal(db.Database.GetMigrations(), await db.Database.GetAppliedMigrationsAsync());
    }

    [Fact]
    public async Task Initialize_DatabaseAMigrationBehind_AppliesIt()
    {
        await using var behind = await TestDatabase.CreateAsync(provider);
        await using (var db = behind.CreateContext())
        {
            var all = db.Database.GetMigrations().ToList();
            await db.GetService<IMigrator>().MigrateAsync(all[^2]);
            Assert.Equal([all[^1]], await db.Database.GetPendingMigrationsAsync());
        }
        var log = new LogCapture();
        await behind.InitializeAsync(seed: false, logger: new Logger<DatabaseInitializer>(new LoggerFactory([log])));
        Assert.Contains(log.Entries, e => e.Message.Contains("migrations, migrated)"));
        await using (var db = behind.CreateContext()) Assert.Empty(await db.Database.GetPendingMigrationsAsync());
    }

    /// <summary>A start that finds every migration applied skips MigrateAsync, and with it this check: so it is a test.</summary>
    [Fact]
    public async Task Model_HasNoChangeMissingFromTheMigrations()
    {
        await using var db = Db.CreateContext();
        Assert.False(db.Database.HasPendingModelChanges(), "the model has changed since the last migration: add one with dotnet ef migrations add");
    }

    [Fact]
    public async Task Seed_OnEmptyDatabase_LoadsTheDemoShop()
    {
        await using var db = Db.CreateContext();
        Assert.True(await db.Stores.CountAsync() >= 3);
        Assert.Equal(2, await db.Regions.CountAsync());
        Assert.True(await db.Categories.CountAsync() >= 12);
        Assert.True(await db.Products.CountAsync() >= 200);
        Assert.True(await db.Stock.CountAsync(s => s.OnHand == 0) > 0, "some products are sold out");
        Assert.True(await db.Stock.CountAsync(s => s.OnHand > 0 && s.OnHand <= s.LowStockThreshold) > 0, "some run low");
        var products = await db.Products.AsNoTracking().ToListAsync();
        Assert.All(products, p => Assert.StartsWith("/images/products/", Assert.Single(p.Images).Url));
        Assert.Equal(products.Count, products.Select(p => p.Slug).Distinct().Count());
    }

    [Fact]
    public async Task Seed_Twice_AddsNothing()
    {
        int[] Counts(QCommerceDbContext db) =>
            [db.Stores.Count(), db.Regions.Count(), db.Categories.Count(), db.Products.Count(), db.Skus.Count(), db.Prices.Count(), db.Stock.Count()];
        int[] before;
        await using (var db = Db.CreateContext()) before = Counts(db);
        await Db.InitializeAsync();
        await using (var db = Db.CreateContext()) Assert.Equal(before, Counts(db));
    }

    [Theory]
    [InlineData("chobani", "Chobani")]
    [InlineData("chob", "Chobani")]
    [InlineData("greek yogurt", "Chobani")]
    [InlineData("Häagen", "Häagen-Dazs")]
    [InlineData("espresso", "Lavazza")]
    public async Task Search_FindsByTitleBrandAndPrefix(string text, string brand)
    {
        var page = await Catalog(out _).SearchAsync(new ProductQuery(Text: text));
        Assert.NotEmpty(page.Items);
        Assert.Contains(page.Items, c => c.Brand == brand);
    }

    [Theory]
    [InlineData("xylophone")]
    [InlineData("\"; DROP TABLE \"Products\"; --")]
    [InlineData("*")]
    public async Task Search_WithNoMatchOrHostileInput_ReturnsNothingAndBreaksNothing(string text)
    {
        var page = await Catalog(out _).SearchAsync(new ProductQuery(Text: text));
        Assert.Empty(page.Items);
        await using var db = Db.CreateContext();
        Assert.True(await db.Products.CountAsync() >= 200);
    }

    [Fact]
    public async Task Search_InACategory_StaysInsideIt()
    {
        await using var db = Db.CreateContext();
        var frozen = await db.Categories.SingleAsync(c => c.Slug == "frozen");
        var page = await Catalog(out _).SearchAsync(new ProductQuery(Text: "ice cream", CategoryId: frozen.Id));
        Assert.NotEmpty(page.Items);
        var ids = page.Items.Select(i => i.ProductId).ToList();
        Assert.All(await db.Products.Where(p => ids.Contains(p.Id)).Select(p => p.CategoryId).ToListAsync(), c => Assert.Equal(frozen.Id, c));
    }

    [Fact]
    public async Task Browse_ParentCategory_IncludesItsChildren()
    {
        await using var db = Db.CreateContext();
        var drinks = await db.Categories.SingleAsync(c => c.Slug == "drinks");
        var page = await Catalog(out _).SearchAsync(new ProductQuery(CategoryId: drinks.Id, PageSize: 100));
        Assert.Equal(await db.Products.CountAsync(p => p.Category.ParentId == drinks.Id), page.Total);
        Assert.True(page.Total > 0);
    }

    [Fact]
    public async Task Prices_ComeFromTheStoresRegion()
    {
        var catalog = Catalog(out var stores);
        var all = await stores.ListAsync();
        var north = all.First(s => s.RegionCode == DemoData.NorthRegion);
        var south = all.First(s => s.RegionCode == DemoData.SouthRegion);
        var inNorth = await catalog.SearchAsync(new ProductQuery(Text: "bananas", StoreId: north.Id));
        var inSouth = await catalog.SearchAsync(new ProductQuery(Text: "bananas", StoreId: south.Id));
        var northBananas = inNorth.Items.Single(i => i.Brand == "Del Monte");
        var southBananas = inSouth.Items.Single(i => i.Brand == "Del Monte");
        Assert.Equal(199, northBananas.Price!.Value.MinorUnits);
        Assert.Equal(189, southBananas.Price!.Value.MinorUnits);
    }

    [Fact]
    public async Task Prices_AScheduledPromotion_ReplacesThePriceWhileItRuns()
    {
        var catalog = Catalog(out var stores);
        var store = (await stores.ListAsync()).First();
        var card = (await catalog.SearchAsync(new ProductQuery(Text: "bananas", StoreId: store.Id))).Items.Single(i => i.Brand == "Del Monte");
        await using (var db = Db.CreateContext())
        {
            var now = DateTime.UtcNow;
            db.Prices.Add(new Price(card.SkuId, store.RegionId, new Money("USD", 149), now.AddMinutes(-1), now.AddDays(1)));
            db.Prices.Add(new Price(card.SkuId, store.RegionId, new Money("USD", 99), now.AddDays(1)));
            await db.SaveChangesAsync();
        }
        // Written outside the catalog's app, as another instance would: it shows within a second.
        await Eventually.Async(async () => (await catalog.SearchAsync(new ProductQuery(Text: "bananas", StoreId: store.Id))).Items.Single(i => i.Brand == "Del Monte").Price!.Value.MinorUnits,
            price => price == 149, "the promotion's price", TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Availability_ReflectsTheStoresStock()
    {
        var catalog = Catalog(out var stores);
        var store = (await stores.ListAsync()).First();
        await using var db = Db.CreateContext();
        var soldOut = await db.Stock.FirstAsync(s => s.StoreId == store.Id && s.OnHand == 0);
        var result = await catalog.AvailabilityAsync(store.Id, [soldOut.SkuId]);
        Assert.False(Assert.Single(result).InStock);
        await db.Stock.Where(s => s.StoreId == store.Id && s.SkuId == soldOut.SkuId).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, 3));
        // Written outside the catalog's app, as another instance would: it shows within a second.
        await Eventually.Async(async () => Assert.Single(await catalog.AvailabilityAsync(store.Id, [soldOut.SkuId])).AvailableQty,
            qty => qty == 3, "the new stock", TimeSpan.FromSeconds(1.5));
    }

    [Fact]
    public async Task Sort_ByPrice_OrdersCheapestFirst()
    {
        var catalog = Catalog(out var stores);
        var store = (await stores.ListAsync()).First();
        var page = await catalog.SearchAsync(new ProductQuery(StoreId: store.Id, PageSize: 100, Sort: ProductSort.PriceAsc));
        var prices = page.Items.Select(i => i.Price!.Value.MinorUnits).ToList();
        Assert.Equal(prices.Order(), prices);
        var desc = await catalog.SearchAsync(new ProductQuery(StoreId: store.Id, PageSize: 10, Sort: ProductSort.PriceDesc));
        Assert.True(desc.Items[0].Price!.Value >= desc.Items[^1].Price!.Value);
    }

    [Fact]
    public async Task Stock_CannotGoBelowZero_TheDatabaseRefuses()
    {
        await using var db = Db.CreateContext();
        var row = await db.Stock.FirstAsync();
        await Assert.ThrowsAnyAsync<Exception>(() =>
            db.Stock.Where(s => s.StoreId == row.StoreId && s.SkuId == row.SkuId).ExecuteUpdateAsync(s => s.SetProperty(x => x.Reserved, x => x.OnHand + 1)));
    }
}

public sealed class SqliteDatabaseTests() : DatabaseTests(DatabaseProvider.Sqlite)
{
    /// <summary>The busy timeout and synchronous mode are set once per pooled native connection, and stay with it.</summary>
    [Fact]
    public async Task EveryOpenedConnection_WaitsForTheWriteLock_AndSyncsNormally()
    {
        for (var open = 0; open < 3; open++)
        {
            await using var db = Db.CreateContext();
            await db.Database.OpenConnectionAsync();
            await using var command = db.Database.GetDbConnection().CreateCommand();
            command.CommandText = "PRAGMA busy_timeout";
            Assert.Equal((long)SqliteConnectionSettings.BusyTimeoutMilliseconds, await command.ExecuteScalarAsync());
            command.CommandText = "PRAGMA synchronous";
            Assert.Equal(1L, await command.ExecuteScalarAsync()); // NORMAL
            command.CommandText = "PRAGMA wal_autocheckpoint";
            Assert.Equal((long)SqliteConnectionSettings.AutoCheckpointPages, await command.ExecuteScalarAsync());
        }
    }

    /// <summary>
    /// Writes reach the database file (only a checkpoint writes it, in WAL mode) through the background checkpointer,
    /// soon after they commit and not inside them; while nothing is written it runs none.
    /// </summary>
    [Fact]
    public async Task TheCheckpointer_CopiesTheLogSoonAfterAWrite_AndRunsNoneWhileIdle()
    {
        var file = new FileInfo(new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(Db.ConnectionString).DataSource);
        // A connection of the test's own, open throughout: when the last connection to a file closes, SQLite checkpoints
        // and deletes the log itself, and other tests' clean-up clears every pool in the process (ClearAllPools), so
        // without it the log could vanish under the checkpointer, which then rightly has nothing to do (two CI runs).
        await using var keeper = new Microsoft.Data.Sqlite.SqliteConnection(Db.ConnectionString);
        await keeper.OpenAsync();
        async Task WriteAsync()
        {
            await using var db = Db.CreateContext();
            await db.Database.ExecuteSqlRawAsync("UPDATE \"Stock\" SET \"LowStockThreshold\" = \"LowStockThreshold\" + 1");
        }
        await WriteAsync(); // whatever the set-up left in the log is copied by the first look
        using var logs = new LogCapture();
        using var checkpointer = new SqliteCheckpointer(Db.ConnectionString, new Logger<SqliteCheckpointer>(new LoggerFactory([logs])));
        var wal = new FileInfo(file.FullName + "-wal");
        string Failures() => $"log there: {File.Exists(wal.FullName)}, checkpointer {checkpointer.ExecuteTask?.Status} {checkpointer.ExecuteTask?.Exception?.GetBaseException().Message}; "
            + string.Join("; ", logs.Entries.Select(e => e.Message + " " + e.Exception?.Message));
        await checkpointer.StartAsync(CancellationToken.None);
        // Counted from what it did so far, not as exact numbers: a slow test thread may look only after a second look of its own.
        await WaitUntilAsync(() => checkpointer.Checkpoints >= 1, Failures);
        await Task.Delay(SqliteCheckpointer.Interval * 2);
        var done = checkpointer.Checkpoints;
        file.Refresh();
        var copied = file.LastWriteTimeUtc;

        await Task.Delay(SqliteCheckpointer.Interval * 4);
        Assert.Equal(done, checkpointer.Checkpoints); // idle: no checkpoint, no statement

        await WriteAsync();
        file.Refresh();
        Assert.Equal(copied, file.LastWriteTimeUtc); // the commit itself did not checkpoint
        await WaitUntilAsync(() => checkpointer.Checkpoints > done, Failures);
        file.Refresh();
        Assert.True(file.LastWriteTimeUtc > copied, "the write reached the database file");
        await checkpointer.StopAsync(CancellationToken.None);
    }

    /// <summary>Pointed at a database that is not there (yet, or any more), it waits: it never creates one.</summary>
    [Fact]
    public async Task TheCheckpointer_NeverCreatesADatabase()
    {
        var folder = Directory.CreateTempSubdirectory("qc-checkpointer-");
        try
        {
            var file = Path.Combine(folder.FullName, "absent.db");
            using var checkpointer = new SqliteCheckpointer($"Data Source={file}", NullLogger<SqliteCheckpointer>.Instance);
            await checkpointer.StartAsync(CancellationToken.None);
            await Task.Delay(SqliteCheckpointer.Interval * 4);
            await checkpointer.StopAsync(CancellationToken.None);

            Assert.Equal(0, checkpointer.Checkpoints);
            Assert.Empty(folder.GetFiles());
        }
        finally
        {
            folder.Delete(recursive: true);
        }
    }

    /// <summary>
    /// Waits for the condition by the clock, not by counting delays: a full run on two cores can hold a 250 ms timer
    /// back for seconds (a CI run gave up after "5 s" of 20 ms naps that took longer).
    /// </summary>
    private static async Task WaitUntilAsync(Func<bool> condition, Func<string>? failures = null)
    {
        var clock = System.Diagnostics.Stopwatch.StartNew();
        while (!condition())
        {
            Assert.True(clock.Elapsed < TimeSpan.FromSeconds(30), $"not within 30 s; logged: {failures?.Invoke()}");
            await Task.Delay(20);
        }
    }

    /// <summary>
    /// The write gate lets one write transaction of a database file in at a time, the next the moment the first lets go
    /// (also when its turn is released twice), and never holds up another file's writers.
    /// </summary>
    [Fact]
    public async Task TheWriteGate_QueuesOneFilesWriters_InTurn_AndNotAnotherFiles()
    {
        await using var first = Db.CreateContext();
        await using var second = Db.CreateContext();
        var turn = await SqliteWriteGate.EnterAsync(first, CancellationToken.None);
        Assert.NotNull(turn);
        var waiting = SqliteWriteGate.EnterAsync(second, CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(waiting.IsCompleted);

        await using (var elsewhere = await TestDatabase.CreateAsync(DatabaseProvider.Sqlite))
        await using (var other = elsewhere.CreateContext())
        using (var otherTurn = await SqliteWriteGate.EnterAsync(other, CancellationToken.None).AsTask().WaitAsync(TimeSpan.FromSeconds(5)))
            Assert.NotNull(otherTurn);

        turn!.Dispose();
        turn.Dispose();
        var next = await waiting.WaitAsync(TimeSpan.FromSeconds(5));
        var third = SqliteWriteGate.EnterAsync(first, CancellationToken.None).AsTask();
        await Task.Delay(100);
        Assert.False(third.IsCompleted); // the double release let no one in out of turn
        next!.Dispose();
        (await third.WaitAsync(TimeSpan.FromSeconds(5)))!.Dispose();
    }
}

public sealed class PostgresDatabaseTests() : DatabaseTests(DatabaseProvider.Postgres)
{
    /// <summary>PostgreSQL locks rows, not the database: its writers are not queued.</summary>
    [Fact]
    public async Task TheWriteGate_IsOpen()
    {
        await using var db = Db.CreateContext();
        Assert.Null(await SqliteWriteGate.EnterAsync(db, CancellationToken.None));
        Assert.Null(await SqliteWriteGate.EnterAsync(db, CancellationToken.None));
    }
}
