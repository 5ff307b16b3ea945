using Microsoft.Data.Sqlite;
using Npgsql;

namespace QCommerce.Core.Data;

/// <summary>
/// One instance at a time through start-up's writes (migrations, the demo seed, the first admin):
/// several instances started together on an empty database would otherwise each find it empty and
/// seed it twice (a duplicate category slug crashes the second). PostgreSQL: a session advisory lock
/// on a connection of its own; SQLite: an exclusive lock on a file beside the database.
/// </summary>
public sealed class StartupLock : IAsyncDisposable
{
    /// <summary>Any number, the same in every instance: "QCommerce start-up".</summary>
    private const long AdvisoryKey = 0x5143_5354_4152_5455;

    private readonly NpgsqlConnection? _connection;
    private readonly FileStream? _file;

    private StartupLock(NpgsqlConnection? connection, FileStream? file)
    {
        _connection = connection;
        _file = file;
    }

    public static async Task<StartupLock> AcquireAsync(IDbContextFactory<QCommerceDbContext> contexts, DatabaseInfo database, TimeSpan timeout,
        CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var connectionString = db.Database.GetConnectionString()!;
        using var patience = CancellationTokenSource.CreateLinkedTokenSource(ct);
        patience.CancelAfter(timeout);
        try
        {
            return database.Provider == DatabaseProvider.Postgres
                ? new StartupLock(await LockPostgresAsync(connectionString, patience.Token), null)
                : new StartupLock(null, await LockFileAsync(connectionString, patience.Token));
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            throw new TimeoutException($"Another instance has held the start-up lock for more than {timeout.TotalSeconds:0} s; is one stuck migrating?");
        }
    }

    private static async Task<NpgsqlConnection> LockPostgresAsync(string connectionString, CancellationToken ct)
    {
        // Not pooled: a session lock must end with its session, even if this process dies holding it.
        var connection = new NpgsqlConnection(new NpgsqlConnectionStringBuilder(connectionString) { Pooling = false }.ConnectionString);
        await connection.OpenAsync(ct);
        await using var command = new NpgsqlCommand("SELECT pg_advisory_lock(@key)", connection);
        command.Parameters.AddWithValue("key", AdvisoryKey);
        await command.ExecuteNonQueryAsync(ct);
        return connection;
    }

    private static async Task<FileStream> LockFileAsync(string connectionString, CancellationToken ct)
    {
        var path = new SqliteConnectionStringBuilder(connectionString).DataSource + ".startup-lock";
        while (true)
        {
            try
            {
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                await Task.Delay(50, ct); // another instance holds it
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_connection is not null) await _connection.DisposeAsync();
        if (_file is not null) await _file.DisposeAsync();
    }
}
