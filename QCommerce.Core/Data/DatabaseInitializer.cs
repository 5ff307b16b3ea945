namespace QCommerce.Core.Data;

/// <summary>Brings the database to the latest migration and, when it has no stores yet, loads the demo data.</summary>
public sealed class DatabaseInitializer(IDbContextFactory<QCommerceDbContext> contexts, DatabaseInfo database,
    TimeProvider clock, ILogger<DatabaseInitializer> logger)
{
    public async Task InitializeAsync(bool seedDemoData, CancellationToken ct = default)
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
        if (seedDemoData) await DemoData.SeedAsync(db, clock, logger, ct);
    }
}
