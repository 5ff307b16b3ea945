using System.Diagnostics;
using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using QCommerce.Core.Ordering;
using Xunit.Abstractions;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>
/// Live pages in a real browser, fed by the one change feed: what many open pages cost the database, and how soon a
/// change made on this instance or another reaches them.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class LiveUpdatesJourneyTests(BrowserFixture browser, ITestOutputHelper output)
{
    private const int Pages = 50;

    /// <summary>A shopper signed in on the storefront (the browser's cookie) and on the API (for placing orders quickly).</summary>
    private async Task<(IPage Page, ApiShopper Api, string Email)> ShopperAsync(string name)
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/account/register");
        var email = await CheckoutJourneyTests.SignUpAsync(page, name);
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true })).ToBeVisibleAsync();
        return (page, await ApiShopper.SignInAsync(browser.App, email), email);
    }

    private static int Number(string orderId) => int.Parse(orderId["o_".Length..], CultureInfo.InvariantCulture);

    [Fact]
    public async Task FiftyOpenOrderPages_CostTheDatabaseAHandfulOfQueriesASecond_AndEachShowsItsChangeAtOnce()
    {
        var (first, api, _) = await ShopperAsync("Lia");
        var orders = new List<string>();
        for (var i = 0; i < 5; i++) orders.Add((await api.PlaceOrderAsync("cod")).OrderId);

        // Ten tabs on each of five orders, all of them live (their circuits connected and following the feed).
        var tabs = new List<(IPage Page, string OrderId)>();
        for (var i = 0; i < Pages; i++)
        {
            var tab = i == 0 ? first : await first.Context.NewPageAsync();
            var order = orders[i % orders.Count];
            await tab.GotoAsync($"/orders/{Number(order)}");
            await CheckoutJourneyTests.WaitInteractiveAsync(tab);
            tabs.Add((tab, order));
        }

        // Idle: what fifty open pages cost the database.
        await Task.Delay(1_500);
        var mark = browser.Queries.Count;
        var clock = Stopwatch.StartNew();
        await Task.Delay(10_000);
        var seconds = clock.Elapsed.TotalSeconds;
        var idle = browser.Queries.CommandsSince(mark);
        // The outbox dispatcher looks for work on its own clock, pages open or not: not what the pages cost. Idle, it looks
        // less and less often, down to once in five seconds (a commit here wakes it at once). So do the other jobs (slots,
        // reservation expiry, key purge, the stock and catalog checks), now and then inside these ten seconds: what the
        // pages cost is the change feed's look at each source, shared by all of them.
        var forDispatcher = idle.Count(q => q.Contains("OutboxMessages", StringComparison.Ordinal));
        var forPages = idle.Count(q => q.Contains("\"UpdatedAtUtc\" >= @sinceUtc", StringComparison.Ordinal));
        Assert.True(idle.Count - forDispatcher - forPages <= 20, $"the jobs' queries:\n{browser.Queries.Since(mark)}");
        var perSecond = forPages / seconds;
        output.WriteLine($"{Pages} open order pages, idle: {forPages} queries in {seconds:0.0} s = {perSecond:0.0}/s (the outbox dispatcher's: {forDispatcher / seconds:0.0}/s)");
        // Three sources once a second, whatever the number of pages; a window of ten seconds can hold eleven looks at its edges.
        Assert.True(forPages <= 3 * (Math.Floor(seconds) + 1), $"{perSecond:0.00} queries a second for {Pages} idle pages:\n{browser.Queries.Since(mark)}");
        Assert.True(forDispatcher / seconds <= 0.6, $"the idle outbox dispatcher asked {forDispatcher} times in {seconds:0.0} s");

        // Ops confirm one order: its ten pages show it within two seconds, without a reload; the others load nothing.
        var confirmed = orders[0];
        mark = browser.Queries.Count;
        clock.Restart();
        await browser.App.Services.GetRequiredService<StaffOrderService>().ConfirmCashOrderAsync(TestStaff.Admin, Number(confirmed));
        foreach (var (tab, _) in tabs.Where(t => t.OrderId == confirmed))
            await Expect(tab.GetByTestId("order-status")).ToHaveTextAsync("Confirmed", new() { Timeout = 2_000 });
        var shownAfter = clock.Elapsed;
        await Task.Delay(1_000);
        var change = browser.Queries.Count - mark;
        output.WriteLine($"A confirmed order shown on its {Pages / orders.Count} pages in {shownAfter.TotalMilliseconds:0} ms; {change} queries for the change and its reloads");
        foreach (var (tab, _) in tabs.Where(t => t.OrderId != confirmed).Take(3))
            await Expect(tab.GetByTestId("order-status")).ToHaveTextAsync("Waiting for the store");
        await browser.ScreenshotAsync(tabs[0].Page, "order-confirmed-live");

        File.WriteAllText(Path.Combine(Artifacts.Folder("measurements"), "live-pages.txt"),
            $"{Pages} open order pages, idle: {perSecond:0.0} queries/s for the pages ({forPages} in {seconds:0.0} s), {forDispatcher / seconds:0.0}/s the outbox dispatcher's\n"
            + $"confirmation shown on {Pages / orders.Count} pages after {shownAfter.TotalMilliseconds:0} ms, {change} queries\n");
        await first.Context.CloseAsync();
    }

    /// <summary>What a page whose browser vanished may hold: bench/live-pages.sh weighs a page at under 200 KB.</summary>
    [Fact]
    public void ACutOffPage_IsKeptForAReconnect_OneMinuteAtMost_AndAHundredAtMost()
    {
        var circuits = browser.App.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<Microsoft.AspNetCore.Components.Server.CircuitOptions>>().Value;
        Assert.Equal(TimeSpan.FromMinutes(1), circuits.DisconnectedCircuitRetentionPeriod);
        Assert.Equal(100, circuits.DisconnectedCircuitMaxRetained);
    }

    [Fact]
    public async Task AChangeMadeOnAnotherInstance_ReachesAnOpenPageHere_WithinTwoSeconds()
    {
        var (page, api, email) = await ShopperAsync("Noor");
        var (orderId, _) = await api.PlaceOrderAsync("cod");
        await page.GotoAsync($"/orders/{Number(orderId)}");
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("order-status")).ToHaveTextAsync("Waiting for the store");

        // A second instance of the app on the same database: the shopper cancels there, from their phone.
        var other = new QCommerceApp(DatabaseProvider.Sqlite, sharedDatabase: browser.App.Database);
        await other.InitializeAsync();
        try
        {
            var phone = await ApiShopper.SignInAsync(other, email);
            Assert.Equal(HttpStatusCode.Accepted, (await phone.PostAsync($"/v1/orders/{orderId}/cancel", new { reason = "ordered twice" }, null)).StatusCode);
            await Expect(page.GetByTestId("order-status")).ToHaveTextAsync("Cancelled", new() { Timeout = 2_000 });
            await Expect(page.GetByTestId("timeline")).ToContainTextAsync("ordered twice");
        }
        finally
        {
            await other.DisposeAsync();
        }
        await page.Context.CloseAsync();
    }
}
