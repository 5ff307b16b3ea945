using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>A shopper on a phone, as the walkthrough found it: shopping a category without losing their place.</summary>
[Collection(BrowserCollection.Name)]
public sealed class PhoneShopperJourneyTests(BrowserFixture browser)
{
    private static readonly System.Text.RegularExpressions.Regex AddButton = BrowserFixture.AddButton;

    [Fact]
    public async Task FiveItemsAddedFromOneCategory_KeepThePageWhereItIs_AndEachTileBecomesAStepper()
    {
        await browser.StockMidtownAsync();
        var page = await browser.NewPageAsync(phone: true);
        await StorefrontJourneyTests.ChooseStoreAsync(page, "10036", "Midtown");
        await page.GotoAsync("/c/pantry");
        var tiles = page.GetByTestId("product-card").Filter(new() { Has = page.GetByRole(AriaRole.Button, new() { NameRegex = AddButton }) });
        Assert.True(await tiles.CountAsync() >= 6, "the category has six tiles to add from");

        // Down the page, as a thumb would, adding five: no add moves the page (the old form reloaded it at the top).
        for (var i = 0; i < 5; i++)
        {
            var tile = page.GetByTestId("product-card").Nth(2 + i);
            var add = tile.GetByRole(AriaRole.Button, new() { NameRegex = AddButton });
            // Mid-screen, clear of the sticky header, so the click itself needs no scrolling.
            await add.EvaluateAsync("button => button.scrollIntoView({ block: 'center' })");
            var scrolled = await page.EvaluateAsync<double>("window.scrollY");
            Assert.True(scrolled > 100, "the page is scrolled down to the tile");
            await add.ClickAsync();
            await Expect(tile.GetByTestId("stepper-qty")).ToHaveTextAsync("1");
            await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync((i + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
            Assert.Equal(scrolled, await page.EvaluateAsync<double>("window.scrollY"), 0.5);
        }
        Assert.Equal(page.Url, page.Url.Split('?')[0]); // no reload with ?cart=
        await browser.ScreenshotAsync(page, "category-steppers-phone", fullPage: false);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "category with steppers");

        // The stepper counts up and down; at zero the tile offers "Add" again.
        var first = page.GetByTestId("product-card").Nth(2);
        await first.GetByRole(AriaRole.Button, new() { NameRegex = new("^One more ") }).ClickAsync();
        await Expect(first.GetByTestId("stepper-qty")).ToHaveTextAsync("2");
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("6");
        await first.GetByRole(AriaRole.Button, new() { NameRegex = new("^One less ") }).ClickAsync();
        await Expect(first.GetByTestId("stepper-qty")).ToHaveTextAsync("1");
        await first.GetByRole(AriaRole.Button, new() { NameRegex = new("^Remove .+ from the cart$") }).ClickAsync();
        await Expect(first.GetByRole(AriaRole.Button, new() { NameRegex = AddButton })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("4");

        // Another page of the store knows what is in the cart: its tiles are steppers from the start.
        await page.ReloadAsync();
        await Expect(page.GetByTestId("qty-stepper")).ToHaveCountAsync(4);

        // Removing a line in the cart updates the header's badge too.
        await page.GetByTestId("cart-link").ClickAsync();
        await CheckoutJourneyTests.WaitInteractiveAsync(page);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Remove ") }).First.ClickAsync();
        await Expect(page.GetByTestId("cart-line")).ToHaveCountAsync(3);
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("3");
    }
}

/// <summary>Checkout with the keyboard alone, every stop's focus visible (WCAG 2.4.7), and a forgotten password got back on a phone.</summary>
[Collection(BrowserCollection.Name)]
public sealed class KeyboardAndRecoveryJourneyTests(BrowserFixture browser)
{
    /// <summary>
    /// Presses Tab until the focused element matches <paramref name="selector"/>, checking at every stop that focus shows
    /// (an outline of some width, not "none"); returns how many stops it took.
    /// </summary>
    private static async Task<int> TabToAsync(IPage page, string selector, int most = 40)
    {
        for (var stops = 1; stops <= most; stops++)
        {
            await page.Keyboard.PressAsync("Tab");
            var focus = await page.EvaluateAsync<string[]>(@"() => {
                const e = document.activeElement, s = getComputedStyle(e);
                return [e.outerHTML.slice(0, 120), s.outlineStyle, s.outlineWidth];
            }");
            Assert.True(focus[1] != "none" && focus[2] != "0px", $"focus does not show on {focus[0]} (outline {focus[1]} {focus[2]})");
            if (await page.EvaluateAsync<bool>("s => document.activeElement?.matches(s) ?? false", selector)) return stops;
        }
        throw new Xunit.Sdk.XunitException($"{selector} was not reached in {most} tabs");
    }

    [Fact]
    public async Task Checkout_WithTheKeyboardAlone_ShowsFocusAtEveryStop_AndPlacesTheOrder()
    {
        await browser.StockMidtownAsync();
        var page = await browser.NewPageAsync();
        await StorefrontJourneyTests.ChooseStoreAsync(page, "10036", "Midtown");
        await page.GotoAsync("/account/register");
        var email = await CheckoutJourneyTests.SignUpAsync(page, "Kay");
        await page.GotoAsync("/c/pantry");
        await page.GetByRole(AriaRole.Button, new() { NameRegex = BrowserFixture.AddButton }).First.ClickAsync();
        await Expect(page.GetByTestId("cart-count")).ToHaveTextAsync("1");
        await page.GotoAsync("/checkout");
        await Expect(page.GetByTestId("place-order")).ToBeVisibleAsync();

        // From the top of the page: every link and control on the way shows its focus.
        await TabToAsync(page, "#line1");
        await page.Keyboard.TypeAsync("401 W 42nd Street");
        await TabToAsync(page, "#city");
        await page.Keyboard.TypeAsync("New York");
        await TabToAsync(page, "#phone");
        await page.Keyboard.TypeAsync("212 555 0123");
        await TabToAsync(page, "input[name=payment]");
        await page.Keyboard.PressAsync("ArrowDown"); // the radio group: card, then cash on delivery
        await Expect(page.GetByLabel("Cash on delivery")).ToBeCheckedAsync();
        await TabToAsync(page, "[data-testid=place-order]");
        await browser.ScreenshotAsync(page, "checkout-keyboard-focus", fullPage: false);
        await page.Keyboard.PressAsync("Enter");
        await Expect(page.GetByTestId("order-placed")).ToBeVisibleAsync();
        await using var db = browser.App.Database.CreateContext();
        Assert.Equal("+12125550123", await db.Orders.Where(o => db.Users.Any(u => u.Id == o.UserId && u.Email == email)).Select(o => o.ContactPhone).SingleAsync());
    }

    [Fact]
    public async Task AForgottenPassword_IsResetOnAPhone_FromTheLinkInTheEmail()
    {
        var shopper = await ApiShopper.SignUpAsync(browser.App);
        var page = await browser.NewPageAsync(phone: true);
        await page.GotoAsync("/account/login");
        await page.GetByRole(AriaRole.Link, new() { Name = "Forgot your password?" }).ClickAsync();
        // The link swaps the page in place (enhanced navigation): the sign-in page's own Email box is there until it has.
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Forgot your password?" })).ToBeVisibleAsync();
        await page.GetByLabel("Email").FillAsync(shopper.Email);
        await page.GetByRole(AriaRole.Button, new() { NameRegex = new("^Send") }).ClickAsync();
        await Expect(page.GetByTestId("reset-sent")).ToBeVisibleAsync();
        await browser.ScreenshotAsync(page, "forgot-password-sent-phone");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "forgot password");

        var mail = await Inbox.AwaitAsync(browser.App, shopper.Email, QCommerce.Core.Messages.MailKind.PasswordReset, sent: true);
        await page.GotoAsync(Inbox.LinkIn(mail).PathAndQuery);
        await page.GetByLabel("New password").FillAsync("Back-Again-2027");
        await page.GetByLabel("Confirm password").FillAsync("Back-Again-2027");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "reset password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Set password" }).ClickAsync();
        await Expect(page.GetByTestId("password-set")).ToBeVisibleAsync();
        await browser.ScreenshotAsync(page, "reset-password-done-phone");

        await page.GetByRole(AriaRole.Link, new() { Name = "Sign in" }).Last.ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Sign in" })).ToBeVisibleAsync();
        await page.GetByLabel("Email").FillAsync(shopper.Email);
        await page.GetByLabel("Password").FillAsync("Back-Again-2027");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.Locator(".account-links a[href='/account']")).ToBeVisibleAsync();
        await page.GotoAsync("/account");
        await Accessibility.AssertNoSeriousViolationsAsync(page, "account");
        Assert.True(await page.EvaluateAsync<bool>("document.documentElement.scrollWidth <= window.innerWidth"), "the account page fits the phone");
        await browser.ScreenshotAsync(page, "account-phone");
    }
}
