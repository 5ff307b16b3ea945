using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;
using QCommerce.Core.Payments;
using QCommerce.Web.Payments.Sandbox;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>
/// The payment provider goes down: after a few failed calls the circuit opens, checkout in a real browser says card payments
/// are briefly unavailable and takes the order cash on delivery, a card payment asked meanwhile is refused at once without
/// calling the provider, readiness says "degraded" (still 200: the shop still sells), and when the provider answers again
/// one trial call closes the circuit.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class CardsPausedJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private readonly QCommerceApp _app = new(DatabaseProvider.Sqlite, new Dictionary<string, string?>
    {
        ["Payments:PspRetries"] = "0",
        ["Payments:Circuit:MinimumThroughput"] = "2",
        ["Payments:Circuit:FailureRatio"] = "0.5",
        ["Payments:Circuit:BreakDuration"] = "00:00:03",
    });

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    private async Task<JsonElement> PaymentCheckAsync()
    {
        using var http = _app.CreateClient();
        var ready = await http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.OK, ready.StatusCode);
        return JsonDocument.Parse(await ready.Content.ReadAsStringAsync()).RootElement.GetProperty("checks").GetProperty("payment-provider");
    }

    [Fact]
    public async Task WhileThePspIsDown_CheckoutOffersCashOnDelivery_CardsAreRefusedAtOnce_AndOneTrialCallResumesThem()
    {
        var faults = _app.Services.GetRequiredService<SandboxFaults>();
        var circuit = _app.Services.GetRequiredService<PspResilience>();
        faults.FailRequests = 1000;
        var shopper = await ApiShopper.SignUpAsync(_app);
        for (var i = 0; i < 2; i++)
        {
            var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 40 + 2 * i);
            Assert.Equal(HttpStatusCode.ServiceUnavailable, (await shopper.StartPaymentAsync(orderId)).StatusCode);
        }
        Assert.True(circuit.CircuitOpen, "two failed calls of two should open the circuit");
        var check = await PaymentCheckAsync();
        Assert.Equal("Degraded", check.GetProperty("status").GetString());

        // Refused at once: the provider is not even called.
        var (third, _) = await shopper.PlaceOrderAsync(skuOffset: 50);
        var failsLeft = faults.FailRequests;
        var refused = await shopper.StartPaymentAsync(third);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.Contains("Card payments are paused", await refused.Content.ReadAsStringAsync());
        Assert.Equal(failsLeft, faults.FailRequests);

        // A shopper at checkout in a browser meanwhile.
        await using (var db = _app.Database.CreateContext())
            await db.Stock.Where(s => s.StoreId == 2).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, x => x.Reserved + 200));
        await using var context = await browser.Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = _app.BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = new() { Width = 390, Height = 844 },
            IsMobile = true,
        });
        var page = await context.NewPageAsync();
        await page.GotoAsync("/account/register");
        await CheckoutJourneyTests.SignUpAsync(page, "Robin");
        await StorefrontJourneyTests.ChooseStoreAsync(page, "10036", "Midtown");
        await page.GotoAsync("/c/pantry");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = BrowserFixture.AddButton }).Nth(0).ClickAsync();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("1");
        await page.GotoAsync("/checkout");
        await Expect(page.GetByTestId("cards-paused")).ToContainTextAsync("Card payments are briefly unavailable");
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Card" })).ToBeDisabledAsync();
        await Expect(page.GetByRole(AriaRole.Radio, new() { Name = "Cash on delivery" })).ToBeCheckedAsync();
        await page.GetByLabel("Street and number").FillAsync("401 W 42nd Street");
        await page.GetByLabel("City").FillAsync("New York");
        await page.GetByLabel("Zip code").FillAsync("10036");
        await browser.ScreenshotAsync(page, "checkout-cards-paused-phone");
        await Expect(page.GetByTestId("place-order")).ToContainTextAsync("Place order ·");
        await page.GetByTestId("place-order").ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex(@"/orders/\d+\?placed=1"));

        // The provider answers again: after the break one trial call goes through and closes the circuit.
        faults.Reset();
        var (fourth, _) = await shopper.PlaceOrderAsync(skuOffset: 52);
        var started = await Eventually.Async(() => shopper.StartPaymentAsync(fourth), r => r.StatusCode == HttpStatusCode.Created, "card payments to resume", TimeSpan.FromSeconds(10));
        Assert.Equal(HttpStatusCode.Created, started.StatusCode);
        Assert.False(circuit.CircuitOpen);
        Assert.Equal("Healthy", (await PaymentCheckAsync()).GetProperty("status").GetString());
        Assert.Contains(_app.Logs.Entries, e => e.Message.Contains("card payments are paused", StringComparison.Ordinal));
    }
}
