using Microsoft.EntityFrameworkCore;
using Microsoft.Extensions.Logging;

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
        var pending = (await db.Database.GetPendingMigrationsAsync(ct)).ToList();
        if (pending.Count > 0)
        {
            logger.LogInformation("Applying {Count} migration(s) on {Provider}: {Migrations}", pending.Count, database.Provider, string.Join(", ", pending));
            await db.Database.MigrateAsync(ct);
        }
        if (seedDemoData) await DemoData.SeedAsync(db, clock, logger, ct);
    }
}
