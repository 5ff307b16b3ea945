using System.Net;
using System.Text;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Identity;

namespace QCommerce.Tests.Common;

/// <summary>
/// CSRF (architecture §7): every endpoint outside the APIs that takes a POST is found from the app's own routing table
/// and posted to, signed in, from a foreign Origin, without an antiforgery token. Each must answer 400 and act on nothing.
/// </summary>
public sealed class AntiforgeryTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    /// <summary>Machine APIs with their own guard (bearer token, PSP signature, the sandbox's API key) and framework plumbing.</summary>
    private static readonly string[] NotForms = ["/v1", "/psp-sandbox/v1", "/_blazor", "/_framework", "/openapi", "/api-docs", "/health"];

    private IReadOnlyList<string> FormPostRoutes() => app.Services.GetRequiredService<EndpointDataSource>().Endpoints
        .OfType<RouteEndpoint>()
        .Where(e => e.Metadata.GetMetadata<HttpMethodMetadata>() is not { } methods || methods.HttpMethods.Contains("POST"))
        .Select(e => "/" + (e.RoutePattern.RawText ?? "").TrimStart('/'))
        .Where(route => !NotForms.Any(prefix => route == prefix || route.StartsWith(prefix + "/", StringComparison.Ordinal)))
        .Distinct().Order(StringComparer.Ordinal).ToList();

    private static string Fill(string route) =>
        System.Text.RegularExpressions.Regex.Replace(route, @"\{\*?([^}:=?]+)([^}]*)\}",
            m => m.Groups[1].Value.Contains("id", StringComparison.OrdinalIgnoreCase) || m.Groups[2].Value.Contains(":int") ? "1" : "x");

    private async Task<HttpClient> SignedInAdminAsync()
    {
        var client = app.CreateClient();
        var response = await Forms.PostAsync(client, "/account/login", "/account/login", new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = QCommerceApp.AdminEmail, ["Input.Password"] = QCommerceApp.AdminPassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return client;
    }

    [Fact]
    public void TheRoutingTable_HasTheFormPostsThisTestIsAbout()
    {
        var routes = FormPostRoutes();
        foreach (var expected in new[] { "/account/logout", "/account/addresses/{id:int}/remove", "/account/addresses/{id:int}/default",
            "/orders/{orderId:int}/reorder", "/cart/add", "/store/select", "/account/login", "/account/register", "/psp-sandbox/pay/{id}" })
            Assert.Contains(expected, routes);
    }

    [Fact]
    public async Task EveryFormPost_WithoutAToken_FromAnotherSite_Is400()
    {
        var client = await SignedInAdminAsync();
        var accepted = new List<string>();
        foreach (var route in FormPostRoutes())
        {
            foreach (var (label, content) in new (string, HttpContent)[]
            {
                ("a form", new FormUrlEncodedContent(new Dictionary<string, string> { ["skuId"] = "1", ["storeId"] = "1", ["returnUrl"] = "/" })),
                ("text/plain", new StringContent("skuId=1", Encoding.UTF8, "text/plain")),
                ("no body", new ByteArrayContent([])),
            })
            {
                using var request = new HttpRequestMessage(HttpMethod.Post, Fill(route)) { Content = content };
                request.Headers.Add("Origin", "https://evil.example");
                var response = await client.SendAsync(request);
                // A form must be refused as a bad request; a body a form cannot have may also be an unsupported media type.
                var refused = response.StatusCode == HttpStatusCode.BadRequest
                    || (label != "a form" && response.StatusCode == HttpStatusCode.UnsupportedMediaType);
                if (!refused) accepted.Add($"{route} with {label}: {(int)response.StatusCode}");
            }
        }
        Assert.True(accepted.Count == 0, "accepted without a token:\n" + string.Join("\n", accepted));
    }

    [Fact]
    public async Task RemovingAnAddressOrReordering_WithoutAToken_ChangesNothing_AndWithOneWorks()
    {
        var client = await SignedInAdminAsync();
        var add = await Forms.PostAsync(client, "/account", "/account", new Dictionary<string, string>
        {
            ["_handler"] = "add-address", ["Input.Label"] = "Office", ["Input.Line1"] = "1 Test Street", ["Input.City"] = "New York", ["Input.Zip"] = "10013",
        });
        Assert.True(add.StatusCode is HttpStatusCode.OK or HttpStatusCode.Redirect, $"adding an address: {add.StatusCode}");
        int addressId;
        await using (var db = app.Database.CreateContext())
            addressId = await db.SavedAddresses.Where(a => db.Users.Any(u => u.Id == a.UserId && u.Email == QCommerceApp.AdminEmail)).Select(a => a.Id).FirstAsync();

        var forged = await client.PostAsync($"/account/addresses/{addressId}/remove", new FormUrlEncodedContent(new Dictionary<string, string>()));
        Assert.Equal(HttpStatusCode.BadRequest, forged.StatusCode);
        Assert.Contains("Nothing was changed", await forged.Content.ReadAsStringAsync());
        await using (var db = app.Database.CreateContext())
            Assert.True(await db.SavedAddresses.AnyAsync(a => a.Id == addressId));

        var real = await client.PostAsync($"/account/addresses/{addressId}/remove", new FormUrlEncodedContent(new Dictionary<string, string>
        {
            [Forms.TokenField] = await Forms.TokenAsync(client, "/account"),
        }));
        Assert.Equal(HttpStatusCode.Redirect, real.StatusCode);
        await using (var db = app.Database.CreateContext())
            Assert.False(await db.SavedAddresses.AnyAsync(a => a.Id == addressId));
    }

    [Theory]
    [InlineData("/search?q=café", "/search?q=caf%C3%A9")]
    [InlineData("/c/　x", "/c/%E3%80%80x")]
    [InlineData("/＼evil.example", "/%EF%BC%BCevil.example")]
    public async Task AReturnUrlBeyondAscii_IsFollowedPercentEncoded_NotAnError(string returnUrl, string location)
    {
        var client = app.CreateClient();
        var response = await Forms.PostAsync(client, "/account/login", "/store/select", new Dictionary<string, string> { ["storeId"] = "1", ["returnUrl"] = returnUrl });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal(location, response.Headers.Location?.OriginalString);
    }

    [Theory]
    [InlineData("/\t/evil.example")]
    [InlineData("/\r\n/evil.example")]
    [InlineData("//evil.example")]
    [InlineData("/\\evil.example")]
    [InlineData("https://evil.example/")]
    public async Task AReturnUrlWithControlCharactersOrAnotherHost_SendsTheShopperHome(string returnUrl)
    {
        var client = app.CreateClient();
        var response = await Forms.PostAsync(client, "/account/login", "/store/select", new Dictionary<string, string> { ["storeId"] = "1", ["returnUrl"] = returnUrl });

        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        Assert.Equal("/", response.Headers.Location?.OriginalString);
    }
}
