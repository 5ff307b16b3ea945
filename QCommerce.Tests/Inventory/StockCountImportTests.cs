using System.Diagnostics;
using System.Text;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;
using Xunit.Abstractions;

namespace QCommerce.Tests.Inventory;

/// <summary>
/// Shelf counts as CSV on each provider: count corrections in the ledger for every difference, unchanged rows left
/// alone, every bad row named with nothing applied (another store, an unknown SKU, not a count, a row twice, below
/// reserved), the export as a count sheet, and 10,000 rows previewed and applied in seconds.
/// </summary>
public abstract class StockCountImportTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private static readonly StaffActor Admin = TestStaff.Admin;
    private ServiceHarness _h = null!;
    private int[] _skus = [];

    private StockCountImport Import => _h.Get<StockCountImport>();

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        _skus = await Demo.SkusAsync(_h.Database, 3);
        foreach (var sku in _skus) await _h.SetStockAsync(Demo.Downtown, sku, 20);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static string Sku(int id) => PublicId.Format(PublicId.Sku, id);

    [Fact]
    public async Task Counts_BecomeCountCorrections_AndEqualCountsChangeNothing()
    {
        var csv = $"store,sku,counted,note\r\nst_1,{Sku(_skus[0])},17,aisle B recount\r\nst_1,{Sku(_skus[1])},20,\r\nst_1,{Sku(_skus[2])},31,\r\n";
        var report = await Import.ApplyAsync(Admin, csv);

        Assert.True(report.Applied);
        Assert.Equal((3, 2, 1), (report.Rows, report.Changes, report.Unchanged));
        Assert.Equal(17, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
        Assert.Equal(31, (await _h.StockAsync(Demo.Downtown, _skus[2])).OnHand);
        foreach (var sku in _skus) Assert.Equal((await _h.StockAsync(Demo.Downtown, sku)).OnHand, await _h.LedgerSumAsync(Demo.Downtown, sku));
        var ledger = (await _h.Get<StockQueries>().LedgerAsync(Admin, Demo.Downtown, _skus[0], null))!;
        Assert.Equal((StockMovementKind.CountCorrection, -3, "aisle B recount"), (ledger.Items[0].Kind, ledger.Items[0].Quantity, ledger.Items[0].Note));
    }

    [Fact]
    public async Task OneBadRow_NamesEveryProblem_AndNothingIsApplied()
    {
        var ana = await _h.CreateUserAsync("ana@example.com");
        await _h.Get<CheckoutService>().PlaceOrderAsync(new PlaceOrderCommand(ana, Demo.Downtown, [new(_skus[1], 6)], Demo.DowntownAddress, null, null,
            PaymentMethod.CashOnDelivery), Guid.NewGuid().ToString());
        var csv = $"""
            store,sku,counted
            st_1,{Sku(_skus[0])},5
            st_1,{Sku(_skus[1])},4
            st_2,{Sku(_skus[0])},-3
            st_2,sku_99999999,3
            st_1,{Sku(_skus[0])},6
            st_9,{Sku(_skus[2])},6
            st_1,{Sku(_skus[2])},lots
            """;
        var report = await Import.ApplyAsync(Admin, csv);

        Assert.False(report.Applied);
        Assert.Equal([(4, "counted"), (5, "sku"), (6, "sku"), (7, "store"), (8, "counted")], report.Problems.Select(p => (p.Row, p.Column)));
        Assert.Equal(20, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);

        // With the rest fixed, the count below what is reserved is the one problem left.
        var fixedCsv = $"store,sku,counted\nst_1,{Sku(_skus[0])},5\nst_1,{Sku(_skus[1])},4\n";
        var again = await Import.ApplyAsync(Admin, fixedCsv);
        var problem = Assert.Single(again.Problems);
        Assert.Equal((3, "counted"), (problem.Row, problem.Column));
        Assert.Contains("6 are reserved", problem.Message);
        Assert.Equal(20, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
    }

    [Fact]
    public async Task StaffOfOneStore_CannotCountAnother_AndAStoreChosenForTheImportBindsEveryRow()
    {
        var csv = $"store,sku,counted\nst_2,{Sku(_skus[0])},5\n";
        var scoped = await Import.PreviewAsync(TestStaff.ScopedTo(Demo.Downtown), csv);
        Assert.Contains("not one of your stores", Assert.Single(scoped.Problems).Message);
        var bound = await Import.PreviewAsync(Admin, csv, onlyStoreId: Demo.Downtown);
        Assert.Equal("store", Assert.Single(bound.Problems).Column);
        await Assert.ThrowsAsync<NotFoundException>(() => Import.PreviewAsync(TestStaff.ScopedTo(Demo.Downtown), csv, onlyStoreId: Demo.Midtown));
    }

    [Fact]
    public async Task TheExport_IsACountSheet_ThatImportsBackUnchanged()
    {
        var export = await Import.ExportAsync(Admin, Demo.Downtown);
        Assert.StartsWith("store,sku,counted,reserved,lowStockThreshold,location,code,barcode,title", export);
        var report = await Import.PreviewAsync(Admin, export, Demo.Downtown);
        Assert.Empty(report.Problems);
        Assert.Equal(0, report.Changes);
        Assert.DoesNotContain("st_2", await Import.ExportAsync(TestStaff.ScopedTo(Demo.Downtown), null));
    }

    [Fact]
    public async Task TenThousandRows_PreviewAndApplyInSeconds()
    {
        var skus = await BulkCatalog.AddSkusAsync(_h.Database, 3334);
        var text = new StringBuilder("store,sku,counted\r\n");
        var rows = 0;
        foreach (var sku in skus)
            foreach (var store in new[] { 1, 2, 3 })
                if (rows++ < 10_000) text.Append($"st_{store},{Sku(sku)},{sku % 40}\r\n");

        var clock = Stopwatch.StartNew();
        var preview = await Import.PreviewAsync(Admin, text.ToString());
        var previewTime = clock.Elapsed;
        clock.Restart();
        var applied = await Import.ApplyAsync(Admin, text.ToString());
        var applyTime = clock.Elapsed;

        output.WriteLine($"{provider}: 10,000 stock count rows previewed in {previewTime.TotalSeconds:0.00} s, applied in {applyTime.TotalSeconds:0.00} s");
        Assert.Empty(preview.Problems);
        Assert.True(applied.Applied);
        Assert.Equal(skus[100] % 40, (await _h.StockAsync(Demo.Midtown, skus[100])).OnHand);
        Assert.Equal(skus[100] % 40, await _h.LedgerSumAsync(Demo.Midtown, skus[100]));
    }
}

public sealed class SqliteStockCountImportTests(ITestOutputHelper output) : StockCountImportTests(DatabaseProvider.Sqlite, output);

public sealed class PostgresStockCountImportTests(ITestOutputHelper output) : StockCountImportTests(DatabaseProvider.Postgres, output);
