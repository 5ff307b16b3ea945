using System.Net;
using System.Text.RegularExpressions;

namespace QCommerce.Tests.Catalog;

/// <summary>
/// The product grids of the category, search and home pages are rendered once and shared by a store's shoppers
/// (ProductGridCache). What is shared must hold nothing of one shopper: each page carries its own shopper's
/// antiforgery token in every Add form, its own cart badge, and a form posted with another shopper's token is refused.
/// </summary>
public sealed partial class SharedGridTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private const string Page = "/c/dairy-eggs";

    [Fact]
    public async Task TwoShoppers_GetTheSameCards_EachWithTheirOwnTokens_AndTheirOwnCart()
    {
        using var ana = Shopper();
        using var ben = Shopper();
        var anaPage = await GetAsync(ana, Page);
        var benPage = await GetAsync(ben, Page);

        // The same cards, rendered once: equal once the tokens are taken out.
        Assert.Equal(Cards(anaPage), Cards(benPage));
        var anaTokens = Tokens(anaPage);
        var benTokens = Tokens(benPage);
        Assert.True(anaTokens.Count >= 10, "the category page shows Add forms");
        Assert.Single(anaTokens.Distinct()); // one token per page...
        Assert.Single(benTokens.Distinct());
        Assert.NotEqual(anaTokens[0], benTokens[0]); // ...each shopper's own
        Assert.DoesNotContain(ProductGridCacheTokenPlaceholder, anaPage);

        // Ana adds a card's SKU with her page's token; Ben's page still shows no cart of hers.
        var sku = FirstSku(anaPage);
        var added = await PostAsync(ana, "/cart/add", Form(sku, anaTokens[0]));
        Assert.Equal(HttpStatusCode.Redirect, added.StatusCode);
        Assert.Contains("cart=added", added.Headers.Location!.ToString());
        Assert.Equal("1", CartCount(await GetAsync(ana, Page)));
        Assert.Null(CartCount(await GetAsync(ben, Page)));

        // A token lifted from another shopper's page does not work for Ben.
        var refused = await PostAsync(ben, "/cart/add", Form(sku, anaTokens[0]));
        Assert.Equal(HttpStatusCode.BadRequest, refused.StatusCode);
        Assert.Null(CartCount(await GetAsync(ben, Page)));
    }

    [Fact]
    public async Task ATilesAddAndStepper_AnswerJsonToTheScript_AndComeBackToTheTileWithout()
    {
        using var shopper = Shopper();
        var page = await GetAsync(shopper, Page);
        var token = Tokens(page)[0];
        var sku = FirstSku(page);
        await using (var db = app.Database.CreateContext())
            await db.Stock.Where(x => x.StoreId == 1 && x.SkuId == int.Parse(sku)).ExecuteUpdateAsync(x => x.SetProperty(v => v.OnHand, 3).SetProperty(v => v.Reserved, 0));

        async Task<System.Text.Json.JsonElement> SendAsync(string path, string? qty)
        {
            var fields = new Dictionary<string, string> { ["skuId"] = sku, ["returnUrl"] = Page, [Forms.TokenField] = WebUtility.HtmlDecode(token) };
            if (qty is not null) fields["qty"] = qty;
            using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = new FormUrlEncodedContent(fields) };
            request.Headers.Add("Cookie", "qc_store=1");
            request.Headers.Accept.ParseAdd("application/json");
            var response = await shopper.SendAsync(request);
            Assert.Equal(HttpStatusCode.OK, response.StatusCode);
            return System.Text.Json.JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        }

        var added = await SendAsync("/cart/add", null);
        Assert.True(added.GetProperty("ok").GetBoolean());
        Assert.Equal((1, 1), (added.GetProperty("quantity").GetInt32(), added.GetProperty("count").GetInt32()));
        Assert.Equal("Added to your cart.", added.GetProperty("text").GetString());
        Assert.Contains($"data-cart=\"sku_{sku}:1\"", await GetAsync(shopper, Page)); // the page tells its script what the cart holds

        var more = await SendAsync("/cart/set", "3");
        Assert.Equal((3, 3), (more.GetProperty("quantity").GetInt32(), more.GetProperty("count").GetInt32()));
        var tooMany = await SendAsync("/cart/set", "4"); // three on the shelf
        Assert.False(tooMany.GetProperty("ok").GetBoolean());
        Assert.Equal("limit", tooMany.GetProperty("notice").GetString());
        Assert.Equal(3, tooMany.GetProperty("quantity").GetInt32()); // unchanged, and the tile says so
        foreach (var junk in new[] { "abc", "99999999999", "100" }) // no number, or more than a cart holds: the cart's answer, in JSON
        {
            var refused = await SendAsync("/cart/set", junk);
            Assert.Equal(("toomany", 3), (refused.GetProperty("notice").GetString(), refused.GetProperty("quantity").GetInt32()));
        }
        var gone = await SendAsync("/cart/set", "0");
        Assert.Equal((0, 0), (gone.GetProperty("quantity").GetInt32(), gone.GetProperty("count").GetInt32()));
        Assert.Null(CartCount(await GetAsync(shopper, Page)));

        // Without script the same form posts and lands back on the tile it came from.
        var plain = await PostAsync(shopper, "/cart/add", Form(sku, token));
        Assert.Equal(HttpStatusCode.Redirect, plain.StatusCode);
        Assert.Equal($"{Page}?cart=added#card-sku_{sku}", plain.Headers.Location!.ToString());
        Assert.Contains($"id=\"card-sku_{sku}\"", page);
    }

    [Fact]
    public async Task ACardThatSellsOut_IsSoldOutOnTheNextPage_NotTheOneRenderedBefore()
    {
        using var shopper = Shopper();
        var before = await GetAsync(shopper, Page);
        var sku = FirstSku(before);
        var id = int.Parse(sku);
        var admin = await ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);
        var counted = await admin.Http.PostAsync("/v1/ops/stores/st_1/stock/adjustments", System.Net.Http.Json.JsonContent.Create(
            new { skuId = $"sku_{id}", type = "count", qty = 0, note = "empty shelf" }));
        Assert.Equal(HttpStatusCode.OK, counted.StatusCode);

        var after = await GetAsync(shopper, Page);
        var card = CardOf(after, id);
        Assert.Contains("is-sold-out", card);
        Assert.Contains("Sold out", card);
        Assert.DoesNotContain("add-form", card);
    }

    [Fact]
    public async Task TheThemeStylesheet_IsKeptForAYear_OnlyUnderItsOwnVersion()
    {
        using var shopper = Shopper();
        var page = await GetAsync(shopper, Page);
        var url = ThemeLink().Match(page).Groups[1].Value;
        Assert.StartsWith("/theme.css?v=", url);

        var current = await shopper.GetAsync(url);
        Assert.Equal(HttpStatusCode.OK, current.StatusCode);
        Assert.Equal("text/css", current.Content.Headers.ContentType?.MediaType);
        Assert.Contains("--mud-palette-primary", await current.Content.ReadAsStringAsync());
        Assert.Contains("immutable", current.Headers.CacheControl!.ToString());
        var other = await shopper.GetAsync("/theme.css?v=another-deploy");
        Assert.True(other.Headers.CacheControl!.NoCache, "another version's URL is not kept");
        Assert.DoesNotContain("mud-theme-provider", page); // the page itself no longer carries the 12 KB of theme
    }

    [Theory]
    [InlineData("/c/dairy-eggs", true)]
    [InlineData("/c/dairy-eggs?page=2&sort=price_asc", true)]
    [InlineData("/search?q=greek%20yogurt&page=3", true)]
    [InlineData("/c/dairy-eggs?cart=added", false)] // a one-off notice
    [InlineData("/c/dairy-eggs?x=1", false)] // made up: would fill the cache with copies of one page
    [InlineData("/c/dairy-eggs?page=2&utm_source=mail", false)]
    public void OnlyPagesAnyoneLinksTo_AreKept(string url, bool kept) =>
        Assert.Equal(kept, QCommerce.Web.Components.Store.Catalog.ProductGridCache.IsSharedPage(url));

    [Fact]
    public void AnAbsurdlyLongAddress_IsNotKept() =>
        Assert.False(QCommerce.Web.Components.Store.Catalog.ProductGridCache.IsSharedPage("/search?q=" + new string('a', 400)));

    private const string ProductGridCacheTokenPlaceholder = QCommerce.Web.Components.Store.Catalog.ProductGridCache.TokenPlaceholder;

    private HttpClient Shopper() => app.CreateClient();

    private static async Task<string> GetAsync(HttpClient client, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", "qc_store=1");
        var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task<HttpResponseMessage> PostAsync(HttpClient client, string path, HttpContent form)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = form };
        request.Headers.Add("Cookie", "qc_store=1");
        return await client.SendAsync(request);
    }

    private static FormUrlEncodedContent Form(string sku, string token) => new(new Dictionary<string, string>
    {
        ["skuId"] = sku, ["returnUrl"] = Page, [Forms.TokenField] = WebUtility.HtmlDecode(token),
    });

    private static List<string> Tokens(string html) => TokenValue().Matches(html).Select(m => m.Groups[1].Value).ToList();

    private static string Cards(string html)
    {
        var grid = html[html.IndexOf("class=\"product-grid\"", StringComparison.Ordinal)..];
        return TokenValue().Replace(grid[..grid.IndexOf("</main>", StringComparison.Ordinal)], "token");
    }

    private static string? CartCount(string html) => CartBadge().Match(html) is { Success: true } m ? m.Groups[1].Value : null;

    private static string FirstSku(string html) => SkuInput().Match(html).Groups[1].Value;

    private static string CardOf(string html, int skuId)
    {
        var start = html.IndexOf($"data-sku=\"sku_{skuId}\"", StringComparison.Ordinal);
        Assert.True(start > 0, $"sku_{skuId} is on the page");
        var end = html.IndexOf("</article>", start, StringComparison.Ordinal);
        return html[html.LastIndexOf("<article", start, StringComparison.Ordinal)..end];
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\" value=\"([^\"]*)\"")]
    private static partial Regex TokenValue();

    [GeneratedRegex("<link rel=\"stylesheet\" href=\"(/theme\\.css\\?v=[0-9a-f]+)\"")]
    private static partial Regex ThemeLink();

    [GeneratedRegex("data-testid=\"cart-count\">(\\d+)<")]
    private static partial Regex CartBadge();

    [GeneratedRegex("name=\"skuId\" value=\"(\\d+)\"")]
    private static partial Regex SkuInput();
}
