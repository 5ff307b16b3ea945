using Microsoft.Extensions.Diagnostics.HealthChecks;
using QCommerce.Core.Data;

namespace QCommerce.Core.Ops;

/// <summary>Ready only while the database answers a query within <see cref="OperationsOptions.DatabaseTimeout"/>.</summary>
public sealed class DatabaseReadiness(IDbContextFactory<QCommerceDbContext> contexts, IOptions<OperationsOptions> options) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(options.Value.DatabaseTimeout);
        try
        {
            await using var db = await contexts.CreateDbContextAsync(timeout.Token);
            await db.Stores.AsNoTracking().AnyAsync(timeout.Token);
            return SqliteFileProblem(db) is { } problem ? HealthCheckResult.Unhealthy(problem) : HealthCheckResult.Healthy();
        }
        catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
        {
            // A new connection to a deleted SQLite file makes an empty one and fails on it ("no such table"): the cause
            // an operator needs is the file gone, not the query.
            await using (var db = await contexts.CreateDbContextAsync(CancellationToken.None))
                if (ex is not OperationCanceledException && SqliteFileProblem(db) is { } problem) return HealthCheckResult.Unhealthy(problem);
            return HealthCheckResult.Unhealthy(ex is OperationCanceledException
                ? $"The database did not answer within {options.Value.DatabaseTimeout.TotalSeconds:0.#} s"
                : $"The database cannot be read: {ex.GetType().Name}");
        }
    }

    /// <summary>
    /// SQLite's file gone or not writable: pooled connections still read (a deleted file lives on while open, and its
    /// writes are lost at the next start), but the shop cannot take an order that will last.
    /// </summary>
    private static string? SqliteFileProblem(QCommerceDbContext db)
    {
        if (!db.Database.IsSqlite()) return null;
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(db.Database.GetConnectionString()).DataSource;
        if (string.IsNullOrEmpty(file) || file == ":memory:") return null;
        // Looked at, never opened: closing any handle this process has on the file drops SQLite's POSIX locks on it
        // (its documentation warns of exactly this), and the next query fails with "disk I/O error".
        var info = new FileInfo(file);
        if (!info.Exists || OpenButDeleted(info.FullName)) return "The SQLite database file is gone";
        return info.IsReadOnly ? "The SQLite database file cannot be written" : null;
    }

    /// <summary>
    /// Whether this process still holds the file it opened under that name after it was deleted: a connection opened since
    /// then (a background job's) made a new, empty file of the same name, so the name alone looks fine. Linux says so in
    /// /proc/self/fd ("… (deleted)"); elsewhere the name is all there is to look at.
    /// </summary>
    private static bool OpenButDeleted(string path)
    {
        if (!OperatingSystem.IsLinux()) return false;
        try
        {
            var deleted = path + " (deleted)";
            return new DirectoryInfo("/proc/self/fd").EnumerateFileSystemInfos().Any(fd => fd.LinkTarget == deleted);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return false;
        }
    }
}

/// <summary>
/// Ready only while the outbox delivers: its oldest undelivered message is younger than <see cref="OperationsOptions.OutboxMaxAge"/>.
/// A message older than that means a handler keeps failing (its retries back off up to five minutes apart) or no dispatcher runs.
/// </summary>
public sealed class OutboxReadiness(IDbContextFactory<QCommerceDbContext> contexts, IOptions<OperationsOptions> options, TimeProvider clock) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken ct = default)
    {
        DateTime? oldestAt;
        string? oldestType;
        try
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var row = await db.OutboxMessages.AsNoTracking().Where(m => m.ProcessedAtUtc == null)
                .OrderBy(m => m.Id).Select(m => new { m.OccurredAtUtc, m.Type }).FirstOrDefaultAsync(ct);
            (oldestAt, oldestType) = (row?.OccurredAtUtc, row?.Type);
        }
        catch (Exception ex) when (!ct.IsCancellationRequested)
        {
            // The database check says why; the answer is public, so no database error text goes into it.
            return HealthCheckResult.Unhealthy($"The outbox cannot be read: {ex.GetType().Name}");
        }
        var oldest = oldestAt is { } at ? new { OccurredAtUtc = at, Type = oldestType! } : null;
        if (oldest is null) return HealthCheckResult.Healthy("No message waits");
        var age = clock.UtcNow() - oldest.OccurredAtUtc;
        return age <= options.Value.OutboxMaxAge
            ? HealthCheckResult.Healthy($"The oldest message waits {age.TotalSeconds:0} s")
            : HealthCheckResult.Unhealthy($"A {oldest.Type} message waits {age.TotalMinutes:0.#} min (more than {options.Value.OutboxMaxAge.TotalMinutes:0.#}); the ops portal's Outbox page says why");
    }
}
