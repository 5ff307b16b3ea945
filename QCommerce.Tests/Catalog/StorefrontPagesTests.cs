using System.Net;

namespace QCommerce.Tests.Catalog;

/// <summary>
/// The storefront's pages over plain HTTP on each provider: they render (on PostgreSQL every await really yields,
/// so a page renders between its loads), and a mistyped or tampered query string is a page, never a 500.
/// </summary>
public abstract class StorefrontPagesTests(QCommerceApp app)
{
    private async Task<HttpClient> WithStoreAsync()
    {
        var client = app.CreateClient(allowRedirects: true);
        await Forms.PostAsync(client, "/account/login", "/store/select", new Dictionary<string, string> { ["storeId"] = "2", ["returnUrl"] = "/" });
        return client;
    }

    [Theory]
    [InlineData("/")]
    [InlineData("/store?zip=10036")]
    [InlineData("/search?q=milk")]
    [InlineData("/search?q=%00%01")]
    [InlineData("/c/dairy-eggs")]
    [InlineData("/c/dairy-eggs?sort=price_desc&page=2")]
    [InlineData("/p/chobani-greek-yogurt-plain")]
    [InlineData("/cart")]
    public async Task Page_Renders(string path)
    {
        foreach (var client in new[] { app.CreateClient(allowRedirects: true), await WithStoreAsync() })
        {
            var response = await client.GetAsync(path);
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{path}: {response.StatusCode}");
            Assert.Contains("<h1", await response.Content.ReadAsStringAsync());
        }
    }

    [Theory]
    [InlineData("/search?q=milk&page=abc")]
    [InlineData("/search?q=milk&page=99999999999")]
    [InlineData("/c/dairy-eggs?page=1e5")]
    [InlineData("/c/dairy-eggs?page=-3")]
    [InlineData("/p/chobani-greek-yogurt-plain?sku=abc")]
    [InlineData("/cart?reordered=x&skipped=1.5")]
    [InlineData("/cart?reordered=1&from=99999999999&skipped=a:b,,:x,5,1:soldout")]
    [InlineData("/orders?page=abc&missing=x")]
    [InlineData("/account?removed=x&missing=%00")]
    [InlineData("/orders/1?placed=yes")]
    public async Task Page_WithANumberThatIsNotOne_IsAPageNotAnError(string path)
    {
        var response = await (await WithStoreAsync()).GetAsync(path);
        Assert.True((int)response.StatusCode < 500, $"{path}: {response.StatusCode}");
        Assert.Contains("<h1", await response.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AReorder_NamesWhatDidNotGoIntoTheCart_AndWhy()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 70);
        await using (var db = app.Database.CreateContext())
            await db.Stock.Where(x => x.StoreId == 2 && x.SkuId == skus[1]).ExecuteUpdateAsync(x => x.SetProperty(v => v.OnHand, v => v.Reserved)); // none free
        var number = orderId[2..];
        using var browser = app.CreateClient(allowRedirects: true);
        await Forms.PostAsync(browser, "/account/login", "/account/login",
            new Dictionary<string, string> { ["_handler"] = "login", ["Input.Email"] = shopper.Email, ["Input.Password"] = "Groceries-2026" });
        var cart = await Forms.PostAsync(browser, $"/orders/{number}", $"/orders/{number}/reorder", new Dictionary<string, string>());
        var html = await cart.Content.ReadAsStringAsync();
        Assert.Contains("1 item from your order went into the cart", html);
        Assert.Contains("data-testid=\"reorder-missed\"", html);
        string title;
        await using (var db = app.Database.CreateContext())
            title = await db.Orders.Where(o => o.Id == int.Parse(number)).SelectMany(o => o.Lines).Where(l => l.SkuId == skus[1]).Select(l => l.Title).SingleAsync();
        Assert.Contains($"<strong>{System.Net.WebUtility.HtmlEncode(title)}", html);
        Assert.Contains("sold out at the moment", html);
    }

    [Fact]
    public async Task UnknownCategory_Is404WithThePage()
    {
        var response = await app.CreateClient().GetAsync("/c/no-such-category");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("We couldn", await response.Content.ReadAsStringAsync());
    }
}

public sealed class SqliteStorefrontPagesTests(SqliteApp app) : StorefrontPagesTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresStorefrontPagesTests(PostgresApp app) : StorefrontPagesTests(app), IClassFixture<PostgresApp>;
