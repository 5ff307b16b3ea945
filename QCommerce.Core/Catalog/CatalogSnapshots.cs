using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>
/// This instance's <see cref="CatalogSnapshot"/> (architecture §6: hot reads from memory). A read gets the snapshot in hand
/// unless it is out of date, and then waits for the one reload all readers share:
/// <list type="bullet">
/// <item>a save on this instance changed the catalog (<see cref="CatalogChangeSignal"/>, raised at its commit);</item>
/// <item>a price it holds has started or ended (a scheduled change takes effect at its moment, with no restart);</item>
/// <item>another instance changed it: at most every <see cref="CheckEvery"/> while reads come, one read of the
/// <see cref="CatalogRevision"/> row says so (and none while no one reads).</item>
/// </list>
/// Checkout and payment never use it: they read what they commit to.
/// </summary>
public sealed class CatalogSnapshots(IDbContextFactory<QCommerceDbContext> contexts, CatalogChangeSignal signal, TimeProvider clock,
    ILogger<CatalogSnapshots> logger)
{
    /// <summary>Half a second, so another instance's change is seen within a second.</summary>
    public static readonly TimeSpan CheckEvery = TimeSpan.FromMilliseconds(500);

    private readonly Lock _gate = new();
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
        var localChanges = signal.Count; // read first: a commit signalled after this makes the next read reload again
        var checkedAt = clock.GetTimestamp();
        try
        {
            await using var db = await contexts.CreateDbContextAsync();
            var stamp = await db.CatalogRevisions.AsNoTracking().Where(r => r.Id == CatalogRevision.TheRow).Select(r => r.Stamp).SingleOrDefaultAsync();
            if (current is not null && current.Stamp == stamp && current.LocalChanges == localChanges && !(current.PricesChangeAtUtc <= clock.UtcNow()))
            {
                Interlocked.Exchange(ref _checkedAt, checkedAt);
                return current;
            }
            // The stamp is read before the rows: a change committed in between makes the next check reload once more.
            var loaded = await LoadAsync(db, stamp, localChanges);
            _current = loaded;
            Interlocked.Exchange(ref _checkedAt, checkedAt);
            return loaded;
        }
        catch (Exception ex) when (current is not null)
        {
            // The database is away: shoppers keep the catalog they had, and the next check is a moment away.
            logger.LogWarning(ex, "Could not refresh the catalog snapshot; serving the one loaded at {LoadedAt:o}", current.LoadedAtUtc);
            Interlocked.Exchange(ref _checkedAt, checkedAt);
            return current;
        }
    }

    private async Task<CatalogSnapshot> LoadAsync(QCommerceDbContext db, Guid stamp, long localChanges)
    {
        var started = clock.GetTimestamp();
        var now = clock.UtcNow();
        var categoryRows = await db.Categories.AsNoTracking().Where(c => c.IsActive).OrderBy(c => c.SortOrder).ThenBy(c => c.Name)
            .Select(c => new { c.Id, c.Name, c.Slug, c.ParentId }).ToListAsync();
        var productRows = await db.Products.AsNoTracking()
            .Select(p => new { p.Id, p.Slug, p.Title, p.Brand, p.Description, p.CategoryId, p.IsActive, p.IsFeatured, p.Images, p.Attributes })
            .ToListAsync();
        var skuRows = await db.Skus.AsNoTracking().OrderBy(s => s.Id)
            .Select(s => new { s.Id, s.ProductId, s.Code, s.Barcode, s.Unit, s.Size }).ToListAsync();
        // Every price not yet over: those in force now and those still to come, whose start is when this snapshot ends.
        var priceRows = await db.Prices.AsNoTracking().Where(p => p.EffectiveToUtc == null || p.EffectiveToUtc > now).ToListAsync();

        var byParent = categoryRows.ToLookup(r => r.ParentId);
        CategoryNode Build(int id, string name, string slug, int? parent) =>
            new(id, name, slug, parent, byParent[id].Select(c => Build(c.Id, c.Name, c.Slug, c.ParentId)).ToList());
        var tree = new CategoryTreeSnapshot(byParent[null].Select(r => Build(r.Id, r.Name, r.Slug, null)).ToList());

        var active = productRows.ToDictionary(p => p.Id, p => p.IsActive);
        var skus = skuRows.Select(s => new CatalogSku(s.Id, s.ProductId, s.Code, s.Barcode, s.Unit, s.Size, SkuSizes.Label(s.Unit, s.Size),
            active.GetValueOrDefault(s.ProductId))).ToList();
        var skusByProduct = skus.ToLookup(s => s.ProductId);
        var products = productRows.Where(p => p.IsActive && skusByProduct[p.Id].Any())
            .Select(p => new CatalogProduct(p.Id, p.Slug, p.Title, p.Brand, p.Description, p.CategoryId, p.IsFeatured,
                p.Images.OrderBy(i => i.SortOrder).ToList(), p.Attributes.ToList(), skusByProduct[p.Id].ToList()))
            .ToList();

        var prices = new Dictionary<long, Money>();
        foreach (var group in priceRows.Where(p => p.IsEffectiveAt(now)).GroupBy(p => (p.RegionId, p.SkuId)))
            prices[CatalogSnapshot.Key(group.Key.RegionId, group.Key.SkuId)] = Price.Resolve(group, group.Key.SkuId, group.Key.RegionId, now)!.Amount;
        DateTime? changesAt = priceRows.SelectMany(p => new[] { p.EffectiveFromUtc, p.EffectiveToUtc ?? DateTime.MaxValue })
            .Where(t => t > now).DefaultIfEmpty(DateTime.MaxValue).Min();
        if (changesAt == DateTime.MaxValue) changesAt = null;

        var snapshot = new CatalogSnapshot(stamp, localChanges, now, changesAt, products, skus, tree, prices);
        logger.LogInformation("Catalog snapshot loaded: {Products} products, {Skus} SKUs, {Prices} prices in force, in {Elapsed:0} ms; next price change {NextChange}",
            products.Count, skus.Count, prices.Count, clock.GetElapsedTime(started).TotalMilliseconds, changesAt?.ToString("o") ?? "none scheduled");
        return snapshot;
    }
}
