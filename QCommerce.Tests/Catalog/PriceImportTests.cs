using System.Diagnostics;
using System.Text;
using QCommerce.Core.Catalog;
using Xunit.Abstractions;

namespace QCommerce.Tests.Catalog;

/// <summary>
/// The price list as CSV on each provider: every bad row named by row and column with nothing applied, a good file
/// applied in one go, an export that imports back unchanged, and 10,000 rows previewed and applied in seconds.
/// </summary>
public abstract class PriceImportTests(DatabaseProvider provider, ITestOutputHelper output) : IAsyncLifetime
{
    private const string Header = "sku,region,amount,currency,effectiveFrom,effectiveTo";
    private static readonly StaffActor Admin = TestStaff.Admin;
    private ServiceHarness _h = null!;
    private int[] _skus = [];

    private PriceImport Import => _h.Get<PriceImport>();
    private DateTime Now => _h.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        _skus = await Demo.SkusAsync(_h.Database, 3);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static string Sku(int id) => PublicId.Format(PublicId.Sku, id);

    private string Iso(DateTime utc) => PriceImport.Iso(utc);

    private async Task<int> PriceCountAsync()
    {
        await using var db = _h.Database.CreateContext();
        return await db.Prices.CountAsync();
    }

    [Fact]
    public async Task AFileWithOneBadRow_PreviewsEveryProblemByRowAndColumn_AndAppliesNothing()
    {
        var monday = Iso(Now.AddDays(3));
        var csv = $"""
            {Header}
            {Sku(_skus[0])},metro-north,349,USD,{monday},
            {Sku(_skus[1])},metro-south,3.49,USD,{monday},
            {Sku(_skus[2])},metro-north,500,EUR,,
            sku_99999999,metro-north,500,USD,,
            {Sku(_skus[0])},metro-north,400,USD,{monday},
            {Sku(_skus[1])},metro-north,400,USD,{Iso(Now.AddDays(2))},{Iso(Now.AddDays(1))}
            {Sku(_skus[2])},atlantis,400,USD,,
            {Sku(_skus[2])},metro-south,400,USD,next tuesday,
            """;
        var before = await PriceCountAsync();

        var preview = await Import.PreviewAsync(Admin, csv);
        var applied = await Import.ApplyAsync(Admin, csv);

        Assert.Equal(
            [(3, "amount"), (4, "currency"), (5, "sku"), (6, "sku"), (7, "effectiveTo"), (8, "region"), (9, "effectiveFrom")],
            preview.Problems.Select(p => (p.Row, p.Column)));
        Assert.Contains("Row 2", preview.Problems.Single(p => p.Row == 6).Message);
        Assert.Contains("349", preview.Problems.Single(p => p.Row == 3).Message);
        Assert.False(applied.Applied);
        Assert.Equal(preview.Problems, applied.Problems);
        Assert.Equal(before, await PriceCountAsync());
        Assert.Equal("rows[3].amount", preview.Problems[0].Key);
    }

    [Fact]
    public async Task AGoodFile_IsAppliedInOneGo_AndTheStorefrontSeesItsPrices()
    {
        var start = Now.AddHours(2);
        var csv = $"{Header}\r\n{Sku(_skus[0])},metro-north,111,USD,,\r\n{Sku(_skus[0])},metro-south,222,USD,{Iso(start)},\r\n";
        var preview = await Import.PreviewAsync(Admin, csv);
        Assert.Equal((2, 2, false), (preview.Rows, preview.Changes, preview.HasProblems));

        var report = await Import.ApplyAsync(Admin, csv);
        Assert.True(report.Applied);
        var history = await _h.Get<PriceService>().HistoryAsync(_skus[0]);
        Assert.Equal(111, history.Single(p => p.RegionCode == "metro-north" && p.State == PriceState.Current).Amount.MinorUnits);
        Assert.Equal(222, history.Single(p => p.RegionCode == "metro-south" && p.State == PriceState.Scheduled).Amount.MinorUnits);
        await using var db = _h.Database.CreateContext();
        Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == AuditActions.PriceImport));
    }

    [Fact]
    public async Task TheExport_ImportsBackUnchanged()
    {
        var export = await Import.ExportAsync();
        Assert.StartsWith(Header, export);
        var report = await Import.PreviewAsync(Admin, export);
        Assert.Empty(report.Problems);
        Assert.Equal((0, report.Rows), (report.Changes, report.Unchanged));
        Assert.True(report.Rows > 100);
    }

    [Fact]
    public async Task AnEditedExportRow_IsTheNewPriceFromNow_AndARowOfThePriceNowIsUnchanged()
    {
        var export = (await Import.ExportAsync()).Split("\r\n", StringSplitOptions.RemoveEmptyEntries);
        var row = export[1].Split(',');
        var other = export.Skip(1).Select(l => l.Split(',')).First(r => r[0] == row[0] && r[1] != row[1]);
        // The first row edited; the second says "the other region's price, from now", which it is already.
        var edited = $"{export[0]}\r\n{row[0]},{row[1]},{long.Parse(row[2]) + 10},{row[3]},{row[4]},{row[5]}\r\n{other[0]},{other[1]},{other[2]},USD,,\r\n";

        var report = await Import.ApplyAsync(Admin, edited);

        Assert.True(report.Applied, string.Join("; ", report.Problems.Select(p => p.Message)));
        Assert.Equal(1, report.Changes);
        Assert.True(PublicId.TryParse(PublicId.Sku, row[0], out var sku));
        var now = (await _h.Get<PriceService>().HistoryAsync(sku, row[1])).Single(p => p.State == PriceState.Current);
        Assert.Equal(long.Parse(row[2]) + 10, now.Amount.MinorUnits);
        var again = await Import.PreviewAsync(Admin, $"{export[0]}\r\n{row[0]},{row[1]},{long.Parse(row[2]) + 10},USD,,\r\n");
        Assert.Equal((0, 1), (again.Changes, again.Unchanged));
    }

    [Theory]
    [InlineData("", 0, "file")]
    [InlineData("sku,region,amount\r\nsku_1,metro-north,100\r\n", 1, "currency")]
    [InlineData("sku,region,amount,currency\r\n\"sku_1,metro-north,100,USD\r\n", 2, "file")]
    public async Task AnUnreadableFileOrHeader_IsOneProblem(string csv, int row, string column)
    {
        var report = await Import.ApplyAsync(Admin, csv);
        var problem = Assert.Single(report.Problems);
        Assert.Equal((row, column), (problem.Row, problem.Column));
        Assert.False(report.Applied);
    }

    [Fact]
    public async Task StaffOfSomeStores_MayNotImportPrices() =>
        await Assert.ThrowsAsync<AccessDeniedException>(() => Import.PreviewAsync(TestStaff.ScopedTo(Demo.Downtown), $"{Header}\r\n"));

    [Fact]
    public async Task TenThousandRows_PreviewAndApplyInSeconds()
    {
        var skus = await BulkCatalog.AddSkusAsync(_h.Database, 2500);
        var text = new StringBuilder(Header).Append("\r\n");
        var rows = 0;
        foreach (var sku in skus)
            foreach (var region in new[] { "metro-north", "metro-south" })
                for (var day = 1; day <= 2; day++, rows++)
                    text.Append($"{Sku(sku)},{region},{100 + sku % 900},USD,{Iso(Now.Date.AddDays(day).AddHours(11))},\r\n");
        Assert.Equal(10_000, rows);
        var before = await PriceCountAsync();

        var clock = Stopwatch.StartNew();
        var preview = await Import.PreviewAsync(Admin, text.ToString());
        var previewTime = clock.Elapsed;
        clock.Restart();
        var applied = await Import.ApplyAsync(Admin, text.ToString());
        var applyTime = clock.Elapsed;

        output.WriteLine($"{provider}: 10,000 price rows previewed in {previewTime.TotalSeconds:0.00} s, applied in {applyTime.TotalSeconds:0.00} s");
        Assert.Empty(preview.Problems);
        Assert.True(applied.Applied);
        Assert.Equal(before + 10_000, await PriceCountAsync());
    }
}

public sealed class SqlitePriceImportTests(ITestOutputHelper output) : PriceImportTests(DatabaseProvider.Sqlite, output);

public sealed class PostgresPriceImportTests(ITestOutputHelper output) : PriceImportTests(DatabaseProvider.Postgres, output);
