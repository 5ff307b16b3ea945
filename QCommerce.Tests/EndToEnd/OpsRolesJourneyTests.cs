using Microsoft.Playwright;
using QCommerce.Core.Identity;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>
/// The floor's roles in Chromium: a colleague in Support finds a customer by part of their name and refunds them within
/// their limit, seeing no action that is not theirs; a picker opens the portal on the board and sees nothing else.
/// </summary>
[Collection(BrowserCollection.Name)]
public sealed class OpsRolesJourneyTests(BrowserFixture browser)
{
    private async Task<IPage> ColleagueAsync(string role, bool phone = false)
    {
        var created = await TestStaff.InvitedAsync(browser.App, $"{role.ToLowerInvariant()}-{Guid.NewGuid():N}@qcommerce.test", $"Sam {role}", role, Demo.Midtown);
        await Inbox.AcceptInvitationAsync(browser.App, created.Member.Email);
        var page = await browser.NewPageAsync(phone);
        await page.GotoAsync("/ops");
        await page.GetByLabel("Email").FillAsync(created.Member.Email);
        await page.GetByLabel("Password").FillAsync(Inbox.ColleaguePassword);
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        return page;
    }

    [Fact]
    public async Task SupportFindsACustomerByPartOfTheirName_AndRefundsThemWithinTheLimit()
    {
        var (shopper, orderId, skus) = await Fulfillment.FulfillmentServiceTests.ChargedCardOrderAsync(browser.App, skuOffset: 172);
        var mark = Guid.NewGuid().ToString("N")[..6];
        await using (var db = browser.App.Database.CreateContext())
            await db.Users.Where(u => u.Email == shopper.Email).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, $"Ana Lima{mark}"));

        var page = await ColleagueAsync(Roles.Support);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ops/customers$")); // Support starts at the customers
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await Expect(page.Locator(".ops-drawer").GetByRole(AriaRole.Link, new() { Name = "Catalog" })).ToHaveCountAsync(0);
        await page.GetByTestId("customer-query").FillAsync($"lima{mark}");
        await page.GetByTestId("customer-find").ClickAsync();
        await page.GetByTestId("customer-results").GetByRole(AriaRole.Link, new() { Name = $"Ana Lima{mark}" }).ClickAsync();
        await Expect(page.GetByTestId("customer-orders")).ToContainTextAsync($"o_{orderId}");
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await page.GetByTestId("customer-note").FillAsync("Called about a bruised avocado; refunded one.");
        await page.GetByTestId("customer-add-note").ClickAsync();
        await Expect(page.GetByTestId("customer-notes")).ToContainTextAsync("bruised avocado");
        await browser.ScreenshotAsync(page, "ops-customer-support");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "customer page");

        await page.GetByTestId("customer-orders").GetByRole(AriaRole.Link, new() { Name = $"o_{orderId}" }).ClickAsync();
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"/ops/orders/{orderId}$"));
        await Expect(page.GetByTestId("ops-timeline")).ToBeVisibleAsync();
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await Expect(page.GetByTestId("cancel")).ToHaveCountAsync(0); // not Support's to do
        await page.GetByTestId("refund").ClickAsync();
        await page.GetByTestId($"refund-qty-{skus[1]}").FillAsync("1");
        await page.GetByTestId($"refund-qty-{skus[1]}").BlurAsync();
        await page.GetByTestId("refund-reason").FillAsync("Bruised");
        await Expect(page.GetByTestId("refund-total")).Not.ToHaveTextAsync("$0.00");
        var amount = await page.GetByTestId("refund-total").InnerTextAsync();
        await page.GetByTestId("refund-submit").ClickAsync();
        await Expect(page.GetByTestId("refunds")).ToContainTextAsync(amount);
        await browser.ScreenshotAsync(page, "ops-support-refunded");
        await page.Context.CloseAsync();
    }

    [Fact]
    public async Task APicker_OpensThePortalOnTheBoard_AndSeesNothingElse()
    {
        var page = await ColleagueAsync(Roles.Picker, phone: true);
        await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("/ops/fulfilment"));
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { Name = "Menu" }).ClickAsync();
        var links = await page.Locator(".ops-drawer a").AllInnerTextsAsync();
        Assert.Equal(["Fulfilment", "Storefront"], links.Select(l => l.Trim()).Where(l => l.Length > 0).ToList());
        await browser.ScreenshotAsync(page, "ops-picker-phone");
        foreach (var path in new[] { "/ops/catalog", "/ops/orders", "/ops/customers", "/ops/webhooks" })
        {
            await page.GotoAsync(path);
            await Expect(page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("access-denied"));
        }
        await page.Context.CloseAsync();
    }
}
