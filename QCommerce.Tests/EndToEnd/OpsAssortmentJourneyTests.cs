using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Microsoft.Playwright;
using QCommerce.Core.Catalog;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>
/// The assortment in Chromium, as a new ops user works it: a product made with an uploaded picture, a price and stock,
/// then seen by a shopper; a shelf counted to zero turning a shopper's open category page to "Sold out" and ringing the
/// low-stock bell; a price list with a bad row previewed (nothing applied), fixed and applied; a scheduled price taking
/// effect when the clock reaches it. axe on every page, screenshots of each.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OpsAssortmentJourneyTests(BrowserFixture browser)
{
    private static Task<IPage> OpsAsync(IPage page, string path) => BrowserFixture.SignedInAsync(page, path);

    private static string Ean() { var body = "51" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999); return body + Barcodes.CheckDigit(body); }

    private static async Task ChooseAsync(IPage page, string testId, string option)
    {
        await page.GetByTestId(testId).ClickAsync();
        await page.GetByRole(AriaRole.Option, new() { Name = option }).ClickAsync();
    }

    [Fact]
    public async Task OpsCreatesAProductWithAPictureAPriceAndStock_AndAShopperSeesIt()
    {
        var ops = await OpsAsync(await browser.NewPageAsync(), "/ops/catalog/new");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "new product");
        var title = $"Blood Orange Juice {Random.Shared.Next(1000, 9999)}";
        await ops.GetByTestId("product-title").FillAsync(title);
        await ops.GetByTestId("product-brand").FillAsync("Sunny Grove");
        await ops.GetByTestId("product-description").FillAsync("Pressed this morning.");
        await ops.GetByTestId("sku-barcode").FillAsync(Ean());
        await ops.GetByTestId("product-save").ClickAsync();
        await Expect(ops).ToHaveURLAsync(new Regex("/ops/catalog/p_[0-9]+$"));
        await Expect(ops.GetByTestId("skus")).ToBeVisibleAsync();
        await CheckoutJourneyTests.WaitInteractiveAsync(ops);

        var picture = Path.Combine(Path.GetTempPath(), $"juice-{Guid.NewGuid():N}.png");
        await File.WriteAllBytesAsync(picture, TestPictures.Png());
        await ops.Locator("#picture-upload").SetInputFilesAsync(picture);
        await Expect(ops.Locator("[data-testid=pictures] img")).ToHaveCountAsync(1);
        await ops.GetByTestId("price-amount").FillAsync("4.29");
        await ops.GetByTestId("price-save").ClickAsync();
        await Expect(ops.GetByTestId("prices")).ToContainTextAsync("$4.29");
        await Expect(ops.GetByTestId("prices")).ToContainTextAsync("In force now");
        await browser.ScreenshotAsync(ops, "ops-product-editor");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "product editor");

        int skuId;
        string slug;
        await using (var db = browser.App.Database.CreateContext())
            (skuId, slug) = await db.Products.Where(p => p.Title == title).Select(p => new ValueTuple<int, string>(p.Skus.First().Id, p.Slug)).SingleAsync();
        await ops.GotoAsync($"/ops/stock/st_2/sku_{skuId}");
        await Expect(ops.GetByTestId("stock-kpis")).ToBeVisibleAsync();
        await CheckoutJourneyTests.WaitInteractiveAsync(ops);
        await ops.GetByTestId("adjust-qty").FillAsync("20");
        await ops.GetByTestId("adjust-note").FillAsync("First delivery");
        await ops.GetByTestId("adjust-submit").ClickAsync();
        await Expect(ops.GetByTestId("on-hand")).ToHaveTextAsync("20");
        await Expect(ops.GetByTestId("ledger")).ToContainTextAsync("First delivery");
        await browser.ScreenshotAsync(ops, "ops-stock-ledger");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "stock and ledger");

        var shopper = await browser.NewPageAsync();
        await StorefrontJourneyTests.ChooseStoreAsync(shopper, "10036", "Midtown");
        await shopper.GotoAsync($"/p/{slug}");
        await Expect(shopper.GetByRole(AriaRole.Heading, new() { Name = title })).ToBeVisibleAsync();
        await Expect(shopper.Locator(".product-detail")).ToContainTextAsync("$4.29");
        await Expect(shopper.Locator(".product-gallery img")).ToHaveAttributeAsync("src", new Regex("^/media/products/[0-9]+/[0-9a-f]{16}-800\\.webp$"));
        await browser.ScreenshotAsync(shopper, "store-new-product");
    }

    [Fact]
    public async Task CountingAShelfToZero_TurnsAShoppersOpenCategoryPageToSoldOut_AndRingsTheLowStockBell()
    {
        string categorySlug;
        int skuId;
        await using (var db = browser.App.Database.CreateContext())
        {
            var row = await db.Stock.Where(s => s.StoreId == 2 && s.OnHand - s.Reserved > 20 && s.LowSinceUtc == null)
                .Join(db.Skus, s => s.SkuId, k => k.Id, (s, k) => new { k.Id, k.ProductId })
                .Where(k => db.Skus.Where(x => x.ProductId == k.ProductId).Min(x => x.Id) == k.Id)
                .Join(db.Products.Where(p => p.IsActive), k => k.ProductId, p => p.Id, (k, p) => new { k.Id, p.CategoryId, p.Title })
                .OrderByDescending(k => k.Id).FirstAsync();
            skuId = row.Id;
            categorySlug = await db.Categories.Where(c => c.Id == row.CategoryId).Select(c => c.Slug).SingleAsync();
        }
        var shopper = await browser.NewPageAsync();
        await StorefrontJourneyTests.ChooseStoreAsync(shopper, "10036", "Midtown");
        var found = false;
        for (var pageNumber = 1; pageNumber <= 5 && !found; pageNumber++)
        {
            await shopper.GotoAsync($"/c/{categorySlug}?page={pageNumber}");
            found = await shopper.Locator($"[data-sku=sku_{skuId}]").CountAsync() > 0;
        }
        Assert.True(found, "the SKU's card is on its category page");
        var badge = shopper.Locator($"[data-sku=sku_{skuId}] .availability");
        await Expect(badge).Not.ToHaveTextAsync("Sold out");

        var ops = await OpsAsync(await browser.NewPageAsync(), $"/ops/stock/st_2/sku_{skuId}");
        var bellBefore = int.Parse(await ops.GetByTestId("low-stock-badge").GetAttributeAsync("data-count") ?? "0");
        await ChooseAsync(ops, "adjust-type", "Counted (shelf total)");
        await ops.GetByTestId("adjust-qty").FillAsync("0");
        await ops.GetByTestId("adjust-note").FillAsync("Shelf empty at the count");
        await ops.GetByTestId("adjust-submit").ClickAsync();
        await Expect(ops.GetByTestId("available")).ToHaveTextAsync("0");

        await Expect(badge).ToHaveTextAsync("Sold out", new() { Timeout = 15_000 });
        await Expect(shopper.Locator($"[data-sku=sku_{skuId}] .add-form")).ToHaveCountAsync(0);
        await Expect(ops.GetByTestId("low-stock-badge")).ToHaveAttributeAsync("data-count", (bellBefore + 1).ToString(), new() { Timeout = 5_000 });
        await browser.ScreenshotAsync(shopper, "store-sold-out-live");

        await ops.GetByTestId("low-stock-badge").ClickAsync();
        await Expect(ops.GetByTestId("alerts")).ToContainTextAsync("Sold out");
        await browser.ScreenshotAsync(ops, "ops-low-stock");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "low stock");
    }

    [Fact]
    public async Task APriceListWithABadRow_IsPreviewed_NothingApplied_ThenFixedAndApplied()
    {
        int[] skus;
        await using (var db = browser.App.Database.CreateContext())
            skus = await db.Skus.OrderBy(s => s.Id).Skip(175).Take(2).Select(s => s.Id).ToArrayAsync();
        var ops = await OpsAsync(await browser.NewPageAsync(), "/ops/imports");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "imports");
        var header = "sku,region,amount,currency,effectiveFrom,effectiveTo";
        var bad = Path.Combine(Path.GetTempPath(), $"prices-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(bad, $"{header}\nsku_{skus[0]},metro-north,1234,USD,,\nsku_{skus[1]},metro-north,12.34,USD,,\n");
        await ops.Locator("#csv-upload").SetInputFilesAsync(bad);
        await Expect(ops.GetByTestId("problem-count")).ToHaveTextAsync("1");
        await Expect(ops.GetByTestId("problems")).ToContainTextAsync("amount");
        await Expect(ops.GetByTestId("problems").Locator("tbody tr td").First).ToHaveTextAsync("3");
        await Expect(ops.GetByTestId("import-apply")).ToHaveCountAsync(0);
        await browser.ScreenshotAsync(ops, "ops-import-preview");
        await Accessibility.AssertNoSeriousViolationsAsync(ops, "import preview");
        await using (var db = browser.App.Database.CreateContext())
            Assert.False(await db.Prices.AnyAsync(p => p.SkuId == skus[0] && p.AmountMinor == 1234));

        var good = Path.Combine(Path.GetTempPath(), $"prices-{Guid.NewGuid():N}.csv");
        await File.WriteAllTextAsync(good, $"{header}\nsku_{skus[0]},metro-north,1234,USD,,\nsku_{skus[1]},metro-north,1234,USD,,\n");
        await ops.Locator("#csv-upload").SetInputFilesAsync(good);
        await ops.GetByTestId("import-apply").ClickAsync();
        await ops.GetByRole(AriaRole.Button, new() { Name = "Apply", Exact = true }).ClickAsync();
        await Expect(ops.GetByTestId("import-report")).ToContainTextAsync("Applied");
        await using (var db = browser.App.Database.CreateContext())
            Assert.Equal(2, await db.Prices.CountAsync(p => skus.Contains(p.SkuId) && p.AmountMinor == 1234));
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task EveryAssortmentPage_PassesAxe_OnADeskAndAPhone(bool phone)
    {
        var ops = await OpsAsync(await browser.NewPageAsync(phone), "/ops/catalog");
        foreach (var (path, ready, name) in new[]
        {
            ("/ops/catalog", "catalog-table", "catalog"),
            ("/ops/categories", "category-row", "categories"),
            ("/ops/stock?store=st_1", "stock-table", "stock"),
            ("/ops/alerts", "alerts", "alerts"),
            ("/ops/coupons", "coupons", "coupons"),
            ("/ops/stores", "store-form", "stores"),
            ("/ops/imports", "csv-input", "imports"),
        })
        {
            await ops.GotoAsync(path);
            await Expect(ops.GetByTestId(ready).First).ToBeAttachedAsync();
            await CheckoutJourneyTests.WaitInteractiveAsync(ops);
            await Accessibility.AssertNoSeriousViolationsAsync(ops, $"{name} ({(phone ? "phone" : "desk")})");
            await browser.ScreenshotAsync(ops, $"ops-{name}{(phone ? "-phone" : "")}");
        }
        // The grid pages through the whole catalog.
        await ops.GotoAsync("/ops/catalog");
        await CheckoutJourneyTests.WaitInteractiveAsync(ops);
        await ops.GetByTestId("catalog-next").ClickAsync();
        await Expect(ops.GetByTestId("catalog-count")).ToContainTextAsync("page 2 of");
    }

    /// <summary>A price scheduled for tomorrow 06:00 in the portal: the storefront shows the old price until the app's clock reaches it, then the new one, with no restart.</summary>
    [Fact]
    public async Task AScheduledPrice_TakesEffectWhenTheClockReachesIt()
    {
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var app = new ClockedApp(clock);
        await app.InitializeAsync();
        var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions { BaseURL = app.BaseAddress.ToString().TrimEnd('/'), ViewportSize = new() { Width = 1280, Height = 900 } });
        context.SetDefaultTimeout(15_000);
        int productId, skuId;
        string slug;
        long before;
        await using (var db = app.Database.CreateContext())
        {
            (productId, skuId, slug) = await db.Products.Where(p => p.IsActive).OrderBy(p => p.Id).Select(p => new ValueTuple<int, int, string>(p.Id, p.Skus.First().Id, p.Slug)).FirstAsync();
            before = Price.Resolve(await db.Prices.Where(p => p.SkuId == skuId).ToListAsync(), skuId, 1, clock.GetUtcNow().UtcDateTime)!.AmountMinor;
        }
        var newYork = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var tomorrowSix = TimeZoneInfo.ConvertTime(clock.GetUtcNow(), newYork).Date.AddDays(1).AddHours(6);
        var ops = await OpsAsync(await context.NewPageAsync(), $"/ops/catalog/p_{productId}");
        await ops.GetByTestId("price-amount").FillAsync("0.99");
        await ops.GetByTestId("price-from").FillAsync(tomorrowSix.ToString("yyyy-MM-dd'T'HH:mm"));
        await ops.GetByTestId("price-save").ClickAsync();
        await Expect(ops.GetByTestId("prices")).ToContainTextAsync("Scheduled");

        var shopper = await context.NewPageAsync();
        await StorefrontJourneyTests.ChooseStoreAsync(shopper, "10013", "Downtown");
        await shopper.GotoAsync($"/p/{slug}");
        await Expect(shopper.Locator(".product-detail")).ToContainTextAsync(new Money("USD", before).Format());

        var startUtc = TimeZoneInfo.ConvertTimeToUtc(tomorrowSix, newYork);
        clock.SetUtcNow(new DateTimeOffset(startUtc.AddMinutes(-1), TimeSpan.Zero));
        await shopper.ReloadAsync();
        await Expect(shopper.Locator(".product-detail")).ToContainTextAsync(new Money("USD", before).Format());
        clock.SetUtcNow(new DateTimeOffset(startUtc, TimeSpan.Zero));
        await shopper.ReloadAsync();
        await Expect(shopper.Locator(".product-detail")).ToContainTextAsync("$0.99");
        await context.CloseAsync();
    }

    private sealed class ClockedApp(FakeTimeProvider clock) : QCommerceApp(DatabaseProvider.Sqlite, services: s => s.AddSingleton<TimeProvider>(clock)), IAsyncDisposable
    {
        ValueTask IAsyncDisposable.DisposeAsync() => new(base.DisposeAsync());
    }
}
