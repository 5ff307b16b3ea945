using System.Net;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>
/// An admin in Chromium adds a webhook endpoint, copies its secret (shown once), watches the delivery log fill as a shopper
/// orders, sees a delivery fail while the receiver is down and sends it again; a disabled endpoint shows on the dashboard.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OpsWebhooksJourneyTests(BrowserFixture browser) : IAsyncLifetime
{
    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private async Task<IPage> AdminAsync(string path, bool phone = false) => await BrowserFixture.SignedInAsync(await browser.NewPageAsync(phone), path);

    [Fact]
    public async Task AnAdmin_AddsAnEndpoint_WatchesItsLogFill_AndSendsAgainWhatFailedWhileTheReceiverWasDown()
    {
        var page = await AdminAsync("/ops/webhooks");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "webhooks");
        var url = _receiver.Url("journey").ToString();
        await page.GetByTestId("webhook-url").FillAsync(url);
        await page.GetByTestId("webhook-description").FillAsync("Rider fleet");
        await page.GetByTestId("webhook-save").ClickAsync();
        var secret = await page.GetByTestId("webhook-secret").TextContentAsync();
        Assert.StartsWith("whsec_", secret);
        await browser.ScreenshotAsync(page, "webhooks-secret-shown");
        await page.GetByRole(AriaRole.Button, new() { Name = "I have kept it" }).ClickAsync();
        await Expect(page.GetByTestId("webhook-secret")).ToHaveCountAsync(0);

        await page.GetByTestId("webhook-table").GetByRole(AriaRole.Link, new() { Name = url }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ops/webhooks/wh_[0-9]+$"));
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await Expect(page.GetByText("Nothing sent yet")).ToBeVisibleAsync();

        // A shopper orders (cash, from their own app): the log fills by itself.
        var shopper = await ApiShopper.SignUpAsync(browser.App);
        var (orderId, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 150);
        var log = page.GetByTestId("delivery-log");
        var placed = log.Locator("tr", new() { HasText = orderId }).Filter(new() { HasText = "order.placed" });
        await Expect(placed.GetByTestId("delivery-state")).ToHaveTextAsync("Delivered");
        await Expect(placed).ToContainTextAsync("HTTP 200");

        // Their server goes down; staff confirm the order: that delivery fails and waits for its next try.
        _receiver.Answer("journey", 503);
        var admin = await ApiShopper.SignInAsync(browser.App, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);
        await ApiShopper.JsonAsync(await admin.PostAsync($"/v1/ops/orders/{orderId}/confirm", null, null), HttpStatusCode.OK);
        var confirmed = log.Locator("tr", new() { HasText = orderId }).Filter(new() { HasText = "order.status_changed" });
        await Expect(confirmed.GetByTestId("delivery-state")).ToContainTextAsync("Retry in");
        await Expect(confirmed).ToContainTextAsync("HTTP 503");
        await confirmed.GetByRole(AriaRole.Button, new() { Name = "Details" }).ClickAsync();
        await Expect(page.GetByTestId("delivery-detail")).ToContainTextAsync("\"status\":\"confirmed\"");
        await browser.ScreenshotAsync(page, "webhook-log-failing");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "webhook delivery log");

        // Back up: "send again" on the row, and the log says it arrived.
        _receiver.Answer("journey", 200);
        await confirmed.GetByTestId("delivery-send-again").ClickAsync();
        await Expect(confirmed.GetByTestId("delivery-state")).ToHaveTextAsync("Delivered");
        var got = _receiver.At("journey").Where(r => r.Data.GetProperty("order").GetString() == orderId).ToList();
        // Placed, then the confirmation: refused (once, or again on its 5-second retry) and finally taken, always under one webhook-id.
        Assert.Equal(["order.placed", "order.status_changed"], got.Select(r => r.Type).Distinct());
        Assert.Single(got.Where(r => r.Type == "order.status_changed").Select(r => r.Id).Distinct());
        Assert.All(got, r => Assert.True(r.VerifiesWith(secret!), $"{r.Type} verifies with the secret the page showed"));

        // Disabled, it is named on the dashboard until enabled again.
        await page.GetByTestId("webhook-disable").ClickAsync();
        await Expect(page.GetByTestId("webhook-disabled")).ToBeVisibleAsync();
        var phone = await AdminAsync("/ops", phone: true);
        await Expect(phone.GetByTestId("webhook-disabled-notice").Filter(new() { HasText = url })).ToBeVisibleAsync();
        await browser.ScreenshotAsync(phone, "dashboard-webhook-disabled-phone");
        await phone.GotoAsync(page.Url);
        await CheckoutJourneyTests.WaitInteractiveAsync(phone);
        await browser.ScreenshotAsync(phone, "webhook-log-phone");
        await page.GetByTestId("webhook-enable").ClickAsync();
        await Expect(page.GetByTestId("webhook-state")).ToHaveTextAsync("On");
        // The log page reads itself every few seconds while open: closed, it costs the shared app nothing more.
        await phone.Context.CloseAsync();
        await page.Context.CloseAsync();
    }
}
