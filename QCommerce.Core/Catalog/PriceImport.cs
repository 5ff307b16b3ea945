using System.Diagnostics;
using System.Globalization;
using System.Text;
using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>
/// A price list in and out as CSV (<c>sku,region,amount,currency,effectiveFrom,effectiveTo</c>: the SKU's id, the region's
/// code, the amount in minor units, ISO 8601 times in UTC or with an offset, an empty start meaning now). A preview checks
/// every row by the rules of <see cref="PriceRules"/> and against the file itself (a row twice) and the prices there are
/// (the same start at another amount); applying saves nothing when any row has a problem, and otherwise saves every new
/// price (in chunks on SQLite, so orders are not held up: see <see cref="SaveAsync"/>).
/// A row equal to a price that exists (as an export gives back) is unchanged. One audit row says what an import did.
/// </summary>
public sealed class PriceImport(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock, ILogger<PriceImport> logger)
{
    private static readonly string[] Required = ["sku", "region", "amount", "currency"];
    private static readonly string[] Optional = ["effectiveFrom", "effectiveTo"];

    public Task<ImportReport> PreviewAsync(StaffActor staff, string csv, CancellationToken ct = default) => RunAsync(staff, csv, apply: false, ct);

    public Task<ImportReport> ApplyAsync(StaffActor staff, string csv, CancellationToken ct = default) => RunAsync(staff, csv, apply: true, ct);

    private async Task<ImportReport> RunAsync(StaffActor staff, string csv, bool apply, CancellationToken ct)
    {
        PriceService.RequireCatalogWide(staff);
        var started = Stopwatch.GetTimestamp();
        var (records, at, unreadable) = CsvImport.Open(csv, Required, Optional);
        if (unreadable is not null) return unreadable;
        var problems = new List<ImportProblem>();

        var now = clock.UtcNow();
        // Checked without a write transaction: on SQLite one would hold the database's only write lock while 50,000 rows are
        // read and checked, and every order placed meanwhile would wait for it, then fail.
        await using var db = await contexts.CreateDbContextAsync(ct);
        var regions = await db.Regions.AsNoTracking().ToDictionaryAsync(r => r.Code, StringComparer.OrdinalIgnoreCase, ct);
        var skus = (await db.Skus.AsNoTracking().Select(s => s.Id).ToListAsync(ct)).ToHashSet();
        // The prices that can still matter (not over): an identical row is unchanged, the same start at another amount a conflict.
        var existing = (await db.Prices.AsNoTracking().Where(p => p.EffectiveToUtc == null || p.EffectiveToUtc > now).ToListAsync(ct))
            .GroupBy(p => (p.SkuId, p.RegionId, p.EffectiveFromUtc)).ToDictionary(g => g.Key, g => g.First());
        var current = existing.Values.GroupBy(p => (p.SkuId, p.RegionId))
            .Select(g => Price.Resolve(g, g.Key.SkuId, g.Key.RegionId, now)).OfType<Price>().ToDictionary(p => (p.SkuId, p.RegionId));

        var seen = new Dictionary<(int, int, DateTime), int>();
        var adds = new List<Price>();
        var unchanged = 0;
        foreach (var record in records)
        {
            var before = problems.Count;
            void Problem(string column, string message) => problems.Add(new ImportProblem(record.Row, column, message));

            var skuText = CsvImport.Value(record, at, "sku");
            var skuParsed = PublicId.TryParse(PublicId.Sku, skuText, out var skuId);
            if (!skuParsed) Problem("sku", skuText.Length == 0 ? "The SKU id is missing (sku_12)." : $"'{TextRules.Excerpt(skuText)}' is not a SKU id (sku_12).");
            var amountText = CsvImport.Value(record, at, "amount");
            long? amount = long.TryParse(amountText, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var a) ? a : null;
            if (amount is null && amountText.Length > 0)
                Problem("amount", $"'{TextRules.Excerpt(amountText)}' is not a whole number of minor units (cents): $3.49 is 349.");
            var from = When(record, at, "effectiveFrom", Problem);
            var to = When(record, at, "effectiveTo", Problem);
            var regionText = CsvImport.Value(record, at, "region");
            var region = regions.GetValueOrDefault(regionText);
            var input = new PriceInput(skuId, regionText, CsvImport.Value(record, at, "currency"), amountText.Length == 0 ? null : amount ?? 1, from, to);
            PriceRules.Check(input, !skuParsed || skus.Contains(skuId), region, now, (column, message) =>
            {
                if (column == "effectiveFrom" && from is { } f && region is not null && skuParsed && existing.ContainsKey((skuId, region.Id, f)))
                    return; // an export's row of a price already in force: unchanged, or edited (then from now), not "in the past"
                if (!problems.Skip(before).Any(p => p.Column == column)) Problem(column, message); // one message per cell
            });
            if (problems.Count > before || region is null) continue;

            // As PriceService schedules: a later start on its minute, else the start given (an export's), else now; the end on its minute.
            var start = from is { } later && later > now ? PriceRules.Minute(later) : from ?? now;
            var end = PriceRules.Period(from, to, now).To;
            var key = (skuId, region.Id, start);
            if (seen.TryGetValue(key, out var firstRow))
            {
                Problem("sku", $"Row {firstRow} already prices {skuText} in {region.Code} from the same moment; keep one of the two rows.");
                continue;
            }
            seen[key] = record.Row;
            if (existing.TryGetValue(key, out var same))
            {
                if (same.AmountMinor == amount && same.EffectiveToUtc == end) { unchanged++; continue; }
                if (same.EffectiveFromUtc > now)
                {
                    Problem("effectiveFrom", $"A price of {same.Amount.Format()} already starts then for {skuText} in {region.Code}; withdraw it first, or start a minute later.");
                    continue;
                }
                start = now; // an exported row of a price in force, edited: the new amount applies from now
            }
            else if (from is null && current.TryGetValue((skuId, region.Id), out var inForce) && inForce.AmountMinor == amount && inForce.EffectiveToUtc == end)
            {
                unchanged++; // "this price from now" when it is the price now
                continue;
            }
            if (start < now) start = now; // a start within the tolerance means now
            adds.Add(new Price(skuId, region.Id, new Money(region.Currency, amount!.Value), start, end));
        }

        var applied = false;
        if (apply && problems.Count == 0 && adds.Count > 0)
        {
            var regionCodes = regions.Values.ToDictionary(r => r.Id, r => r.Code);
            await SaveAsync(adds, db.Database.IsSqlite() ? SqliteChunk : adds.Count, regionCodes, now, ct, last: d =>
                Audit.Record(d, staff, AuditActions.PriceImport, "price-list", "import", null, null, new { rows = records.Count, added = adds.Count, unchanged }, null, now));
            applied = true;
        }
        var took = Stopwatch.GetElapsedTime(started);
        logger.LogInformation("Price import {Mode} by {StaffId}: {Rows} rows, {Adds} new prices, {Unchanged} unchanged, {Problems} problems, {Ms} ms",
            apply ? "apply" : "preview", staff.UserId, records.Count, adds.Count, unchanged, problems.Count, (int)took.TotalMilliseconds);
        return new ImportReport(records.Count, adds.Count, unchanged, problems.OrderBy(p => p.Row).ToList(), applied);
    }

    /// <summary>Prices saved per transaction on SQLite: about a tenth of a second of its one write lock each.</summary>
    internal const int SqliteChunk = 1_000;

    /// <summary>Prices told per <c>PriceChanged</c> event: a webhook of tens of kilobytes, not the whole file.</summary>
    internal const int PricesPerEvent = 250;

    /// <summary>
    /// Saves the new prices <paramref name="chunk"/> at a time, each chunk a transaction of its own that takes its turn at
    /// <see cref="SqliteWriteGate"/>, so orders placed during a large import on SQLite wait a chunk, never the whole file.
    /// PostgreSQL saves them in one transaction (its inserts lock nothing checkout needs), so there an import is all or
    /// nothing. On SQLite a failure part-way (a crash, a price added meanwhile at the same start) leaves the chunks before
    /// it saved: importing the file again applies the rest, since the saved rows now count as unchanged.
    /// </summary>
    private async Task SaveAsync(List<Price> adds, int chunk, IReadOnlyDictionary<int, string> regionCodes, DateTime now, CancellationToken ct,
        Action<QCommerceDbContext> last)
    {
        var saved = 0;
        var import = $"price-import:{Guid.NewGuid():N}"; // one subject for the whole import: its chunks' events arrive in order
        try
        {
            foreach (var part in adds.Chunk(chunk))
            {
                await using var db = await contexts.CreateDbContextAsync(ct);
                var held = Stopwatch.StartNew();
                using (await SqliteWriteGate.EnterAsync(db, ct))
                {
                    await using var tx = await db.Database.BeginTransactionAsync(ct);
                    db.Prices.AddRange(part);
                    foreach (var told in part.Chunk(PricesPerEvent))
                        Outbox.Enqueue(db, EventTypes.PriceChanged, import, new PriceChangedEvent(told.Select(p => new PriceChange(
                            PublicId.Format(PublicId.Sku, p.SkuId), regionCodes[p.RegionId], p.AmountMinor, p.Currency, p.EffectiveFromUtc, p.EffectiveToUtc)).ToList()), now);
                    if (saved + part.Length == adds.Count) last(db);
                    await db.SaveChangesAsync(ct);
                    await tx.CommitAsync(ct);
                }
                saved += part.Length;
                if (saved < adds.Count) await SqliteWriteGate.PaceAsync(db, held.Elapsed, ct);
            }
        }
        catch (DbUpdateException) when (chunk < adds.Count)
        {
            throw new ConflictException($"Prices changed while the file was being applied: {saved} of {adds.Count} new prices were saved. Preview and import the file again to apply the rest.");
        }
        catch (DbUpdateException)
        {
            throw new ConflictException("Prices changed while the file was being applied, and nothing was saved. Preview and import the file again.");
        }
    }

    /// <summary>The prices that are or will be in force, one row each, in the import's own columns: editing and importing it back changes only what was edited.</summary>
    public async Task<string> ExportAsync(CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Prices.AsNoTracking().Where(p => p.EffectiveToUtc == null || p.EffectiveToUtc > now)
            .Join(db.Regions, p => p.RegionId, r => r.Id, (p, r) => new { p.SkuId, r.Code, p.AmountMinor, p.Currency, p.EffectiveFromUtc, p.EffectiveToUtc })
            .OrderBy(p => p.SkuId).ThenBy(p => p.Code).ThenBy(p => p.EffectiveFromUtc)
            .ToListAsync(ct);
        var text = new StringBuilder(rows.Count * 64);
        text.Append(CsvImport.Line([.. Required, .. Optional]));
        foreach (var p in rows)
            text.Append(CsvImport.Line(PublicId.Format(PublicId.Sku, p.SkuId), p.Code, p.AmountMinor.ToString(CultureInfo.InvariantCulture), p.Currency,
                Iso(p.EffectiveFromUtc), p.EffectiveToUtc is { } to ? Iso(to) : ""));
        return text.ToString();
    }

    internal static string Iso(DateTime utc) => DateTime.SpecifyKind(utc, DateTimeKind.Utc).ToString("yyyy-MM-dd'T'HH:mm:ss.FFFFFFF'Z'", CultureInfo.InvariantCulture);

    /// <summary>An ISO 8601 time; without an offset it is UTC. Empty is null.</summary>
    internal static DateTime? When(CsvRecord record, Dictionary<string, int> at, string column, Action<string, string> problem)
    {
        var text = CsvImport.Value(record, at, column);
        if (text.Length == 0) return null;
        if (DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AllowWhiteSpaces, out var when)
            && text.Length >= 10 && char.IsAsciiDigit(text[0]))
            return when.UtcDateTime;
        problem(column, $"'{TextRules.Excerpt(text)}' is not a date and time; write 2026-12-07T06:00:00Z (UTC) or 2026-12-07T06:00:00-05:00.");
        return null;
    }
}
