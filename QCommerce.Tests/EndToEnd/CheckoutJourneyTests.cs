using System.Text.RegularExpressions;
using Microsoft.Playwright;
using QCommerce.Core.Ordering;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>A shopper buys in a real browser: cart, sign-in, coupon, slot, cash on delivery, live tracking.</summary>
[Collection(BrowserCollection.Name)]
public sealed class CheckoutJourneyTests(BrowserFixture browser)
{
    private static readonly Regex AddButton = BrowserFixture.AddButton;

    private async Task<int> OrderCountAsync(string email)
    {
        await using var db = browser.App.Database.CreateContext();
        return await db.Orders.CountAsync(o => db.Users.Any(u => u.Id == o.UserId && u.Email == email));
    }

    /// <summary>Prerendered islands show their HTML before the circuit connects; clicks count only after.</summary>
    internal static Task WaitInteractiveAsync(IPage page) =>
        Expect(page.Locator("[data-interactive=true]")).ToBeVisibleAsync();

    /// <summary>Fills the sign-up form the page is on and submits it; returns the new account's email.</summary>
    internal static async Task<string> SignUpAsync(IPage page, string name)
    {
        var email = $"{name.ToLowerInvariant()}-{Guid.NewGuid():N}@example.com";
        await page.GetByLabel("Your name").FillAsync(name);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Groceries-2026");
        await page.GetByLabel("Confirm password").FillAsync("Groceries-2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        return email;
    }

    [Fact]
    public async Task Shopper_FillsACart_SignsUp_UsesACouponAndASlot_PaysCashOnDelivery_AndWatchesTheOrderLive()
    {
        await browser.StockMidtownAsync();
        var page = await browser.NewPageAsync();
        await StorefrontJourneyTests.ChooseStoreAsync(page, "10036", "Midtown");

        // Two categories, and several of one product from its page, to pass the coupon's $20 minimum.
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Categories" }).GetByRole(AriaRole.Link, new() { Name = "Dairy & Eggs" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }).First.ClickAsync();
        await Expect(page.GetByTestId("cart-notice")).ToContainTextAsync("Added to your cart");
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("1");
        await page.GetByRole(AriaRole.Navigation, new() { Name = "Categories" }).GetByRole(AriaRole.Link, new() { Name = "Bakery" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { NameRegex = new Regex("Sourdough|Bread|Bagel|Croissant") }).First.ClickAsync();
        await page.GetByLabel("Quantity").SelectOptionAsync("6");
        await page.GetByRole(AriaRole.Button, new() { Name = "Add to cart" }).ClickAsync();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("7");

        await page.GetByTestId("cart-link").ClickAsync();
        await Expect(page.GetByTestId("cart-line")).ToHaveCountAsync(2);
        await WaitInteractiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^One more") }).First.ClickAsync();
        await Expect(page.GetByTestId("line-qty").First).ToHaveTextAsync("2");
        await browser.ScreenshotAsync(page, "cart");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "cart");

        // Checking out asks to sign in; a new shopper signs up and keeps the cart.
        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in to check out" }).ClickAsync();
        await page.GetByRole(AriaRole.Link, new() { Name = "Create an account" }).ClickAsync();
        var email = await SignUpAsync(page, "Bea");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Checkout" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("8");

        await page.GetByLabel("Street and number").FillAsync("401 W 42nd Street");
        await page.GetByLabel("City").FillAsync("New York");
        await page.GetByLabel("Zip code").FillAsync("10036");
        await page.GetByLabel("Coupon code").FillAsync("welcome10");
        await page.GetByRole(AriaRole.Button, new() { Name = "Apply" }).ClickAsync();
        await Expect(page.GetByTestId("coupon-message")).ToContainTextAsync("WELCOME10: 10% off");
        await Expect(page.GetByTestId("discount")).ToBeVisibleAsync();
        await page.GetByText("Choose a slot").ClickAsync();
        await page.GetByTestId("slot").Nth(2).ClickAsync();
        await Expect(page.GetByTestId("slot").Nth(2)).ToHaveAttributeAsync("aria-checked", "true");
        await page.GetByText("Cash on delivery").ClickAsync();
        await browser.ScreenshotAsync(page, "checkout");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "checkout");

        // A double click places one order.
        await page.GetByTestId("place-order").DblClickAsync();
        await Expect(page.GetByTestId("order-placed")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("order-status")).ToHaveTextAsync("Waiting for the store");
        await Expect(page.GetByTestId("delivery-promise")).ToContainTextAsync("between");
        await Expect(page.GetByTestId("discount")).ToBeVisibleAsync();
        Assert.Equal(1, await OrderCountAsync(email));
        await browser.ScreenshotAsync(page, "order-placed");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "order page");

        // Another shopper who has the link sees no such page.
        var stranger = await browser.NewPageAsync();
        await stranger.GotoAsync("/account/register");
        await SignUpAsync(stranger, "Cal");
        await Expect(stranger.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true })).ToBeVisibleAsync();
        var strangerVisit = await stranger.GotoAsync(page.Url);
        Assert.Equal(404, strangerVisit!.Status);
        await Expect(stranger.GetByRole(AriaRole.Heading, new() { Name = "We couldn't find that page" })).ToBeVisibleAsync();
        await Expect(stranger.GetByText("There is no such order in your account")).ToBeVisibleAsync(); // not the product wording
        await Expect(stranger.GetByTestId("timeline")).ToHaveCountAsync(0);

        await page.GetByRole(AriaRole.Link, new() { Name = "Orders", Exact = true }).ClickAsync();
        await Expect(page.GetByTestId("order-row")).ToHaveCountAsync(1);
        await Expect(page.GetByTestId("order-row").GetByTestId("order-status")).ToHaveTextAsync("Waiting for the store");
        await browser.ScreenshotAsync(page, "my-orders");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "my orders");
        await page.GetByTestId("order-row").GetByRole(AriaRole.Link).ClickAsync();
        await Expect(page.GetByTestId("timeline-entry")).ToHaveCountAsync(1);

        // A change made elsewhere (here: the shopper's other tab) reaches this page without a reload.
        var other = await page.Context.NewPageAsync();
        await other.GotoAsync(page.Url);
        await WaitInteractiveAsync(other);
        await WaitInteractiveAsync(page);
        await other.GetByRole(AriaRole.Button, new() { Name = "Cancel order" }).ClickAsync();
        await other.GetByRole(AriaRole.Button, new() { Name = "Yes, cancel it" }).ClickAsync();
        await Expect(other.GetByTestId("order-status")).ToHaveTextAsync("Cancelled");
        await Expect(page.GetByTestId("order-status")).ToHaveTextAsync("Cancelled", new() { Timeout = 2_000 });
        await Expect(page.GetByTestId("timeline-entry")).ToHaveCountAsync(2);
        await Expect(page.GetByTestId("timeline")).ToContainTextAsync("Cancelled by the shopper");
        await browser.ScreenshotAsync(page, "order-cancelled-live");

        // Reorder fills the cart again with what is still sold.
        await page.GetByRole(AriaRole.Button, new() { Name = "Order these items again" }).ClickAsync();
        await Expect(page.GetByTestId("reorder-notice")).ToContainTextAsync("2 items from your order went into the cart");
        await Expect(page.GetByTestId("cart-line")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task Checkout_StartsFromTheStoresZip_KeepsTheAddressAndPhone_AndOffersThemNextTime()
    {
        await browser.StockMidtownAsync();
        var page = await browser.NewPageAsync(phone: true);
        await StorefrontJourneyTests.ChooseStoreAsync(page, "10036", "Midtown");
        await page.GotoAsync("/account/register");
        var email = await SignUpAsync(page, "Dee");
        await page.GotoAsync("/c/pantry");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }).First.ClickAsync();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("1");

        await page.GotoAsync("/checkout");
        await Expect(page.GetByLabel("Zip code")).ToHaveValueAsync("10036"); // the zip the store was chosen for
        await Expect(page.GetByTestId("save-address")).ToBeCheckedAsync();  // a first address is kept unless they say no
        await page.GetByLabel("Street and number").FillAsync("401 W 42nd Street");
        await page.GetByLabel("City").FillAsync("New York");
        await page.GetByTestId("phone").FillAsync("555 0142");
        await page.GetByTestId("instructions").FillAsync("Buzz 4B\nthird floor");
        await page.GetByText("Cash on delivery").ClickAsync();
        await page.GetByTestId("place-order").ClickAsync();
        await Expect(page.GetByTestId("checkout-errors")).ToBeVisibleAsync();
        await Expect(page.GetByText("is not a phone number we can call")).ToBeVisibleAsync();
        Assert.Equal(0, await OrderCountAsync(email));
        await Expect(page.GetByLabel("Street and number")).ToHaveValueAsync("401 W 42nd Street"); // nothing typed is lost

        await page.GetByTestId("phone").FillAsync("212 555 0142");
        await browser.ScreenshotAsync(page, "checkout-contact-phone");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "checkout with contact");
        await page.GetByTestId("place-order").ClickAsync();
        await Expect(page.GetByTestId("order-placed")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("delivery-phone")).ToHaveTextAsync("(212) 555-0142");
        await Expect(page.GetByTestId("delivery-instructions")).ToContainTextAsync("Buzz 4B; third floor");

        await page.GotoAsync("/account");
        await Expect(page.GetByTestId("address-list")).ToContainTextAsync("For the rider: Buzz 4B; third floor");
        await Expect(page.GetByTestId("account-phone")).ToHaveValueAsync("(212) 555-0142");

        // The next checkout offers all of it; the note can change for this one order.
        await page.GotoAsync("/c/pantry");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }).First.ClickAsync();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("1");
        await page.GotoAsync("/checkout");
        await Expect(page.GetByTestId("saved-address")).ToBeCheckedAsync();
        await Expect(page.GetByTestId("phone")).ToHaveValueAsync("(212) 555-0142");
        await Expect(page.GetByTestId("instructions")).ToHaveValueAsync("Buzz 4B; third floor");
        await page.GetByTestId("instructions").FillAsync("Leave it with the doorman");
        await page.GetByText("Cash on delivery").ClickAsync();
        await browser.ScreenshotAsync(page, "checkout-remembered-phone");
        await page.GetByTestId("place-order").ClickAsync();
        await Expect(page.GetByTestId("order-placed")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("delivery-instructions")).ToContainTextAsync("Leave it with the doorman");

        // Still waiting for the store: the shopper changes its address (and their mind about the note) from its page.
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await page.GetByTestId("change-order").ClickAsync();
        await page.GetByLabel("Apartment, floor (optional)").FillAsync("Apt 5C");
        await page.GetByLabel("Instructions for the rider").FillAsync("Call on arrival");
        await page.GetByLabel("Phone for the rider").FillAsync("call me");
        await page.GetByTestId("save-order-changes").ClickAsync();
        await Expect(page.GetByText("is not a phone number we can call")).ToBeVisibleAsync(); // refused, nothing changed, nothing lost
        await Expect(page.GetByLabel("Apartment, floor (optional)")).ToHaveValueAsync("Apt 5C");
        await page.GetByLabel("Phone for the rider").FillAsync("(212) 555-0199");
        await browser.ScreenshotAsync(page, "order-change-phone");
        await page.GetByTestId("save-order-changes").ClickAsync();
        await Expect(page.GetByTestId("order-changed")).ToContainTextAsync("Your order is changed");
        await Expect(page.GetByTestId("delivery-contact")).ToContainTextAsync("Apt 5C");
        await Expect(page.GetByTestId("delivery-instructions")).ToContainTextAsync("Call on arrival");
        await Expect(page.GetByTestId("delivery-phone")).ToHaveTextAsync("(212) 555-0199");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "order changed");

        await using var db = browser.App.Database.CreateContext();
        var orders = await db.Orders.Where(o => db.Users.Any(u => u.Id == o.UserId && u.Email == email)).OrderBy(o => o.Id)
            .Select(o => new { o.ContactPhone, o.DeliveryInstructions }).ToListAsync();
        Assert.Equal(["+12125550142", "+12125550199"], orders.Select(o => o.ContactPhone));
        Assert.Equal(["Buzz 4B; third floor", "Call on arrival"], orders.Select(o => o.DeliveryInstructions));
    }

    [Fact]
    public async Task ANewVisitorsTwoQuickAdds_LandInOneCart_EvenWhenTheFirstIsSlow()
    {
        await browser.StockMidtownAsync();
        var page = await browser.NewPageAsync();
        await StorefrontJourneyTests.ChooseStoreAsync(page, "10036", "Midtown");
        await page.GotoAsync("/c/pantry");
        // The first add is held before it reaches the server, so the second is ready to go while no cart exists yet.
        var gate = new TaskCompletionSource();
        var adds = 0;
        await page.RouteAsync("**/cart/add", async route =>
        {
            if (Interlocked.Increment(ref adds) == 1) await gate.Task;
            await route.ContinueAsync();
        });
        await page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }).Nth(0).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }).Nth(1).ClickAsync();
        gate.SetResult();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("2");
        await page.GotoAsync("/cart");
        await Expect(page.GetByTestId("cart-line")).ToHaveCountAsync(2);
    }

    [Fact]
    public async Task Cart_OnAPhone_ShowsLinesAndSummaryWithoutSidewaysScrolling()
    {
        await browser.StockMidtownAsync();
        var page = await browser.NewPageAsync(phone: true);
        await StorefrontJourneyTests.ChooseStoreAsync(page, "10036", "Midtown");
        await page.GotoAsync("/c/pantry");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }).Nth(0).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }).Nth(1).ClickAsync();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("2"); // both adds answered before the page is left
        await page.GotoAsync("/cart");
        await Expect(page.GetByTestId("cart-line")).ToHaveCountAsync(2);
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"));
        await browser.ScreenshotAsync(page, "cart-phone");
    }
}
