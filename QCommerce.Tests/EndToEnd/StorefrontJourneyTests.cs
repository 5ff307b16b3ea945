using System.Text.RegularExpressions;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace QCommerce.Tests.EndToEnd;

/// <summary>What a shopper does in a real browser: choose a store, browse, search, open a product, sign up.</summary>
[Collection(BrowserCollection.Name)]
public sealed class StorefrontJourneyTests(BrowserFixture browser)
{
    internal static async Task ChooseStoreAsync(IPage page, string zip, string storeName)
    {
        await page.GotoAsync("/store");
        await page.GetByLabel("Delivery zip code").FillAsync(zip);
        await page.GetByRole(AriaRole.Button, new() { Name = "Find my store" }).ClickAsync();
        await page.GetByRole(AriaRole.Button, new() { Name = $"Shop at {storeName}" }).ClickAsync();
        await Expect(page.GetByTestId("store-chip")).ToContainTextAsync(storeName);
    }

    [Fact]
    public async Task Shopper_ChoosesAStore_Browses_Searches_AndOpensAProduct()
    {
        var page = await browser.NewPageAsync();
        await page.GotoAsync("/");
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Groceries at your door in minutes" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync(page, "01-home-no-store");

        await page.GetByLabel("Delivery zip code").FillAsync("10013");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find my store" }).ClickAsync();
        await Expect(page.GetByTestId("store-option")).ToHaveCountAsync(1);
        await browser.ScreenshotAsync(page, "02-store-picker");
        await page.GetByRole(AriaRole.Button, new() { Name = "Shop at Downtown" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Delivering from Downtown" })).ToBeVisibleAsync();
        await browser.ScreenshotAsync(page, "03-home-with-store");

        await page.GetByRole(AriaRole.Navigation, new() { Name = "Categories" }).GetByRole(AriaRole.Link, new() { Name = "Dairy & Eggs" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Dairy & Eggs", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("product-card")).ToHaveCountAsync(16);
        await Expect(page.GetByTestId("product-card").First.Locator(".price")).ToHaveTextAsync(new Regex(@"^\$\d+\.\d\d$"));
        await browser.ScreenshotAsync(page, "04-category");

        // The menu sorts on change through site.js: on a busy machine the page may show before its scripts have run.
        await page.WaitForLoadStateAsync(LoadState.Load);
        // The sorted page may arrive by Blazor's enhanced navigation, which fires no "load": wait for the address, then the grid.
        // A change made while enhanced navigation was still patching the page can land on a menu it then replaces (a full run
        // saw the address never move): choose again until it does.
        for (var tries = 1; ; tries++)
        {
            await page.GetByLabel("Sort by").SelectOptionAsync("price_asc");
            try
            {
                await page.WaitForURLAsync(new Regex("sort=price_asc"), new() { WaitUntil = WaitUntilState.Commit, Timeout = 5_000 });
                break;
            }
            catch (TimeoutException) when (tries < 3)
            {
            }
        }
        await Expect(page.GetByTestId("product-card")).ToHaveCountAsync(16);
        // Until the sorted grid has replaced the first one, the prices may still be in the category's own order.
        var cents = await Eventually.Async(async () => (await page.Locator("[data-testid=product-card] .price").AllTextContentsAsync())
                .Select(p => decimal.Parse(p.TrimStart('$'), System.Globalization.CultureInfo.InvariantCulture)).ToList(),
            c => c.SequenceEqual(c.Order()), "the grid to be sorted by price");
        Assert.Equal(16, cents.Count);

        await page.GetByRole(AriaRole.Combobox, new() { Name = "Search products" }).FillAsync("chobani");
        await page.GetByRole(AriaRole.Button, new() { Name = "Search", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Results for “chobani”" })).ToBeVisibleAsync();
        await Expect(page.GetByTestId("product-card")).ToHaveCountAsync(2);
        await browser.ScreenshotAsync(page, "05-search");

        await page.GetByRole(AriaRole.Link, new() { Name = "Greek Yogurt Plain" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Greek Yogurt Plain", Level = 1 })).ToBeVisibleAsync();
        await Expect(page.Locator(".price-large")).ToHaveTextAsync("$4.49");
        await Expect(page.GetByText("at Downtown")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("availability")).ToHaveTextAsync(new Regex("In stock|Only \\d+ left|Sold out"));
        await browser.ScreenshotAsync(page, "06-product");
    }

    [Fact]
    public async Task Shopper_MisspellsASearch_GetsSuggestionsWhileTyping_AndOpensOneWithTheKeyboard()
    {
        var page = await browser.NewPageAsync(phone: true);
        await ChooseStoreAsync(page, "10036", "Midtown");
        var box = page.GetByRole(AriaRole.Combobox, new() { Name = "Search products" });
        await box.FocusAsync();
        await page.Keyboard.TypeAsync("yogrt");
        var suggestions = page.GetByTestId("search-suggestions").GetByRole(AriaRole.Option);
        await Expect(page.GetByTestId("search-suggestions")).ToHaveAttributeAsync("data-query", "yogrt");
        await Expect(suggestions.First).ToBeVisibleAsync();
        await Expect(box).ToHaveAttributeAsync("aria-expanded", "true");
        await page.Keyboard.PressAsync("ArrowDown");
        await Expect(suggestions.First).ToHaveAttributeAsync("aria-selected", "true");
        await Expect(box).ToHaveAttributeAsync("aria-activedescendant", "suggestion-0");
        var title = (await suggestions.First.TextContentAsync())!;
        await browser.ScreenshotAsync(page, "search-suggestions-phone", fullPage: false);
        await Accessibility.AssertNoSeriousViolationsAsync(page, "search suggestions");
        await Expect(box).ToBeFocusedAsync();
        await Expect(suggestions.First).ToHaveAttributeAsync("aria-selected", "true");
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/p/"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Level = 1 })).ToContainTextAsync("Yogurt");
        Assert.Contains("Yogurt", title);

        // The search page forgives the same typo; Escape closes the list and Enter then searches.
        await box.FillAsync("");
        await box.FocusAsync();
        await page.Keyboard.TypeAsync("yogrt");
        await Expect(suggestions.First).ToBeVisibleAsync();
        await page.Keyboard.PressAsync("Escape");
        await Expect(page.GetByTestId("search-suggestions")).ToBeHiddenAsync();
        await page.Keyboard.PressAsync("Enter");
        await page.WaitForURLAsync(new System.Text.RegularExpressions.Regex("/search\\?q=yogrt"));
        Assert.True(await page.GetByTestId("product-card").CountAsync() > 0, "the search page finds yogurt for 'yogrt'");
    }

    [Fact]
    public async Task ASlowSuggestionAnswer_NeitherTakesAwayTheChosenOption_NorReopensAClosedList()
    {
        var page = await browser.NewPageAsync();
        await ChooseStoreAsync(page, "10036", "Midtown");
        // The answer for the full word is held until the shopper has acted on the answer for the word before it.
        var gate = new TaskCompletionSource();
        await page.RouteAsync(new System.Text.RegularExpressions.Regex("/v1/products/suggest\\?query=yogu"), async route =>
        {
            if (route.Request.Url.EndsWith("=yogur")) await gate.Task;
            await route.ContinueAsync();
        });
        var box = page.GetByRole(AriaRole.Combobox, new() { Name = "Search products" });
        var list = page.GetByTestId("search-suggestions");
        await box.FocusAsync();
        await page.Keyboard.TypeAsync("yogu");
        await Expect(list).ToHaveAttributeAsync("data-query", "yogu");
        var asked = page.WaitForRequestAsync(request => request.Url.EndsWith("=yogur"));
        await page.Keyboard.TypeAsync("r");
        await asked;
        await page.Keyboard.PressAsync("ArrowDown");
        var chosen = await list.GetByRole(AriaRole.Option).First.TextContentAsync();
        var answered = page.WaitForResponseAsync(response => response.Url.EndsWith("=yogur"));
        gate.SetResult();
        await answered;
        await Expect(list).ToHaveAttributeAsync("data-query", "yogur");
        await Expect(list.GetByRole(AriaRole.Option, new() { Selected = true })).ToHaveTextAsync(chosen!);

        // Escape while an answer is on its way: the list stays closed.
        gate = new TaskCompletionSource();
        await page.RouteAsync(new System.Text.RegularExpressions.Regex("/v1/products/suggest\\?query=yogurt$"), async route => { await gate.Task; await route.ContinueAsync(); });
        asked = page.WaitForRequestAsync(request => request.Url.EndsWith("=yogurt"));
        await page.Keyboard.TypeAsync("t");
        await asked;
        await page.Keyboard.PressAsync("Escape");
        await Expect(list).ToBeHiddenAsync();
        await Expect(list).ToHaveAttributeAsync("aria-busy", "true");
        gate.SetResult();
        await Expect(list).Not.ToHaveAttributeAsync("aria-busy", "true");
        await Expect(list).ToBeHiddenAsync();
        await Expect(box).ToHaveAttributeAsync("aria-expanded", "false");
    }

    [Fact]
    public async Task Shopper_InAnotherRegion_SeesThatRegionsPrice()
    {
        var page = await browser.NewPageAsync();
        await ChooseStoreAsync(page, "11201", "Brooklyn Heights");
        await page.GotoAsync("/p/chobani-greek-yogurt-plain");
        await Expect(page.Locator(".price-large")).ToHaveTextAsync("$4.29");
        await Expect(page.GetByText("at Brooklyn Heights")).ToBeVisibleAsync();
    }

    [Fact]
    public async Task Shopper_PicksASizeOfAProductWithSeveral()
    {
        var page = await browser.NewPageAsync();
        await ChooseStoreAsync(page, "10013", "Downtown");
        await page.GotoAsync("/p/vital-farms-pasture-raised-large-eggs");
        await Expect(page.Locator(".price-large")).ToHaveTextAsync("$6.99");
        await page.GetByRole(AriaRole.Group, new() { Name = "Size" }).GetByRole(AriaRole.Link, new() { Name = "6 pieces" }).ClickAsync();
        await Expect(page.Locator(".price-large")).ToHaveTextAsync("$3.89");
    }

    [Fact]
    public async Task Shopper_WithAZipNobodyServes_IsToldAndCanBrowseAnyway()
    {
        var page = await browser.NewPageAsync(phone: true);
        await page.GotoAsync("/store");
        await page.GetByLabel("Delivery zip code").FillAsync("99999");
        await page.GetByRole(AriaRole.Button, new() { Name = "Find my store" }).ClickAsync();
        await Expect(page.GetByTestId("no-store")).ToContainTextAsync("We don't deliver to 99999 yet");
        await browser.ScreenshotAsync(page, "07-no-store-phone");
        await page.GetByRole(AriaRole.Link, new() { Name = "Browse without a store" }).ClickAsync();
        await page.GotoAsync("/c/bakery");
        await Expect(page.GetByText("Prices and stock depend on your store.")).ToBeVisibleAsync();
        await Expect(page.GetByTestId("product-card").First).ToContainTextAsync("Choose a store for prices");
    }

    [Fact]
    public async Task Shopper_OnAPhone_BrowsesACategory()
    {
        var page = await browser.NewPageAsync(phone: true);
        await ChooseStoreAsync(page, "10001", "Midtown");
        await page.GotoAsync("/c/snacks-sweets");
        await Expect(page.GetByTestId("product-card")).ToHaveCountAsync(17);
        // Two cards a row, nothing wider than the screen.
        var overflow = await page.EvaluateAsync<bool>("document.documentElement.scrollWidth > window.innerWidth");
        Assert.False(overflow);
        await browser.ScreenshotAsync(page, "08-category-phone");
        await page.GotoAsync("/p/lindt-excellence-70-dark-chocolate");
        await browser.ScreenshotAsync(page, "09-product-phone");
    }

    [Fact]
    public async Task Shopper_SignsUp_SignsOut_SignsIn_AndSavesAnAddress()
    {
        var page = await browser.NewPageAsync();
        var email = $"ana-{Guid.NewGuid():N}@example.com";
        await page.GotoAsync("/account/register");
        await page.GetByLabel("Your name").FillAsync("Ana");
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("short");
        await page.GetByLabel("Confirm password").FillAsync("different");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByText("Use at least 8 characters.")).ToBeVisibleAsync();
        await Expect(page.GetByText("The passwords don't match.")).ToBeVisibleAsync();
        await Expect(page.GetByLabel("Email")).ToHaveValueAsync(email); // nothing typed is lost
        await browser.ScreenshotAsync(page, "10-register-errors");

        await page.GetByLabel("Password", new() { Exact = true }).FillAsync("Groceries-2026");
        await page.GetByLabel("Confirm password").FillAsync("Groceries-2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Create account" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true })).ToBeVisibleAsync();

        await page.GetByRole(AriaRole.Button, new() { Name = "Sign out", Exact = true }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Link, new() { Name = "Sign in" })).ToBeVisibleAsync();

        await page.GotoAsync("/account");
        await page.WaitForURLAsync(new Regex("/account/login"));
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync("wrong-password");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await Expect(page.GetByTestId("login-error")).ToBeVisibleAsync();
        await page.GetByLabel("Password").FillAsync("Groceries-2026");
        await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await page.WaitForURLAsync(new Regex("/account$"));
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "Your account" })).ToBeVisibleAsync();

        await page.GetByLabel("Street and number").FillAsync("12 Mercer Street");
        await page.GetByLabel("City").FillAsync("New York");
        await page.GetByLabel("Zip code").FillAsync("10013");
        await page.GetByRole(AriaRole.Button, new() { Name = "Save address" }).ClickAsync();
        await Expect(page.GetByTestId("address-list")).ToContainTextAsync("12 Mercer Street");
        await Expect(page.GetByTestId("address-list")).ToContainTextAsync("Default");
        await browser.ScreenshotAsync(page, "11-account");

        // A tampered form aimed at an address that is not this shopper's: a message, not an error page.
        await page.EvaluateAsync("document.querySelector('form[action$=\"/remove\"]').action = '/account/addresses/999999/remove'");
        await page.GetByRole(AriaRole.Button, new() { Name = "Remove Home" }).ClickAsync();
        await Expect(page.GetByRole(AriaRole.Alert)).ToContainTextAsync("no longer exists");
        await Expect(page.GetByTestId("address-list")).ToContainTextAsync("12 Mercer Street");
    }

    [Theory]
    [InlineData("/no-such-page")]
    [InlineData("/p/no-such-product")]
    [InlineData("/c/no-such-category")]
    public async Task UnknownPage_Answers404WithTheStorefrontsNotFoundPage(string path)
    {
        var page = await browser.NewPageAsync();
        var response = await page.GotoAsync(path);
        Assert.Equal(404, response!.Status);
        await Expect(page.GetByRole(AriaRole.Heading, new() { Name = "We couldn't find that page" })).ToBeVisibleAsync();
        await Expect(page.GetByRole(AriaRole.Search)).ToBeVisibleAsync(); // inside the storefront's layout, not a bare error
    }

    /// <summary>Every page in both of its states: a first visit with no store chosen (no prices, a prompt to choose) and a shopper's.</summary>
    [Theory]
    [InlineData("/", "home", false)]
    [InlineData("/", "home", true)]
    [InlineData("/c/dairy-eggs", "category", false)]
    [InlineData("/c/dairy-eggs", "category", true)]
    [InlineData("/c/fruit-vegetables", "category with pages", false)]
    [InlineData("/p/chobani-greek-yogurt-plain", "product", false)]
    [InlineData("/p/chobani-greek-yogurt-plain", "product", true)]
    [InlineData("/search?q=milk", "search", false)]
    [InlineData("/search?q=milk", "search", true)]
    [InlineData("/cart", "cart", false)]
    [InlineData("/account/login", "login", false)]
    [InlineData("/account/register", "register", false)]
    public async Task Page_HasNoSeriousAccessibilityViolations(string path, string name, bool storeChosen)
    {
        var page = await browser.NewPageAsync();
        if (storeChosen) await ChooseStoreAsync(page, "10013", "Downtown");
        await page.GotoAsync(path);
        await Accessibility.AssertNoSeriousViolationsAsync(page, storeChosen ? $"{name} (a store chosen)" : $"{name} (no store chosen)");
        await page.Context.CloseAsync();
    }
}
