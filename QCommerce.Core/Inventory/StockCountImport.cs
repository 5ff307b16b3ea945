using System.Diagnostics;
using System.Globalization;
using System.Text;
using QCommerce.Core.Data;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Inventory;

/// <summary>
/// Shelf counts in and out as CSV (<c>store,sku,counted</c>, and an optional <c>note</c>): each row says how many units of a
/// SKU a store counted, and applying turns every difference to the books into a count-correction movement. A preview
/// checks every row (a store that is not the staff member's, an unknown SKU, a count that is not a whole number of units,
/// a row twice, a count below what open orders have reserved); applying saves nothing when any row has a problem, and
/// otherwise saves the counts a thousand SKUs at a time with their stock rows locked (see <see cref="ApplyAsync"/>). A
/// count equal to the books is unchanged. The export gives
/// what the books say in the same columns (and some to read by), so a count sheet is an export filled in.
/// </summary>
public sealed class StockCountImport(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores, TimeProvider clock,
    ILogger<StockCountImport> logger)
{
    private static readonly string[] Required = ["store", "sku", "counted"];
    private static readonly string[] Optional = ["note"];
    public const string DefaultNote = "Stock count import";

    /// <param name="onlyStoreId">When given, every row must be of this store (the page's or the URL's choice).</param>
    public Task<ImportReport> PreviewAsync(StaffActor staff, string csv, int? onlyStoreId = null, CancellationToken ct = default) =>
        RunAsync(staff, csv, onlyStoreId, apply: false, ct);

    public Task<ImportReport> ApplyAsync(StaffActor staff, string csv, int? onlyStoreId = null, CancellationToken ct = default) =>
        RunAsync(staff, csv, onlyStoreId, apply: true, ct);

    private sealed record Count(int Row, int StoreId, int SkuId, int Counted, string? Note);

    private async Task<ImportReport> RunAsync(StaffActor staff, string csv, int? onlyStoreId, bool apply, CancellationToken ct)
    {
        if (onlyStoreId is { } only && (!staff.CanSee(only) || await stores.FindAsync(only, ct) is null))
            throw new NotFoundException("Store", PublicId.Format(PublicId.Store, only));
        var started = Stopwatch.GetTimestamp();
        var (records, at, unreadable) = CsvImport.Open(csv, Required, Optional);
        if (unreadable is not null) return unreadable;
        var problems = new List<ImportProblem>();

        var known = (await stores.ListAsync(ct)).Select(s => s.Id).ToHashSet();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var skus = (await db.Skus.AsNoTracking().Select(s => s.Id).ToListAsync(ct)).ToHashSet();
        var counts = new List<Count>();
        var seen = new Dictionary<(int, int), int>();
        foreach (var record in records)
        {
            var before = problems.Count;
            void Problem(string column, string message) => problems.Add(new ImportProblem(record.Row, column, message));
            var storeText = CsvImport.Value(record, at, "store");
            if (!PublicId.TryParse(PublicId.Store, storeText, out var storeId) || !known.Contains(storeId) || !staff.CanSee(storeId))
                Problem("store", storeText.Length == 0 ? "The store id is missing (st_1)." : $"'{TextRules.Excerpt(storeText)}' is not one of your stores.");
            else if (onlyStoreId is { } one && storeId != one)
                Problem("store", $"This import is for {PublicId.Format(PublicId.Store, one)}; the row is for {storeText}.");
            var skuText = CsvImport.Value(record, at, "sku");
            if (!PublicId.TryParse(PublicId.Sku, skuText, out var skuId))
                Problem("sku", skuText.Length == 0 ? "The SKU id is missing (sku_12)." : $"'{TextRules.Excerpt(skuText)}' is not a SKU id (sku_12).");
            else if (!skus.Contains(skuId)) Problem("sku", $"There is no SKU {skuText}.");
            var countedText = CsvImport.Value(record, at, "counted");
            if (!int.TryParse(countedText, NumberStyles.None, CultureInfo.InvariantCulture, out var counted) || counted > StockLevel.MaxUnits)
                Problem("counted", countedText.Length == 0 ? "Say how many units were counted (0 when none)."
                    : $"'{TextRules.Excerpt(countedText)}' is not a count of units: a whole number from 0 to {StockLevel.MaxUnits:N0}.");
            var note = CsvImport.Value(record, at, "note");
            if (TextRules.Problem(note, StockAdjustmentService.MaxNoteLength, "A note") is { } noteProblem) Problem("note", noteProblem);
            if (problems.Count > before) continue;
            if (seen.TryGetValue((storeId, skuId), out var firstRow))
            {
                Problem("sku", $"Row {firstRow} already counts {skuText} in {storeText}; keep one of the two rows.");
                continue;
            }
            seen[(storeId, skuId)] = record.Row;
            counts.Add(new Count(record.Row, storeId, skuId, counted, note.Length == 0 ? null : note));
        }
        if (problems.Count > 0 || counts.Count == 0)
            return Report(staff, apply, records.Count, 0, 0, problems, false, started);

        var now = clock.UtcNow();
        // Checked first without holding anything (the preview is exactly this); applied only when no row has a problem.
        var (changes, unchanged) = (0, 0);
        foreach (var part in Chunks(counts))
        {
            var checkedPart = await CountPartAsync(db, staff, part, apply: false, problems, now, ct);
            (changes, unchanged) = (changes + checkedPart.Changes, unchanged + checkedPart.Unchanged);
        }
        var applied = false;
        if (apply && problems.Count == 0 && changes > 0)
        {
            await ApplyAsync(staff, counts, now, ct);
            applied = true;
        }
        return Report(staff, apply, records.Count, changes, unchanged, problems, applied, started);
    }

    /// <summary>SKUs of one store counted per transaction: each holds its stock rows (and on SQLite the write lock) briefly.</summary>
    internal const int ChunkSize = 1_000;

    private static IEnumerable<Count[]> Chunks(List<Count> counts) =>
        counts.GroupBy(c => c.StoreId).SelectMany(store => store.Chunk(ChunkSize));

    /// <summary>
    /// Saves the counts a chunk at a time, each in a transaction of its own that holds its stock rows (PostgreSQL: those
    /// rows only, so checkout waits for a chunk only if it takes one of them; SQLite: the turn at <see cref="SqliteWriteGate"/>,
    /// so orders come in between chunks). A chunk checks its rows again under the lock: should an order have reserved more
    /// since the check (a count would fall below it), the chunks before it stay saved and the import says so.
    /// </summary>
    private async Task ApplyAsync(StaffActor staff, List<Count> counts, DateTime now, CancellationToken ct)
    {
        var saved = 0;
        var held = TimeSpan.Zero;
        var corrected = new Dictionary<int, int>();
        foreach (var part in Chunks(counts))
        {
            var storeId = part[0].StoreId;
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (saved > 0) await SqliteWriteGate.PaceAsync(db, held, ct);
            var started = Stopwatch.GetTimestamp();
            using var turn = await SqliteWriteGate.EnterAsync(db, ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var problems = new List<ImportProblem>();
            var done = await CountPartAsync(db, staff, part, apply: true, problems, now, ct);
            if (problems.Count > 0)
                throw new ConflictException($"Orders reserved stock while the counts were being applied ({problems[0].Message}): {saved} of {counts.Count} rows "
                    + "were applied. Preview and import the file again.");
            corrected[storeId] = corrected.GetValueOrDefault(storeId) + done.Changed.Count;
            // One audit row a store, written with the store's last chunk.
            if (part[^1] == counts.Last(c => c.StoreId == storeId) && corrected[storeId] > 0)
                Audit.Record(db, staff, AuditActions.StockImport, "store", PublicId.Format(PublicId.Store, storeId), storeId, null,
                    new { rows = counts.Count(c => c.StoreId == storeId), corrected = corrected[storeId] }, null, now);
            await db.SaveChangesAsync(ct);
            await LowStock.RefreshAsync(db, storeId, done.Changed, now, ct);
            StockCache.Changed(db, storeId, done.Changed);
            await tx.CommitAsync(ct);
            saved += part.Length;
            held = Stopwatch.GetElapsedTime(started);
        }
    }

    /// <summary>
    /// One store's counts against its books: the problems (a count below what is reserved), what changes and what does
    /// not; applying, the new levels and their count-correction movements on <paramref name="db"/> (saved by the caller).
    /// </summary>
    private static async Task<(int Changes, int Unchanged, List<int> Changed)> CountPartAsync(QCommerceDbContext db, StaffActor staff, Count[] part,
        bool apply, List<ImportProblem> problems, DateTime now, CancellationToken ct)
    {
        var storeId = part[0].StoreId;
        var skuIds = part.Select(c => c.SkuId).ToList();
        // Orders reserve and commit while we count: the rows are held until we commit (SQLite's transaction holds the
        // write lock from its start; PostgreSQL is asked for the rows themselves).
        if (apply && db.Database.IsNpgsql())
            await db.Database.ExecuteSqlInterpolatedAsync($"SELECT 1 FROM \"Stock\" WHERE \"StoreId\" = {storeId} AND \"SkuId\" = ANY({skuIds.ToArray()}) FOR UPDATE", ct);
        var levels = apply
            ? await db.Stock.Where(s => s.StoreId == storeId && skuIds.Contains(s.SkuId)).ToDictionaryAsync(s => s.SkuId, ct)
            : await db.Stock.AsNoTracking().Where(s => s.StoreId == storeId && skuIds.Contains(s.SkuId)).ToDictionaryAsync(s => s.SkuId, ct);
        var (changes, unchanged, changed) = (0, 0, new List<int>());
        foreach (var count in part)
        {
            var level = levels.GetValueOrDefault(count.SkuId);
            var (onHand, reserved) = level is null ? (0, 0) : (level.OnHand, level.Reserved);
            if (count.Counted < reserved)
            {
                problems.Add(new ImportProblem(count.Row, "counted",
                    $"{reserved} are reserved for open orders in {PublicId.Format(PublicId.Store, storeId)}; a count cannot be below that. Pick or cancel those orders first."));
                continue;
            }
            if (count.Counted == onHand && level is not null) { unchanged++; continue; }
            changes++;
            if (!apply) continue;
            if (level is null)
            {
                level = new StockLevel(storeId, count.SkuId, 0, StockAdjustmentService.DefaultLowStockThreshold);
                db.Stock.Add(level);
            }
            level.Count(count.Counted);
            changed.Add(count.SkuId);
            db.StockMovements.Add(new StockMovement(storeId, count.SkuId, StockMovementKind.CountCorrection, count.Counted - onHand, null, staff.Label,
                count.Note ?? DefaultNote, now));
        }
        return (changes, unchanged, changed);
    }

    private ImportReport Report(StaffActor staff, bool apply, int rows, int changes, int unchanged, List<ImportProblem> problems, bool applied, long started)
    {
        logger.LogInformation("Stock count import {Mode} by {StaffId}: {Rows} rows, {Changes} corrections, {Unchanged} unchanged, {Problems} problems, {Ms} ms",
            apply ? "apply" : "preview", staff.UserId, rows, changes, unchanged, problems.Count, (int)Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return new ImportReport(rows, changes, unchanged, problems.OrderBy(p => p.Row).ToList(), applied);
    }

    /// <summary>The books of the staff member's stores (or one), in the import's columns first: fill in <c>counted</c> and import it back.</summary>
    public async Task<string> ExportAsync(StaffActor staff, int? storeId, CancellationToken ct = default)
    {
        if (storeId is { } one && (!staff.CanSee(one) || await stores.FindAsync(one, ct) is null)) throw new NotFoundException("Store", PublicId.Format(PublicId.Store, one));
        await using var db = await contexts.CreateDbContextAsync(ct);
        var stock = db.Stock.AsNoTracking();
        if (storeId is { } s) stock = stock.Where(x => x.StoreId == s);
        if (staff.StoreIds is { } scope)
        {
            var visible = scope.ToList();
            stock = stock.Where(x => visible.Contains(x.StoreId));
        }
        var rows = await stock.Join(db.Skus, x => x.SkuId, k => k.Id, (x, k) => new { x, k.ProductId, k.Code, k.Barcode })
            .Join(db.Products, r => r.ProductId, p => p.Id, (r, p) => new
            {
                r.x.StoreId, r.x.SkuId, r.x.OnHand, r.x.Reserved, r.x.LowStockThreshold, r.x.ShelfLocation, r.Code, r.Barcode, p.Title,
            })
            .OrderBy(r => r.StoreId).ThenBy(r => r.SkuId).ToListAsync(ct);
        var text = new StringBuilder(rows.Count * 80);
        text.Append(CsvImport.Line("store", "sku", "counted", "reserved", "lowStockThreshold", "location", "code", "barcode", "title"));
        foreach (var r in rows)
            text.Append(CsvImport.Line(PublicId.Format(PublicId.Store, r.StoreId), PublicId.Format(PublicId.Sku, r.SkuId), Int(r.OnHand), Int(r.Reserved),
                Int(r.LowStockThreshold), r.ShelfLocation, r.Code, r.Barcode, r.Title));
        return text.ToString();
    }

    private static string Int(int value) => value.ToString(CultureInfo.InvariantCulture);
}
