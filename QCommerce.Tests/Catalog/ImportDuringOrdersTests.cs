using System.Text;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Catalog;

/// <summary>
/// A large price list (and a large stock count) applied while shoppers order, on the real app: every order placed during the import is placed
/// (slower perhaps, never a 500), and the import lands whole. On SQLite, where one writer at a time holds the database,
/// the app is given a one-second busy timeout: an import that held the write lock for its whole file (seconds) would
/// fail the orders behind it with "database is locked"; taking its turn chunk by chunk, it lets them in between.
/// </summary>
public abstract class ImportDuringOrdersTests(DatabaseProvider provider)
{
    private const int Rows = 10_000;

    [Fact]
    public async Task OrdersPlacedWhileALargePriceListApplies_AreAllPlaced_AndTheListLandsWhole()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        var skus = await BulkCatalog.AddSkusAsync(database, Rows / 4);
        var now = DateTime.UtcNow;
        var csv = new StringBuilder("sku,region,amount,currency,effectiveFrom,effectiveTo\r\n");
        foreach (var sku in skus)
            foreach (var region in new[] { "metro-north", "metro-south" })
                for (var day = 1; day <= 2; day++)
                    csv.Append($"{PublicId.Format(PublicId.Sku, sku)},{region},{100 + sku % 900},USD,{PriceImport.Iso(now.Date.AddDays(day).AddHours(11))},\r\n");
        int before;
        await using (var db = database.CreateContext()) before = await db.Prices.CountAsync();
        var shopper = await ApiShopper.SignUpAsync(app);

        var import = Task.Run(() => app.Services.GetRequiredService<PriceImport>().ApplyAsync(TestStaff.Admin, csv.ToString()));
        // Orders from the start to the end of the import; those that end while it is writing met it there.
        var (placed, whileWriting) = (0, 0);
        while (!import.IsCompleted)
        {
            await shopper.PlaceOrderAsync("cod", skuOffset: 2 * (placed % 20)); // fails the test on anything but 201
            placed++;
            if (!import.IsCompleted && await WritingAsync(database, before)) whileWriting++;
        }

        var report = await import;
        Assert.True(report.Applied, string.Join("; ", report.Problems.Select(p => p.Message)));
        Assert.True(whileWriting >= 1, $"none of {placed} orders was placed while the import was writing: the test proved nothing");
        await using (var db = database.CreateContext())
        {
            Assert.Equal(before + Rows, await db.Prices.CountAsync());
            Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == AuditActions.PriceImport));
        }
        Assert.DoesNotContain(app.Logs.Entries, e => e.Message.Contains("database is locked", StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task OrdersPlacedWhileALargeStockCountApplies_AreAllPlaced_AndEveryCountLands()
    {
        await using var database = await TestDatabase.CreateAsync(provider);
        await using var app = await StartAsync(database);
        // 6,000 shelf counts in two stores (the orders go to a third, Midtown, whose stock they reserve): six chunks.
        var skus = await BulkCatalog.AddSkusAsync(database, 3_000);
        var csv = new StringBuilder("store,sku,counted\r\n");
        foreach (var store in new[] { "st_1", "st_3" })
            foreach (var sku in skus)
                csv.Append($"{store},{PublicId.Format(PublicId.Sku, sku)},{7 + sku % 50}\r\n");
        var shopper = await ApiShopper.SignUpAsync(app);

        var import = Task.Run(() => app.Services.GetRequiredService<QCommerce.Core.Inventory.StockCountImport>().ApplyAsync(TestStaff.Admin, csv.ToString()));
        var (placed, whileWriting) = (0, 0);
        while (!import.IsCompleted)
        {
            await shopper.PlaceOrderAsync("cod", skuOffset: 2 * (placed % 20));
            placed++;
            await using var db = database.CreateContext();
            if (!import.IsCompleted && await db.StockMovements.CountAsync(m => m.Kind == QCommerce.Core.Inventory.StockMovementKind.CountCorrection) > 0) whileWriting++;
        }

        var report = await import;
        Assert.True(report.Applied, string.Join("; ", report.Problems.Select(p => p.Message)));
        // PostgreSQL's chunks hold only their own rows, which no order here takes: the count is seen only once it commits,
        // chunk by chunk, so "during" is a chunk seen while others are still to come.
        Assert.True(whileWriting >= 1, $"none of {placed} orders was placed while the counts were being written: the test proved nothing");
        await using (var db = database.CreateContext())
        {
            Assert.Equal(6_000, await db.StockMovements.CountAsync(m => m.Kind == QCommerce.Core.Inventory.StockMovementKind.CountCorrection));
            Assert.Equal(2, await db.AuditLog.CountAsync(a => a.Action == AuditActions.StockImport)); // one a store
        }
        Assert.DoesNotContain(app.Logs.Entries, e => e.Message.Contains("database is locked", StringComparison.OrdinalIgnoreCase));
    }

    /// <summary>The app over <paramref name="database"/>; on SQLite it gives up on a locked database after one second.</summary>
    private async Task<QCommerceApp> StartAsync(TestDatabase database)
    {
        var settings = new Dictionary<string, string?>();
        if (provider == DatabaseProvider.Sqlite)
            settings["ConnectionStrings:Sqlite"] = new SqliteConnectionStringBuilder(database.ConnectionString) { DefaultTimeout = 1 }.ConnectionString;
        var app = new QCommerceApp(provider, settings, sharedDatabase: database);
        await app.InitializeAsync();
        return app;
    }

    /// <summary>
    /// The import is writing its prices: on SQLite, its first chunks are saved; on PostgreSQL, which saves them in one
    /// transaction (seen by nobody before it commits), a session is inside it, inserting prices.
    /// </summary>
    private static async Task<bool> WritingAsync(TestDatabase database, int before)
    {
        await using var db = database.CreateContext();
        if (database.Provider == DatabaseProvider.Sqlite) return await db.Prices.CountAsync() > before;
        return await db.Database.SqlQueryRaw<int>("""
            SELECT count(*)::int AS "Value" FROM pg_stat_activity
            WHERE datname = current_database() AND backend_xid IS NOT NULL AND query LIKE '%INSERT INTO "Prices"%'
            """).SingleAsync() > 0;
    }
}

public sealed class SqliteImportDuringOrdersTests() : ImportDuringOrdersTests(DatabaseProvider.Sqlite);

public sealed class PostgresImportDuringOrdersTests() : ImportDuringOrdersTests(DatabaseProvider.Postgres);
