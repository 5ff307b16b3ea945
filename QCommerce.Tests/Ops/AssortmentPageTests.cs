using System.Security.Claims;
using Bunit;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Forms;
using QCommerce.Core.Identity;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;
using QCommerce.Web.Components.Ops.Catalog;
using QCommerce.Web.Components.Ops.Inventory;
using QCommerce.Web.Components.Ops.Imports;

namespace QCommerce.Tests.Ops;

/// <summary>
/// The assortment pages as components (bUnit) over Core's real services and SQLite: the product editor names each bad
/// field beside it, the import page previews every bad row by row and column and offers nothing to apply, the stock
/// page shows the ledger with on hand after each movement and refuses a count below what is reserved.
/// </summary>
public sealed class AssortmentPageTests : ComponentTestContext, IAsyncLifetime
{
    private ServiceHarness _h = null!;
    private int[] _skus = [];

    async Task IAsyncLifetime.InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(DatabaseProvider.Sqlite);
        Services.AddFallbackServiceProvider(_h.Services);
        var adminId = await _h.CreateAdminAsync("admin@qcommerce.test");
        var auth = AddAuthorization();
        auth.SetAuthorized("admin@qcommerce.test");
        auth.SetRoles(Roles.Admin, Roles.Ops);
        auth.SetClaims(new Claim(ClaimTypes.NameIdentifier, adminId));
        SetRendererInfo(new RendererInfo("Server", isInteractive: true));
        _skus = await Demo.SkusAsync(_h.Database, 2);
        foreach (var sku in _skus) await _h.SetStockAsync(Demo.Downtown, sku, 40);
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        await DisposeAsync();
        await _h.DisposeAsync();
    }

    [Fact]
    public void TheProductEditor_NamesEachBadFieldBesideIt_AndCreatesNothing()
    {
        var page = Render<ProductEditorPage>();
        page.WaitForAssertion(() => page.Find("[data-testid=product-form]"));
        page.Find("input[data-testid=product-title]").Change("");
        page.Find("input[data-testid=product-brand]").Change("Bread & Co");
        page.Find("input[data-testid=sku-barcode]").Change("4006381333932");
        page.Find("[data-testid=product-form]").Submit();

        page.WaitForAssertion(() => Assert.Contains("A product needs a title.", page.Markup));
        Assert.Contains("wrong check digit", page.Markup);
        Assert.Contains("mud-input-error", page.Find("input[data-testid=product-title]").ParentElement!.ParentElement!.OuterHtml + page.Markup);
        using var db = _h.Database.CreateContext();
        Assert.False(db.Products.Any(p => p.Brand == "Bread & Co"));
    }

    [Fact]
    public async Task TheImportPage_PreviewsEveryBadRowByRowAndColumn_AndOffersNothingToApply()
    {
        var before = await PriceCountAsync();
        var page = Render<ImportsPage>();
        page.WaitForAssertion(() => page.FindComponent<InputFile>());
        var csv = $"sku,region,amount,currency,effectiveFrom,effectiveTo\nsku_{_skus[0]},metro-north,349,USD,,\nsku_{_skus[1]},metro-north,3.49,USD,,\nsku_999999,metro-south,100,EUR,,\n";
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(csv, "prices.csv"));

        page.WaitForAssertion(() => Assert.Equal("3", page.Find("[data-testid=problem-count]").TextContent));
        var rows = page.FindAll("[data-testid=problems] tbody tr").Select(r => r.QuerySelectorAll("td").Select(c => c.TextContent.Trim()).Take(2).ToArray()).ToList();
        Assert.Equal([["3", "amount"], ["4", "sku"], ["4", "currency"]], rows);
        Assert.Empty(page.FindAll("[data-testid=import-apply]"));
        Assert.Equal(before, await PriceCountAsync());

        var good = csv.Split('\n').Take(2).Append($"sku_{_skus[1]},metro-north,349,USD,,").Aggregate((a, b) => a + "\n" + b);
        page.FindComponent<InputFile>().UploadFiles(InputFileContent.CreateFromText(good, "prices.csv"));
        page.WaitForAssertion(() => Assert.Single(page.FindAll("[data-testid=import-apply]")));
        Assert.Equal(before, await PriceCountAsync()); // a preview applies nothing
    }

    [Fact]
    public async Task TheStockPage_ShowsTheLedgerWithOnHandAfter_AndRefusesACountBelowReserved()
    {
        var admin = TestStaff.Admin;
        await _h.Get<StockAdjustmentService>().AdjustAsync(admin, Demo.Downtown, new StockAdjustment(_skus[0], StockAdjustmentKind.Received, 5, "Tuesday delivery"));
        var shopper = await _h.CreateUserAsync("shopper@example.com");
        await _h.Get<CheckoutService>().PlaceOrderAsync(new PlaceOrderCommand(shopper, Demo.Downtown, [new(_skus[0], 3)], Demo.DowntownAddress, null, null,
            PaymentMethod.CashOnDelivery), Guid.NewGuid().ToString());

        var page = Render<StockItemPage>(p => p.Add(x => x.StoreText, "st_1").Add(x => x.SkuText, $"sku_{_skus[0]}"));
        page.WaitForAssertion(() => Assert.Equal("45", page.Find("[data-testid=on-hand]").TextContent));
        var first = page.FindAll("[data-testid=ledger] tbody tr")[0].TextContent;
        Assert.Contains("Received", first);
        Assert.Contains("+5", first);
        Assert.Contains("45", first);
        Assert.Contains("Tuesday delivery", first);

        await page.InvokeAsync(() => page.FindComponent<MudBlazor.MudSelect<StockAdjustmentKind>>().Instance.ValueChanged.InvokeAsync(StockAdjustmentKind.Count));
        page.Find("input[data-testid=adjust-qty]").Change("2");
        page.Find("form.adjust-form").Submit();
        page.WaitForAssertion(() => Assert.Contains("below the 3 reserved for open orders", page.Markup));
        Assert.Equal(45, (await _h.StockAsync(Demo.Downtown, _skus[0])).OnHand);
    }

    private async Task<int> PriceCountAsync()
    {
        await using var db = _h.Database.CreateContext();
        return await db.Prices.CountAsync();
    }
}
