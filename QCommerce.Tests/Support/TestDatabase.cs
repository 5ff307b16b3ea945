using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace QCommerce.Tests.Support;

/// <summary>
/// A fresh, empty database of one provider for one test or fixture: a real SQLite file in a temp
/// folder, or a real database on the PostgreSQL server that ./test.sh starts (QC_TEST_POSTGRES).
/// </summary>
public sealed class TestDatabase : IAsyncDisposable
{
    private TestDatabase(DatabaseProvider provider, string connectionString, Func<Task> drop)
    {
        Provider = provider;
        ConnectionString = connectionString;
        _drop = drop;
    }

    private readonly Func<Task> _drop;

    public DatabaseProvider Provider { get; }
    public string ConnectionString { get; }

    /// <summary>Interceptors every context made from here carries: a test's way to force an interleaving (<see cref="ReadersMeet"/>).</summary>
    public List<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor> Interceptors { get; } = [];

    public static async Task<TestDatabase> CreateAsync(DatabaseProvider provider)
    {
        if (provider == DatabaseProvider.Sqlite)
        {
            var folder = Directory.CreateTempSubdirectory("qcommerce-test-");
            var cs = DataServiceCollectionExtensions.SqliteConnectionString($"Data Source={Path.Combine(folder.FullName, "qcommerce.db")}", folder.FullName);
            return new TestDatabase(provider, cs, () =>
            {
                SqliteConnection.ClearAllPools();
                folder.Delete(recursive: true);
                return Task.CompletedTask;
            });
        }

        var server = PostgresServer.ConnectionString;
        var name = "qc_" + Guid.NewGuid().ToString("N")[..16];
        await using (var admin = new NpgsqlConnection(server + ";Database=postgres"))
        {
            await admin.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", admin);
            await create.ExecuteNonQueryAsync();
        }
        return new TestDatabase(provider, $"{server};Database={name}", async () =>
        {
            NpgsqlConnection.ClearAllPools();
            await using var admin = new NpgsqlConnection(server + ";Database=postgres");
            await admin.OpenAsync();
            await using var drop = new NpgsqlCommand($"DROP DATABASE IF EXISTS \"{name}\" WITH (FORCE)", admin);
            await drop.ExecuteNonQueryAsync();
        });
    }

    /// <summary>The configuration the web host needs to use this database.</summary>
    public IEnumerable<KeyValuePair<string, string?>> Settings() =>
    [
        new("Database:Provider", Provider.ToString()),
        new(Provider == DatabaseProvider.Sqlite ? "ConnectionStrings:Sqlite" : "ConnectionStrings:Postgres", ConnectionString),
    ];

    /// <summary>
    /// A context for arranging and inspecting data directly, outside the app. Like every writer, it stamps the catalog
    /// revision when it changes the catalog, so a running app sees the change within a second.
    /// </summary>
    public QCommerceDbContext CreateContext() => Provider switch
    {
        DatabaseProvider.Postgres => new PostgresQCommerceDbContext(new DbContextOptionsBuilder<PostgresQCommerceDbContext>().UseNpgsql(ConnectionString)
            .AddInterceptors([CommitHooks.Instance, OutsideWriter, .. Interceptors]).Options),
        _ => new SqliteQCommerceDbContext(new DbContextOptionsBuilder<SqliteQCommerceDbContext>().UseSqlite(ConnectionString)
            .AddInterceptors([SqliteConnectionSettings.Instance, CommitHooks.Instance, OutsideWriter, .. Interceptors]).Options),
    };

    private static readonly QCommerce.Core.Catalog.CatalogChangeInterceptor OutsideWriter = new(null);

    public IDbContextFactory<QCommerceDbContext> ContextFactory() => new Factory(this);

    /// <summary>Migrates, and seeds the demo data unless told not to (with <paramref name="demoOrders"/> of order history, none by default).</summary>
    public async Task InitializeAsync(bool seed = true, TimeProvider? clock = null, int demoOrders = 0, ILogger<DatabaseInitializer>? logger = null)
    {
        var pricing = Microsoft.Extensions.Options.Options.Create(new QCommerce.Core.Promotions.PricingOptions
        {
            TaxRates = new(StringComparer.OrdinalIgnoreCase) { ["metro-north"] = 8.875m, ["metro-south"] = 8.5m },
        });
        var initializer = new DatabaseInitializer(ContextFactory(), new DatabaseInfo(Provider), clock ?? TimeProvider.System, pricing, logger ?? NullLogger<DatabaseInitializer>.Instance);
        await initializer.InitializeAsync(seed, demoOrders);
    }

    public async ValueTask DisposeAsync() => await _drop();

    private sealed class Factory(TestDatabase db) : IDbContextFactory<QCommerceDbContext>
    {
        public QCommerceDbContext CreateDbContext() => db.CreateContext();
    }
}

public static class PostgresServer
{
    /// <summary>The throwaway server ./test.sh starts; without it the PostgreSQL tests fail, they never skip.</summary>
    public static string ConnectionString =>
        Environment.GetEnvironmentVariable("QC_TEST_POSTGRES") is { Length: > 0 } cs
            ? cs
            : throw new InvalidOperationException("PostgreSQL tests need a server: run ./test.sh, which starts one and sets QC_TEST_POSTGRES.");
}
