using System.Data.Common;
using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>
/// This instance's <see cref="CatalogSnapshot"/> (architecture §6: hot reads from memory). A read gets the snapshot in hand
/// unless it is out of date, and then waits for the one refresh all readers share. A refresh reads the
/// <see cref="CatalogChange"/> lines after the snapshot's and reads again only the rows they name (milliseconds, whatever
/// the catalog's size); the catalog is read whole at start-up, after an import's thousands of lines, and when an
/// instance has not looked for hours. The snapshot is out of date when:
/// <list type="bullet">
/// <item>a save on this instance changed the catalog (<see cref="CatalogChangeSignal"/>, raised at its commit);</item>
/// <item>a price it holds has started or ended (a scheduled change takes effect at its moment, with no restart);</item>
/// <item>another instance changed it: at most every <see cref="CheckEvery"/> while reads come, one read of the change
/// log's new lines says so (and none while no one reads).</item>
/// </list>
/// Checkout and payment never use it: they read what they commit to.
/// </summary>
public sealed class CatalogSnapshots(IDbContextFactory<QCommerceDbContext> contexts, CatalogChangeSignal signal, TimeProvider clock,
    ILogger<CatalogSnapshots> logger)
{
    /// <summary>A tenth of a second, so another instance's change is seen within about that.</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(100);

    /// <summary>More lines than this at once (an import) and the catalog is read whole instead.</summary>
    internal const int MostLinesApplied = 2000;

    private static readonly TimeSpan PurgeEvery = TimeSpan.FromHours(1);

    private readonly Lock _gate = new();
    private DateTime _lastReadUtc, _lastPurgeUtc;
    private volatile CatalogSnapshot? _current;
    private long _checkedAt;
    private Task<CatalogSnapshot>? _refresh;

    public ValueTask<CatalogSnapshot> GetAsync(CancellationToken ct = default)
    {
        var current = _current;
        var localChanges = signal.Count;
        if (current is not null && current.LocalChanges == localChanges
            && !(current.PricesChangeAtUtc <= clock.UtcNow())
            && clock.GetElapsedTime(Interlocked.Read(ref _checkedAt)) < CheckEvery)
            return ValueTask.FromResult(current);
        return new ValueTask<CatalogSnapshot>(RefreshAsync(localChanges, ct));
    }

    /// <summary>
    /// Waits for a reload that has seen every local commit signalled before this read began: one already running may
    /// have read the rows before the reader's own commit (read your own writes), and then the next one is waited for.
    /// </summary>
    private async Task<CatalogSnapshot> RefreshAsync(long localChanges, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            Task<CatalogSnapshot> refresh;
            lock (_gate)
            {
                if (_refresh is null || _refresh.IsCompleted) _refresh = Task.Run(() => CheckOrLoadAsync(_current));
                refresh = _refresh;
            }
            var snapshot = await refresh.WaitAsync(ct); // one reader giving up does not stop the reload the others wait for
            // A snapshot older than the reader's commit only comes back twice running when the database is away (then
            // the one in hand is served, as CheckOrLoadAsync logs).
            if (snapshot.LocalChanges >= localChanges || attempt >= 2) return snapshot;
        }
    }

    private async Task<CatalogSnapshot> CheckOrLoadAsync(CatalogSnapshot? current)
    {
        var localChanges = signal.Count; // read first: a commit signalled after this makes the next read look again
        var checkedAt = clock.GetTimestamp();
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            var now = clock.UtcNow();
            CatalogSnapshot next;
            if (current is null || now - _lastReadUtc > CatalogChange.KeptFor / 2) next = await LoadWholeAsync(db, localChanges, now);
            else
            {
                try
                {
                    next = await CatchUpAsync(db, current, localChanges, now);
                }
                catch (Exception ex) when (ex is not (DbException or TimeoutException))
                {
                    // A change that cannot be applied must not leave this instance behind for hours: read it all again.
                    logger.LogError(ex, "Could not apply catalog changes after {ChangeId}; reading the catalog whole", current.ChangeId);
                    next = await LoadWholeAsync(db, localChanges, now);
                }
            }
            _lastReadUtc = now;
            _current = next;
            Interlocked.Exchange(ref _checkedAt, checkedAt);
            if (now - _lastPurgeUtc > PurgeEvery) await PurgeAsync(db, now);
            return next;
        }
        catch (Exception ex) when (current is not null)
        {
            // The database is away: shoppers keep the catalog they had, and the next check is a moment away.
            logger.LogWarning(ex, "Could not refresh the catalog snapshot; serving the one loaded at {LoadedAt:o}", current.LoadedAtUtc);
            Interlocked.Exchange(ref _checkedAt, checkedAt);
            return current;
        }
    }

    /// <summary>
    /// The change log's lines after the snapshot's, applied to it: only the rows they name are read again, with the
    /// prices that have started or ended since. Too many lines at once (an import) and the catalog is read whole.
    /// </summary>
    private async Task<CatalogSnapshot> CatchUpAsync(QCommerceDbContext db, CatalogSnapshot current, long localChanges, DateTime now)
    {
        // The revision first, then the lines after the snapshot's, each with the revision as that statement saw it. A
        // save of this version writes its lines with the revision in one transaction, so a revision changed since the
        // snapshot's with no line after it can only be a writer that keeps no log.
        var after = current.ChangeId;
        var stampBefore = await db.CatalogRevisions.AsNoTracking().Where(r => r.Id == CatalogRevision.TheRow).Select(r => r.Stamp).SingleAsync();
        var read = await db.CatalogChanges.AsNoTracking().Where(c => c.Id > after).OrderBy(c => c.Id).Take(MostLinesApplied + 1)
            .Select(c => new { Line = c, Stamp = db.CatalogRevisions.Where(r => r.Id == CatalogRevision.TheRow).Select(r => r.Stamp).First() })
            .ToListAsync();
        var lines = read.Select(r => r.Line).ToList();
        var stamp = read.Count > 0 ? read[^1].Stamp : stampBefore;
        var due = current.PricesChangeAtUtc <= now ? current.DuePrices(now) : [];
        if (lines.Count == 0 && due.Count == 0)
        {
            if (stamp == current.Stamp)
            {
                current.Acknowledge(localChanges);
                return current;
            }
            // The catalog changed and the log says nothing: a writer that keeps no log (an older version of the app,
            // during a rolling deploy) changed it.
            logger.LogInformation("The catalog changed with no change lines (an older instance?); reading it whole");
            return await LoadWholeAsync(db, localChanges, now);
        }
        if (lines.Count > MostLinesApplied || lines.Any(l => l.IsEverything)) return await LoadWholeAsync(db, localChanges, now);
        var started = clock.GetTimestamp();
        var delta = await CatalogLoading.LoadDeltaAsync(db, lines, due, now, CancellationToken.None);
        var next = current.With(lines.Count > 0 ? lines[^1].Id : current.ChangeId, stamp, localChanges, now, delta);
        logger.LogDebug("Catalog snapshot brought up to change {ChangeId}: {Lines} change(s), {Due} price(s) starting or ending, {Work}, lists {Lists}, in {Elapsed:0.0} ms",
            next.ChangeId, lines.Count, due.Count, next.Work, next.ListWork, clock.GetElapsedTime(started).TotalMilliseconds);
        return next;
    }

    private async Task<CatalogSnapshot> LoadWholeAsync(QCommerceDbContext db, long localChanges, DateTime now)
    {
        var started = clock.GetTimestamp();
        // The revision and the last line are read before the rows: a change committed in between is applied again on
        // top, which is harmless.
        var read = await db.CatalogRevisions.AsNoTracking().Where(r => r.Id == CatalogRevision.TheRow)
            .Select(r => new { r.Stamp, Last = db.CatalogChanges.Max(c => (long?)c.Id) }).SingleAsync();
        var parts = await CatalogLoading.LoadAllAsync(db, now, CancellationToken.None);
        var snapshot = CatalogSnapshot.Whole(read.Last ?? 0, read.Stamp, localChanges, now, parts);
        logger.LogInformation("Catalog snapshot loaded: {Products} products, {Skus} SKUs, {Prices} prices in force, in {Elapsed:0} ms; next price change {NextChange}",
            parts.Products.Count, parts.Skus.Count, parts.Prices.Count, clock.GetElapsedTime(started).TotalMilliseconds,
            snapshot.PricesChangeAtUtc?.ToString("o") ?? "none scheduled");
        return snapshot;
    }

    /// <summary>Deletes change lines older than <see cref="CatalogChange.KeptFor"/> (every instance may; it is idempotent).</summary>
    private async Task PurgeAsync(QCommerceDbContext db, DateTime now)
    {
        _lastPurgeUtc = now;
        var before = now - CatalogChange.KeptFor;
        try
        {
            var purged = await db.CatalogChanges.Where(c => c.RecordedAtUtc < before).ExecuteDeleteAsync();
            if (purged > 0) logger.LogInformation("Purged {Lines} catalog change line(s) older than {Before:o}", purged, before);
        }
        catch (Exception ex) when (ex is DbException or TimeoutException)
        {
            logger.LogWarning(ex, "Could not purge catalog change lines older than {Before:o}; trying again in an hour", before); // the snapshot is fine
        }
    }
}
