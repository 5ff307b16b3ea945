using CsCheck;
using Microsoft.Extensions.Logging.Abstractions;
using QCommerce.Core.Catalog;
using QCommerce.Core.Data;

namespace QCommerce.Tests.Catalog;

/// <summary>
/// A catalog change costs what it changes: the snapshot is brought up to date from the change log by reading again the
/// rows a save touched, and sharing the rest. What was read and rebuilt is counted (no timings); and after any sequence
/// of edits, the snapshot made change by change equals one read whole from the database.
/// </summary>
public abstract class CatalogSnapshotChangeTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly int Seconds = int.TryParse(Environment.GetEnvironmentVariable("QC_PROPERTY_SECONDS"), out var s) ? s : 20;
    private static readonly string[] Regions = [DemoData.NorthRegion, DemoData.SouthRegion];
    private static readonly string[] Words = ["Crunchy", "Organic", "Oat", "Milk", "Yogurt", "Apple", "Zesty", "Bread", "aardvark", "Honey"];

    private ServiceHarness _harness = null!;
    private CatalogSnapshots _snapshots = null!;
    private List<int> _products = null!;
    private List<int> _categories = null!;
    private int _barcodes;

    public async Task InitializeAsync()
    {
        _harness = await ServiceHarness.CreateAsync(provider);
        _snapshots = _harness.Get<CatalogSnapshots>();
        await using var db = _harness.Database.CreateContext();
        _products = await db.Products.OrderBy(p => p.Id).Take(12).Select(p => p.Id).ToListAsync();
        _categories = await db.Categories.OrderBy(c => c.Id).Select(c => c.Id).ToListAsync();
    }

    public async Task DisposeAsync() => await _harness.DisposeAsync();

    [Fact]
    public async Task OnePriceChange_ReadsThatPriceAgain_AndSharesTheProductsTheirOrderAndTheSearchIndex()
    {
        var before = await _snapshots.GetAsync();
        before.List(0, false, 1, ProductSort.PriceAsc);
        before.List(0, false, 1, ProductSort.Name);
        var skuId = before.ByTitle[3].Skus[0].Id;

        await _harness.Get<PriceService>().ScheduleAsync(TestStaff.Admin, new PriceInput(skuId, DemoData.NorthRegion, "USD", 4321, null, null));
        var after = await _snapshots.GetAsync();

        Assert.Equal(new CatalogWork(false, Products: 0, Skus: 0, Prices: 1, Categories: false, SearchRebuilt: false), after.Work);
        Assert.Equal((Patched: 1, Kept: 1), after.ListWork); // the price order was patched, the name order kept as it was
        Assert.Same(before.ByTitle, after.ByTitle);
        Assert.Same(before.Search, after.Search);
        Assert.Equal(4321, after.PriceOf(1, skuId)!.Value.MinorUnits);
        await AssertSameAsWholeAsync(after);
    }

    [Fact]
    public async Task OneProductRenamed_ReadsThatProductAgain_AndPatchesTheTitleOrder()
    {
        var before = await _snapshots.GetAsync();
        var product = before.ByTitle[5];
        await RenameAsync(_products.IndexOf(product.Id) is var at and >= 0 ? at : AddProduct(product.Id), "Aaaa First Of All");
        var after = await _snapshots.GetAsync();

        Assert.Equal(new CatalogWork(false, Products: 1, Skus: product.Skus.Count, Prices: 0, Categories: false, SearchRebuilt: true), after.Work);
        Assert.Equal("Aaaa First Of All", after.Products[product.Id].Title);
        Assert.InRange(after.ByTitle.Select(p => p.Id).ToList().IndexOf(product.Id), 0, 4); // ahead of the places it left
        Assert.Equal(before.ByTitle.Count, after.ByTitle.Count);
        Assert.Single(after.Search.Match(["aaaa"]));
        await AssertSameAsWholeAsync(after);
    }

    [Fact]
    public async Task AScheduledPriceStarting_SwitchesExactlyThatPrice_WithNoEditAndNoRestart()
    {
        var before = await _snapshots.GetAsync();
        var (skuId, otherSku) = (before.ByTitle[7].Skus[0].Id, before.ByTitle[8].Skus[0].Id);
        var other = before.PriceOf(1, otherSku);
        var starts = _harness.Clock.GetUtcNow().UtcDateTime.AddMinutes(30);
        await _harness.Get<PriceService>().ScheduleAsync(TestStaff.Admin, new PriceInput(skuId, DemoData.NorthRegion, "USD", 777, starts, null));
        var scheduled = await _snapshots.GetAsync();
        Assert.NotEqual(777, scheduled.PriceOf(1, skuId)!.Value.MinorUnits);

        _harness.Clock.Advance(TimeSpan.FromMinutes(31));
        var started = await _snapshots.GetAsync();

        Assert.Equal(new CatalogWork(false, Products: 0, Skus: 0, Prices: 1, Categories: false, SearchRebuilt: false), started.Work);
        Assert.Equal(777, started.PriceOf(1, skuId)!.Value.MinorUnits);
        Assert.Equal(other, started.PriceOf(1, otherSku));
        await AssertSameAsWholeAsync(started);
    }

    [Fact]
    public async Task AChangeOnAnotherInstance_IsReadFromTheLog_NotByReloadingAll()
    {
        var here = await _snapshots.GetAsync();
        // Another instance: its own snapshot and signal over the same database, which never hears of this save.
        var there = new CatalogSnapshots(_harness.Get<IDbContextFactory<QCommerceDbContext>>(), new CatalogChangeSignal(), _harness.Clock,
            NullLogger<CatalogSnapshots>.Instance);
        Assert.True((await there.GetAsync()).Work.Whole);
        var skuId = here.ByTitle[2].Skus[0].Id;
        await _harness.Get<PriceService>().ScheduleAsync(TestStaff.Admin, new PriceInput(skuId, DemoData.SouthRegion, "USD", 999, null, null));

        _harness.Clock.Advance(CatalogSnapshots.CheckEvery);
        var seen = await there.GetAsync();
        Assert.False(seen.Work.Whole);
        Assert.Equal(1, seen.Work.Prices);
        Assert.Equal(999, seen.PriceOf(2, skuId)!.Value.MinorUnits);
    }

    [Fact]
    public async Task AfterAnySequenceOfEdits_TheSnapshotEqualsOneReadWhole()
    {
        var step = Gen.OneOf(
            Gen.Select(Gen.Int[0, 11], Gen.Int[0, 1], Gen.Int[50, 2000], (p, r, a) => (Func<Task>)(() => PriceAsync(p, r, a, null, null))),
            Gen.Select(Gen.Int[0, 11], Gen.Int[0, 1], Gen.Int[50, 2000], Gen.Int[1, 90], Gen.Int[0, 120],
                (p, r, a, start, length) => (Func<Task>)(() => PriceAsync(p, r, a, start, length == 0 ? null : length))),
            Gen.Int[0, 100].Select(n => (Func<Task>)(() => WithdrawAsync(n))),
            Gen.Int[1, 100].Select(minutes => (Func<Task>)(() => { _harness.Clock.Advance(TimeSpan.FromMinutes(minutes)); return Task.CompletedTask; })),
            Gen.Select(Gen.Int[0, 11], Gen.Int[0, Words.Length - 1], Gen.Int[0, Words.Length - 1], (p, a, b) => (Func<Task>)(() => RenameAsync(p, $"{Words[a]} {Words[b]}"))),
            Gen.Select(Gen.Int[0, 11], Gen.Int[0, Words.Length - 1], (p, w) => (Func<Task>)(() => UpdateAsync(p, (_, d) => d with { Brand = Words[w], Description = $"Now {Words[w]}" }))),
            Gen.Select(Gen.Int[0, 11], Gen.Bool, Gen.Bool, (p, active, featured) => (Func<Task>)(() => FlagsAsync(p, active, featured))),
            Gen.Select(Gen.Int[0, 11], Gen.Int[0, 100], (p, c) => (Func<Task>)(() => MoveAsync(p, c))),
            Gen.Int[0, Words.Length - 1].Select(w => (Func<Task>)(() => CreateAsync(Words[w]))),
            Gen.Int[0, 11].Select(p => (Func<Task>)(() => AddSkuAsync(p))),
            Gen.Select(Gen.Int[0, 100], Gen.Bool, (c, active) => (Func<Task>)(() => CategoryAsync(c, new CategoryChange(Active: active)))),
            Gen.Select(Gen.Int[0, 100], Gen.Int[0, Words.Length - 1], (c, w) => (Func<Task>)(() => CategoryAsync(c, new CategoryChange(Name: $"{Words[w]} aisle")))));
        // Each step may be looked at at once, or left to pile up with the next ones: then one refresh applies several
        // transactions' changes together (a rename and a deactivation, a price and a product).
        await Gen.Select(step, Gen.Bool).Array[1, 6].SampleAsync(async steps =>
        {
            foreach (var (run, look) in steps)
            {
                var current = await _snapshots.GetAsync();
                // Grid orders kept in the snapshot, so that the next change has them to carry over or patch.
                foreach (var region in new[] { 1, 2 })
                    foreach (var sort in new[] { ProductSort.Name, ProductSort.PriceAsc, ProductSort.PriceDesc })
                    {
                        current.List(0, false, region, sort);
                        current.List(_categories[0], false, region, sort);
                        current.List(0, true, region, sort);
                    }
                await run();
                if (look) await AssertSameAsWholeAsync(await _snapshots.GetAsync());
            }
            await AssertSameAsWholeAsync(await _snapshots.GetAsync());
        }, iter: -1, time: Math.Max(5, Seconds / 4), threads: 1);
    }

    [Fact]
    public async Task AProductAddedByASaveOfItsOwn_WithNoTransactionOfTheCallers_IsReadByItsNewId()
    {
        await _snapshots.GetAsync();
        int id;
        await using (var db = _harness.Database.CreateContext())
        {
            var category = await db.Categories.OrderBy(c => c.Id).FirstAsync(c => c.IsActive);
            var product = new Product("Lone Saved Product", $"lone-{provider}", "Saved by a plain SaveChanges", "Brand", category,
                [new Sku($"lone-{provider}-1", Barcode(), SkuUnit.Piece, 1)], []);
            db.Products.Add(product);
            await db.SaveChangesAsync(); // EF's own transaction commits inside the save, before the new ids reach the object
            id = product.Id;
        }
        var after = await _snapshots.GetAsync();
        Assert.False(after.Work.Whole);
        Assert.Equal("Lone Saved Product", after.Products[id].Title);
        await AssertSameAsWholeAsync(after);
    }

    [Fact]
    public async Task AWriterThatKeepsNoLog_AnOlderVersionDuringADeploy_MakesTheNextCheckReadTheCatalogWhole()
    {
        var before = await _snapshots.GetAsync();
        var skuId = before.ByTitle[4].Skus[0].Id;
        await using (var db = _harness.Database.CreateContext())
        {
            // What an older instance's save amounts to: the revision renewed, a price changed, no line in the log.
            await db.Prices.Where(p => p.SkuId == skuId && p.RegionId == 1).ExecuteUpdateAsync(u => u.SetProperty(p => p.AmountMinor, 1357));
            await db.CatalogRevisions.ExecuteUpdateAsync(u => u.SetProperty(r => r.Stamp, Guid.NewGuid()));
        }
        _harness.Clock.Advance(CatalogSnapshots.CheckEvery);
        var after = await _snapshots.GetAsync();
        Assert.True(after.Work.Whole);
        Assert.Equal(1357, after.PriceOf(1, skuId)!.Value.MinorUnits);
    }

    [Fact]
    public async Task AnImportsThousandsOfRows_AreOneLineThatSaysEverything_AndTheCatalogIsReadWhole()
    {
        var before = await _snapshots.GetAsync();
        await using (var db = _harness.Database.CreateContext())
        {
            // More SKUs in one save than lines are written one by one (each SKU is a line of its own).
            var products = await db.Products.Include(p => p.Skus).OrderBy(p => p.Id).Take(200).ToListAsync();
            for (var i = 0; i <= CatalogChangeInterceptor.MostLinesWritten; i++)
                products[i % products.Count].AddSku(new Sku($"bulk-{provider}-{i}", Barcode(), SkuUnit.Pack, 6));
            await db.SaveChangesAsync();
            var lines = await db.CatalogChanges.Where(c => c.Id > before.ChangeId).ToListAsync();
            Assert.NotEmpty(lines);
            Assert.True(lines.All(line => line.IsEverything), $"{lines.Count} lines, {lines.Count(l => l.SkuId is not null)} naming a SKU, {lines.Count(l => l.IsEverything)} everything; skus now {await db.Skus.CountAsync()}");
        }
        _harness.Clock.Advance(CatalogSnapshots.CheckEvery);
        Assert.True((await _snapshots.GetAsync()).Work.Whole);
        await AssertSameAsWholeAsync(await _snapshots.GetAsync());
    }

    private ProductEditor Editor => _harness.Get<ProductEditor>();

    private int AddProduct(int id)
    {
        _products.Add(id);
        return _products.Count - 1;
    }

    private async Task PriceAsync(int product, int region, int amount, int? startsInMinutes, int? lastsMinutes)
    {
        await using var db = _harness.Database.CreateContext();
        var skuId = await db.Skus.Where(s => s.ProductId == _products[product]).OrderBy(s => s.Id).Select(s => s.Id).FirstAsync();
        var now = _harness.Clock.GetUtcNow().UtcDateTime;
        DateTime? from = startsInMinutes is { } m ? PriceRules.Minute(now).AddMinutes(m) : null;
        DateTime? to = lastsMinutes is { } l ? (from ?? PriceRules.Minute(now)).AddMinutes(l + 1) : null;
        try { await _harness.Get<PriceService>().ScheduleAsync(TestStaff.Admin, new PriceInput(skuId, Regions[region], "USD", amount, from, to)); }
        catch (RequestRejectedException) { } // one already starts at that minute: nothing changed
    }

    private async Task RenameAsync(int product, string title) =>
        await UpdateAsync(product, (p, d) => d with { Title = title });

    private async Task FlagsAsync(int product, bool active, bool featured) =>
        await UpdateAsync(product, (p, d) => d with { Active = active, Featured = featured });

    private async Task MoveAsync(int product, int category) =>
        await UpdateAsync(product, (p, d) => d with { CategoryId = _categories[category % _categories.Count] });

    private async Task UpdateAsync(int product, Func<Product, ProductDraft, ProductDraft> change)
    {
        await using var db = _harness.Database.CreateContext();
        var row = await db.Products.AsNoTracking().SingleAsync(p => p.Id == _products[product]);
        var draft = new ProductDraft(row.Title, row.Brand, row.Description, row.CategoryId, row.IsActive, row.IsFeatured, row.Attributes.ToList());
        try { await Editor.UpdateAsync(TestStaff.Admin, row.Id, change(row, draft)); }
        catch (DomainException) { } // a move into an inactive category is refused: nothing changed
    }

    private async Task CreateAsync(string word)
    {
        try
        {
            var id = await Editor.CreateAsync(TestStaff.Admin, new ProductDraft($"{word} {Guid.NewGuid():N}"[..24], "Brand", $"A {word} made in a test",
                _categories[0], true, false, [], [new SkuDraft(Barcode(), SkuUnit.Piece, 1)]));
            if (_products.Count < 16) _products.Add(id);
        }
        catch (DomainException) { }
    }

    private async Task AddSkuAsync(int product)
    {
        try { await Editor.AddSkuAsync(TestStaff.Admin, _products[product], new SkuDraft(Barcode(), SkuUnit.Piece, 2)); }
        catch (DomainException) { } // 20 SKUs at most
    }

    private async Task CategoryAsync(int category, CategoryChange change)
    {
        try { await _harness.Get<CategoryService>().ChangeAsync(TestStaff.Admin, _categories[category % _categories.Count], change); }
        catch (DomainException) { } // a category with active products cannot be made inactive
    }

    private async Task WithdrawAsync(int n)
    {
        await using var db = _harness.Database.CreateContext();
        var now = _harness.Clock.GetUtcNow().UtcDateTime;
        var future = await db.Prices.Where(p => p.EffectiveFromUtc > now).OrderBy(p => p.Id).Select(p => p.Id).ToListAsync();
        if (future.Count == 0) return;
        try { await _harness.Get<PriceService>().WithdrawAsync(TestStaff.Admin, future[n % future.Count]); }
        catch (DomainException) { }
    }

    /// <summary>A valid EAN-13 no other SKU has.</summary>
    private string Barcode()
    {
        var digits = $"29{Interlocked.Increment(ref _barcodes) + 1_000_000 * (int)provider:D10}";
        var sum = digits.Select((c, i) => (c - '0') * (i % 2 == 0 ? 1 : 3)).Sum();
        return digits + (10 - sum % 10) % 10;
    }

    /// <summary>The snapshot made change by change, against one read whole now: every product, SKU, price, category, order and search.</summary>
    private async Task AssertSameAsWholeAsync(CatalogSnapshot changed)
    {
        var whole = await new CatalogSnapshots(_harness.Get<IDbContextFactory<QCommerceDbContext>>(), new CatalogChangeSignal(), _harness.Clock,
            NullLogger<CatalogSnapshots>.Instance).GetAsync();
        Assert.True(whole.Work.Whole);
        Assert.Equal(Describe(whole.Products.Values), Describe(changed.Products.Values));
        Assert.Equal(whole.BySlug.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Id)), changed.BySlug.OrderBy(p => p.Key).Select(p => (p.Key, p.Value.Id)));
        Assert.Equal(whole.Products.Count, changed.Products.Count);
        Assert.Equal(whole.Skus.Values.OrderBy(s => s.Id), changed.Skus.Values.OrderBy(s => s.Id));
        Assert.Equal(whole.Prices.OrderBy(p => p.Key), changed.Prices.OrderBy(p => p.Key));
        Assert.Equal(whole.Boundaries.OrderBy(b => (b.AtUtc, b.Key)), changed.Boundaries.OrderBy(b => (b.AtUtc, b.Key)));
        Assert.Equal((whole.Skus.Count, whole.BySlug.Count), (changed.Skus.Count, changed.BySlug.Count));
        Assert.Equal(whole.Categories.ById.Values.Select(c => (c.Id, c.Name, c.Slug, c.ParentId, string.Join(",", c.Children.Select(x => x.Id)))).Order(),
            changed.Categories.ById.Values.Select(c => (c.Id, c.Name, c.Slug, c.ParentId, string.Join(",", c.Children.Select(x => x.Id)))).Order());
        Assert.Equal(whole.ByTitle.Select(p => p.Id), changed.ByTitle.Select(p => p.Id));
        foreach (var region in new[] { 1, 2 })
            foreach (var sort in new[] { ProductSort.Name, ProductSort.PriceAsc, ProductSort.PriceDesc })
                foreach (var (category, featured) in new[] { (0, false), (_categories[0], false), (0, true) })
                    Assert.Equal(whole.List(category, featured, region, sort).Select(p => p.Id), changed.List(category, featured, region, sort).Select(p => p.Id));
        foreach (var term in Words.Select(w => w.ToLowerInvariant()).Append("mlk"))
            Assert.Equal(whole.Search.Match([term]).Select(h => (h.ProductId, Math.Round(h.Rank, 3))).Order(),
                changed.Search.Match([term]).Select(h => (h.ProductId, Math.Round(h.Rank, 3))).Order());
    }

    private static List<string> Describe(IEnumerable<CatalogProduct> products) => products.OrderBy(p => p.Id)
        .Select(p => $"{p.Id}|{p.Slug}|{p.Title}|{p.Brand}|{p.Description}|{p.CategoryId}|{p.IsFeatured}|{string.Join(",", p.Skus)}|{string.Join(",", p.Images)}|{string.Join(",", p.Attributes)}")
        .ToList();
}

public sealed class SqliteCatalogSnapshotChangeTests() : CatalogSnapshotChangeTests(DatabaseProvider.Sqlite);

public sealed class PostgresCatalogSnapshotChangeTests() : CatalogSnapshotChangeTests(DatabaseProvider.Postgres);
