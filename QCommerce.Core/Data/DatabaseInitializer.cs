namespace QCommerce.Core.Data;

/// <summary>Brings the database to the latest migration and, when it has no stores yet, loads the demo data (and an order history).</summary>
public sealed class DatabaseInitializer(IDbContextFactory<QCommerceDbContext> contexts, DatabaseInfo database,
    TimeProvider clock, IOptions<Promotions.PricingOptions> pricing, ILogger<DatabaseInitializer> logger)
{
    /// <summary>Migrates; with <paramref name="seedDemoData"/>, loads the demo shop and, on a database with no orders yet, <paramref name="demoOrders"/> of order history.</summary>
    /// <param name="demoCatalogProducts">With the demo data, pads the catalog to this many products (0: the demo's own 200).</param>
    public async Task InitializeAsync(bool seedDemoData, int demoOrders = 0, int demoCatalogProducts = 0, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (database.Provider == DatabaseProvider.Sqlite)
        {
            // WAL lets readers proceed while one writer commits; the setting is stored in the file.
            await db.Database.OpenConnectionAsync(ct);
            await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;", ct);
        }
        // MigrateAsync checks for the history table itself; asking for pending migrations first would
        // query a table a new PostgreSQL database does not have yet and log a needless error.
        var started = clock.GetTimestamp();
        await db.Database.MigrateAsync(ct);
        logger.LogInformation("Database schema up to date on {Provider} ({Migrations} migrations) in {Elapsed} ms",
            database.Provider, db.Database.GetMigrations().Count(), (long)clock.GetElapsedTime(started).TotalMilliseconds);
        if (!seedDemoData) return;
        await DemoData.SeedAsync(db, clock, logger, ct);
        await DemoData.PadCatalogAsync(db, demoCatalogProducts, clock, logger, ct);
        await DemoData.SeedOrderHistoryAsync(db, demoOrders, pricing.Value.TaxRateFor, clock, logger, ct);
    }
}
