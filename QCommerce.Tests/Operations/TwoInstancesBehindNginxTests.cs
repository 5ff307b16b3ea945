using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Playwright;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Messages;
using QCommerce.Tests.EndToEnd;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.Operations;

/// <summary>
/// QCommerce as it runs in production, without Docker: two instances over one PostgreSQL (and one shared folder for the
/// sandbox PSP's state and the pictures, as compose.yaml shares a volume), behind Debian's nginx started with the
/// repository's own configuration. A shopper in Chromium signs up, checks out and pays by card through the proxy, staying
/// on one instance (its Blazor circuit is there); a colleague's action on the other instance reaches the shopper's open
/// order page within two seconds; every outbox message is delivered once between the two; both instances' /metrics pass
/// promtool.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class TwoInstancesBehindNginxTests(BrowserFixture browser)
{
    [Fact]
    public async Task AShopperThroughTheProxy_PaysByCard_AndSeesAColleaguesActionOnTheOtherInstanceWithinTwoSeconds()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var shared = Directory.CreateTempSubdirectory("qcommerce-shared-");
        try
        {
            var settings = new Dictionary<string, string?>
            {
                ["Payments:Sandbox:DataPath"] = Path.Combine(shared.FullName, "psp-sandbox.db"),
                ["Media:Root"] = Path.Combine(shared.FullName, "media"),
            };
            await using var a = new QCommerceApp(DatabaseProvider.Postgres, settings, sharedDatabase: database);
            await using var b = new QCommerceApp(DatabaseProvider.Postgres, settings, sharedDatabase: database);
            await Task.WhenAll(a.InitializeAsync(), b.InitializeAsync()); // they start together, as compose starts them
            await using (var db = database.CreateContext())
                await db.Stock.Where(s => s.StoreId == 2).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, x => x.Reserved + 200));
            await using var nginx = await Nginx.StartAsync(a.BaseAddress, b.BaseAddress);

            await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
            {
                BaseURL = nginx.Address.ToString().TrimEnd('/'),
                ViewportSize = new() { Width = 390, Height = 844 },
                IsMobile = true,
            });
            var page = await context.NewPageAsync();
            await page.GotoAsync("/account/register");
            await CheckoutJourneyTests.SignUpAsync(page, "Noor");
            await StorefrontJourneyTests.ChooseStoreAsync(page, "10036", "Midtown");
            await page.GotoAsync("/c/pantry");
            await page.GetByRole(AriaRole.Button, new() { NameRegex = BrowserFixture.AddButton }).Nth(0).ClickAsync();
            await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("1");
            await page.GotoAsync("/checkout");
            await page.GetByLabel("Street and number").FillAsync("401 W 42nd Street");
            await page.GetByLabel("City").FillAsync("New York");
            await page.GetByLabel("Zip code").FillAsync("10036");
            await page.GetByTestId("place-order").ClickAsync();

            // The PSP's page is the proxy's too: its links are built from the address the shopper used.
            await Expect(page).ToHaveURLAsync(new Regex("^" + Regex.Escape(nginx.Address.ToString()) + "psp-sandbox/pay/cs_test_"));
            await page.GetByRole(AriaRole.Button, new() { Name = "4242 4242 4242 4242" }).ClickAsync();
            await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(@"^Pay \$") }).ClickAsync();
            await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Paid" })).ToBeVisibleAsync();
            var track = await page.GetByRole(AriaRole.Link, new() { Name = "Track your order" }).GetAttributeAsync("href");

            // The order page, on the instance the shopper's cookie keeps them on (every request of theirs went there, by
            // nginx's log); the colleague works on the other.
            await page.GotoAsync(track!);
            await Expect(page.GetByTestId("order-status")).ToHaveTextAsync("Paid");
            var node = (await context.CookiesAsync()).Single(c => c.Name == "qc_node").Value;
            var theirs = nginx.AccessLog.Where(r => r.Node == node).ToList();
            Assert.Contains(theirs, r => r.Path.StartsWith("/orders/", StringComparison.Ordinal));
            Assert.Contains(theirs, r => r.Path.StartsWith("/_blazor", StringComparison.Ordinal));
            var instance = Assert.Single(theirs.Select(r => r.Instance).Distinct());
            var (shoppers, colleagues) = instance == a.BaseAddress.Authority ? (a, b) : (b, a);
            Assert.Equal(shoppers.BaseAddress.Authority, instance);
            await CheckoutJourneyTests.WaitInteractiveAsync(page);
            var orderId = int.Parse(Regex.Match(page.Url, @"/orders/(\d+)").Groups[1].Value, System.Globalization.CultureInfo.InvariantCulture);
            await colleagues.Services.GetRequiredService<FulfillmentService>().StartPickingAsync(TestStaff.Admin, orderId);
            await Expect(page.GetByTestId("order-status")).ToHaveTextAsync("Being picked", new() { Timeout = 2000 });
            await browser.ScreenshotAsync(page, "two-instances-order-picking-phone");

            // Every event delivered once, by one instance or the other, and each e-mail written once between them.
            await Eventually.Async(async () =>
            {
                await using var db = database.CreateContext();
                return await db.OutboxMessages.CountAsync(m => m.ProcessedAtUtc == null);
            }, waiting => waiting == 0, "both instances' outboxes to be empty");
            await using (var db = database.CreateContext())
            {
                Assert.Empty(await db.OutboxMessages.Where(m => m.Attempts != 1).Select(m => m.Type + " " + m.Attempts).ToListAsync());
                Assert.True(await db.OutboxMessages.CountAsync() >= 5);
            }
            var mails = new[] { a, b }.Select(app => app.Services.GetRequiredService<IOptions<MailOptions>>().Value.PickupDirectory)
                .Where(Directory.Exists).SelectMany(folder => Directory.GetFiles(folder, "*.eml")).ToList();
            Assert.NotEmpty(mails);
            var ids = mails.Select(f => File.ReadLines(f).First(l => l.StartsWith("Message-Id:", StringComparison.OrdinalIgnoreCase))).ToList();
            Assert.Equal(ids.Count, ids.Distinct().Count());

            foreach (var app in new[] { a, b })
            {
                using var http = app.CreateClient();
                var check = await Promtool.CheckMetricsAsync(await http.GetStringAsync("/metrics"));
                Assert.True(check.ExitCode == 0, $"promtool check metrics said: {check.Output}");
            }
            using (var outside = new HttpClient { BaseAddress = nginx.Address })
                foreach (var path in new[] { "/metrics", "/metrics/", "/METRICS/", "/Metrics/x", "/metrics?x=1" })
                    Assert.Equal((path, System.Net.HttpStatusCode.NotFound), (path, (await outside.GetAsync(path)).StatusCode));
            Assert.DoesNotContain("[error]", nginx.ErrorLog, StringComparison.Ordinal);
        }
        finally
        {
            Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
            shared.Delete(recursive: true);
        }
    }
}
