using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;

namespace QCommerce.Core.Data;

public enum DatabaseProvider
{
    Sqlite,
    Postgres,
}

public static class DataServiceCollectionExtensions
{
    /// <summary>The SQLite file the embedded default uses, relative to the content root.</summary>
    public const string DefaultSqliteConnectionString = "Data Source=data/qcommerce.db";

    /// <summary>
    /// Registers the pooled <see cref="IDbContextFactory{QCommerceDbContext}"/> for the provider named by
    /// <c>Database:Provider</c> (SQLite unless it says Postgres), plus a scoped context for Identity's stores.
    /// </summary>
    public static IServiceCollection AddQCommerceData(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        var provider = ReadProvider(configuration);
        services.AddSingleton(new DatabaseInfo(provider));
        // A list in a query (ids.Contains(x.Id)) is sent as one parameter: an array on PostgreSQL (= ANY), a JSON array on
        // SQLite (json_each). So a query's SQL is the same however long the list (EF's default writes one parameter per item
        // and builds the SQL again for each length: CPU on the order path), and no list meets SQLite's limit on parameters.
        switch (provider)
        {
            case DatabaseProvider.Postgres:
                var pg = configuration.GetConnectionString("Postgres");
                if (string.IsNullOrWhiteSpace(pg))
                    throw new InvalidOperationException("Database:Provider is Postgres but ConnectionStrings:Postgres is empty.");
                var dataSource = PostgresDataSource(pg);
                services.AddSingleton(_ => dataSource); // made by a factory, so the container disposes it with the app: its pool closes
                services.AddPooledDbContextFactory<PostgresQCommerceDbContext>((sp, o) => WithInterceptors(sp, o.UseNpgsql(dataSource, x => x.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery).UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)).ConfigureWarnings(QuietExpectedFailures)));
                services.AddSingleton<IDbContextFactory<QCommerceDbContext>, ContextFactory<PostgresQCommerceDbContext>>();
                break;
            default:
                var sqlite = SqliteConnectionString(configuration.GetConnectionString("Sqlite"), contentRoot);
                services.AddPooledDbContextFactory<SqliteQCommerceDbContext>((sp, o) => WithInterceptors(sp, o.UseSqlite(sqlite, x => x.UseQuerySplittingBehavior(QuerySplittingBehavior.SingleQuery).UseParameterizedCollectionMode(ParameterTranslationMode.Parameter)).AddInterceptors(SqliteConnectionSettings.Instance).ConfigureWarnings(QuietExpectedFailures)));
                services.AddSingleton<IDbContextFactory<QCommerceDbContext>, ContextFactory<SqliteQCommerceDbContext>>();
                // Part of the file's settings (SqliteConnectionSettings leaves checkpoints to it), so it comes with them, not with the jobs.
                services.AddSingleton(sp => new SqliteCheckpointer(sqlite, sp.GetRequiredService<ILogger<SqliteCheckpointer>>()));
                services.AddHostedService(sp => sp.GetRequiredService<SqliteCheckpointer>());
                break;
        }
        services.AddScoped(sp => sp.GetRequiredService<IDbContextFactory<QCommerceDbContext>>().CreateDbContext());
        services.AddSingleton<Common.IDatabaseContexts, DatabaseContexts>();
        services.AddTransient<DatabaseInitializer>();
        return services;
    }

    /// <summary>
    /// A failed command is not by itself an error: races that a unique index settles on purpose (two
    /// requests with one idempotency key, two instances creating the same delivery slot) and the
    /// migrator's probe of a new database all fail a command and carry on; so does the rollback of a
    /// request whose client hung up mid-transaction. What really fails propagates as an exception
    /// and is logged where it is handled, with its context.
    /// </summary>
    private static void QuietExpectedFailures(Microsoft.EntityFrameworkCore.Diagnostics.WarningsConfigurationBuilder w) =>
        w.Log((Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.CommandError, Microsoft.Extensions.Logging.LogLevel.Debug),
              (Microsoft.EntityFrameworkCore.Diagnostics.RelationalEventId.TransactionError, Microsoft.Extensions.Logging.LogLevel.Debug),
              (Microsoft.EntityFrameworkCore.Diagnostics.CoreEventId.SaveChangesFailed, Microsoft.Extensions.Logging.LogLevel.Debug));

    /// <summary>
    /// The interceptors registered as services join every context: Common's change feed (each committed save of an
    /// order or payment reaches this instance's live pages), the catalog's revision stamp, the stock cache, and whatever a
    /// host adds (a test's query counter). Common's commit hooks run what waits for a commit.
    /// </summary>
    private static void WithInterceptors(IServiceProvider services, DbContextOptionsBuilder options) =>
        options.AddInterceptors([Common.CommitHooks.Instance, .. services.GetServices<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>()]);

    /// <summary>
    /// One pooled data source for the app. Statements run often (every hot read and write) are prepared on the server
    /// once per connection and then only executed (auto-prepare); a connection back in the pool is not reset, since we
    /// keep no session state, so its prepared statements survive. The configured string may say otherwise.
    /// </summary>
    public static Npgsql.NpgsqlDataSource PostgresDataSource(string connectionString)
    {
        var settings = new Npgsql.NpgsqlConnectionStringBuilder(connectionString);
        if (!connectionString.Contains("Max Auto Prepare", StringComparison.OrdinalIgnoreCase)) settings.MaxAutoPrepare = 64;
        if (!connectionString.Contains("Auto Prepare Min Usages", StringComparison.OrdinalIgnoreCase)) settings.AutoPrepareMinUsages = 2;
        if (!connectionString.Contains("No Reset On Close", StringComparison.OrdinalIgnoreCase)) settings.NoResetOnClose = true;
        return new Npgsql.NpgsqlDataSourceBuilder(settings.ConnectionString).Build();
    }

    public static DatabaseProvider ReadProvider(IConfiguration configuration) =>
        configuration["Database:Provider"] switch
        {
            null or "" => DatabaseProvider.Sqlite,
            var p when p.Equals("Sqlite", StringComparison.OrdinalIgnoreCase) => DatabaseProvider.Sqlite,
            var p when p.Equals("Postgres", StringComparison.OrdinalIgnoreCase) || p.Equals("PostgreSQL", StringComparison.OrdinalIgnoreCase) => DatabaseProvider.Postgres,
            var p => throw new InvalidOperationException($"Database:Provider '{p}' is not known; use Sqlite or Postgres."),
        };

    /// <summary>
    /// A relative SQLite path is taken from the content root (so the file lands in the app's own
    /// <c>data/</c>), its folder is created, and a short busy timeout keeps writers from queueing forever.
    /// </summary>
    public static string SqliteConnectionString(string? configured, string contentRoot)
    {
        var builder = new SqliteConnectionStringBuilder(string.IsNullOrWhiteSpace(configured) ? DefaultSqliteConnectionString : configured);
        if (builder.DataSource != ":memory:" && !Path.IsPathRooted(builder.DataSource))
            builder.DataSource = Path.GetFullPath(Path.Combine(contentRoot, builder.DataSource));
        if (Path.GetDirectoryName(builder.DataSource) is { Length: > 0 } folder) Directory.CreateDirectory(folder);
        builder.ForeignKeys = true;
        if (configured is null || !configured.Contains("Timeout", StringComparison.OrdinalIgnoreCase))
            builder.DefaultTimeout = 5; // seconds; Microsoft.Data.Sqlite also uses it as sqlite3_busy_timeout
        builder.Pooling = true;
        return builder.ToString();
    }

    private sealed class ContextFactory<TProvider>(IDbContextFactory<TProvider> inner) : IDbContextFactory<QCommerceDbContext>
        where TProvider : QCommerceDbContext
    {
        public QCommerceDbContext CreateDbContext() => inner.CreateDbContext();

        public async Task<QCommerceDbContext> CreateDbContextAsync(CancellationToken cancellationToken = default) =>
            await inner.CreateDbContextAsync(cancellationToken);
    }
}

/// <summary>The one database for Common's outbox and idempotency, which know it only as a <see cref="DbContext"/>.</summary>
public sealed class DatabaseContexts(IDbContextFactory<QCommerceDbContext> contexts) : Common.IDatabaseContexts
{
    public async Task<DbContext> CreateAsync(CancellationToken ct) => await contexts.CreateDbContextAsync(ct);
}

/// <summary>Which database this process talks to, for the few queries that differ (full-text search).</summary>
public sealed record DatabaseInfo(DatabaseProvider Provider);
