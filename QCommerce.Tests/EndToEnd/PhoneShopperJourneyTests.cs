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
