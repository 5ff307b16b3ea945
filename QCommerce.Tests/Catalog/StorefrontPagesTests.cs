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
    public async Task UnknownCategory_Is404WithThePage()
    {
        var response = await app.CreateClient().GetAsync("/c/no-such-category");
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.Contains("We couldn", await response.Content.ReadAsStringAsync());
    }
}

public sealed class SqliteStorefrontPagesTests(SqliteApp app) : StorefrontPagesTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresStorefrontPagesTests(PostgresApp app) : StorefrontPagesTests(app), IClassFixture<PostgresApp>;
