using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>
/// The Content-Security-Policy in a real browser: every storefront page, the PSP sandbox's page and the ops
/// portal, each used (interactive islands connect, the test-card buttons and the sort menu's script run), and
/// not one violation reported.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class ContentSecurityPolicyJourneyTests(BrowserFixture browser)
{
    private static readonly Regex AddButton = BrowserFixture.AddButton;

    [Fact]
    public async Task EveryPage_RunsUnderTheCsp_WithoutAViolation()
    {
        await browser.StockMidtownAsync();
        var page = await browser.NewPageAsync();
        var violations = await BrowserFixture.WatchCspAsync(page);
        var visited = new List<string>();
        async Task VisitAsync(string path)
        {
            var response = await page.GotoAsync(path);
            Assert.NotNull(response);
            visited.Add(path);
        }

        // Shopping, signed out: home, store picker, category (with the sort menu's script), search, product, cart, 404.
        await VisitAsync("/");
        await StorefrontJourneyTests.ChooseStoreAsync(page, "10036", "Midtown");
        await VisitAsync("/c/pantry");
        await page.GetByLabel("Sort by").SelectOptionAsync("price_asc");
        await page.WaitForURLAsync(new Regex("sort=price_asc"));
        await page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }).Nth(0).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }).Nth(1).ClickAsync();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("2");
        await VisitAsync("/search?q=milk");
        await page.GetByTestId("product-card").First.GetByRole(AriaRole.Link).First.ClickAsync();
        await Expect(page.Locator(".price-large")).ToBeVisibleAsync();
        await VisitAsync("/cart");
        await CheckoutJourneyTests.WaitInteractiveAsync(page); // the circuit connects under the policy
        await VisitAsync("/no-such-page");
        // The pages a refused form (400) and a rate limit (429) end on.
        await VisitAsync("/status/400");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "We couldn't use that request" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync(page, "status-400");
        await VisitAsync("/status/429");
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("Wait");
        await browser.ScreenshotAsync(page, "status-429");
        await VisitAsync("/account/login");

        // Signed up: checkout, the card payment on the sandbox's page (its test-card buttons are a nonce'd script), the order.
        await VisitAsync("/account/register");
        await CheckoutJourneyTests.SignUpAsync(page, "Cspa");
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true })).ToBeVisibleAsync();
        await VisitAsync("/checkout");
        await page.GetByLabel("Street and number").FillAsync("401 W 42nd Street");
        await page.GetByLabel("City").FillAsync("New York");
        await page.GetByLabel("Zip code").FillAsync("10036");
        await page.GetByTestId("place-order").ClickAsync();
        await Expect(page).ToHaveURLAsync(new Regex("/psp-sandbox/pay/cs_test_"));
        await page.GetByRole(AriaRole.Button, new() { Name = "4242 4242 4242 4242" }).ClickAsync();
        await Expect(page.GetByLabel("Card number")).ToHaveValueAsync("4242 4242 4242 4242"); // the script ran
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex(@"^Pay \$") }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Paid" })).ToBeVisibleAsync();
        visited.Add("/psp-sandbox/pay, /payments/…/return");
        await page.GetByRole(AriaRole.Link, new() { Name = "Track your order" }).ClickAsync();
        await Expect(page.GetByTestId("order-status")).ToBeVisibleAsync();
        await VisitAsync("/orders");
        await VisitAsync("/account");

        // The ops portal, as the admin.
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await VisitAsync("/ops/cash-orders");
        await page.GetByLabel("Email").FillAsync(QCommerceApp.AdminEmail);
        await page.GetByLabel("Password").FillAsync(QCommerceApp.AdminPassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Cash orders to confirm" })).ToBeVisibleAsync();
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await VisitAsync("/ops");

        Assert.True(violations.Count == 0, $"CSP violations on {string.Join(", ", visited)}:\n{string.Join("\n", violations)}");

        // And the watch itself works: an injected inline script without the nonce is refused, and reported.
        await page.EvaluateAsync("() => { const s = document.createElement('script'); s.textContent = 'window.injected = 1'; document.body.appendChild(s); }");
        Assert.Null(await page.EvaluateAsync<int?>("() => window.injected ?? null"));
        // The report travels from the page to the test through Playwright's binding.
        await Eventually.Async(() => Task.FromResult(violations.Count(v => v.Contains("script-src"))), n => n > 0, "the refused script to be reported");
    }
}
