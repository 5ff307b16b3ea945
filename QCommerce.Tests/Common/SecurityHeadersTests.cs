using System.Net;
using System.Text.RegularExpressions;

namespace QCommerce.Tests.Common;

/// <summary>
/// The headers every answer carries (architecture §7), and the app behind a TLS proxy: forwarded headers from a
/// trusted proxy make the request HTTPS, so HSTS is sent and cookies are Secure; an untrusted one is ignored.
/// </summary>
public sealed partial class SecurityHeadersTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static string Csp(HttpResponseMessage response) => string.Join(" | ", response.Headers.GetValues("Content-Security-Policy"));

    [Fact]
    public async Task Pages_HaveOneStrictPolicy_WithAFreshNonce_AndNoEval()
    {
        var first = await app.CreateClient().GetAsync("/account/login");
        var second = await app.CreateClient().GetAsync("/account/login");

        Assert.Single(first.Headers.GetValues("Content-Security-Policy"));
        var policy = Csp(first);
        foreach (var directive in new[] { "default-src 'self'", "script-src 'self' 'nonce-", "style-src 'self'", "object-src 'none'", "base-uri 'self'",
            "form-action 'self'", "frame-ancestors 'none'" })
            Assert.Contains(directive, policy);
        Assert.DoesNotContain("unsafe-eval", policy);
        Assert.Equal("DENY", Assert.Single(first.Headers.GetValues("X-Frame-Options")));
        Assert.Equal("nosniff", Assert.Single(first.Headers.GetValues("X-Content-Type-Options")));

        // The page's only inline script (the import map) carries this response's nonce; the next response has another.
        var nonce = Nonce().Match(policy).Groups[1].Value;
        Assert.Contains($"nonce=\"{nonce}\"", await first.Content.ReadAsStringAsync());
        Assert.NotEqual(nonce, Nonce().Match(Csp(second)).Groups[1].Value);
    }

    [Theory]
    [InlineData("/v1/categories")]
    [InlineData("/v1/no-such-route")]
    [InlineData("/v1/orders")] // 401
    public async Task ApiAnswers_EvenErrors_ForbidAllContent_AndCarryARequestId(string path)
    {
        var response = await app.CreateClient().GetAsync(path);

        Assert.Equal("default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'", Csp(response));
        Assert.True(response.Headers.Contains("X-Request-Id"));
        Assert.Equal("DENY", Assert.Single(response.Headers.GetValues("X-Frame-Options")));
    }

    [Fact]
    public async Task PlainHttp_HasNoHsts_AndCookiesAreNotSecure()
    {
        var response = await app.CreateClient().GetAsync("/account/login");

        Assert.False(response.Headers.Contains("Strict-Transport-Security"));
        Assert.All(response.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
    }

    [Fact]
    public async Task BehindATrustedTlsProxy_HstsIsSent_AndEveryCookieIsSecure()
    {
        var client = app.CreateClient();
        using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
        request.Headers.Host = "shop.example.com";
        request.Headers.Add("X-Forwarded-Proto", "https");
        request.Headers.Add("X-Forwarded-For", "203.0.113.7");
        var response = await client.SendAsync(request);

        Assert.Contains("max-age=31536000", Assert.Single(response.Headers.GetValues("Strict-Transport-Security")));
        var cookies = response.Headers.GetValues("Set-Cookie").ToList();
        Assert.NotEmpty(cookies);
        Assert.All(cookies, c => Assert.Contains("secure", c, StringComparison.OrdinalIgnoreCase));

        // Signing in over it gives a Secure session cookie too.
        var token = Regex.Match(await response.Content.ReadAsStringAsync(), "name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"").Groups[1].Value;
        using var login = new HttpRequestMessage(HttpMethod.Post, "/account/login")
        {
            Content = new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["_handler"] = "login", ["Input.Email"] = QCommerceApp.AdminEmail, ["Input.Password"] = QCommerceApp.AdminPassword,
                [Forms.TokenField] = WebUtility.HtmlDecode(token),
            }),
        };
        login.Headers.Host = "shop.example.com";
        login.Headers.Add("X-Forwarded-Proto", "https");
        login.Headers.Add("Cookie", string.Join("; ", cookies.Select(c => c.Split(';')[0])));
        var signedIn = await client.SendAsync(login);
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        var session = Assert.Single(signedIn.Headers.GetValues("Set-Cookie"), c => c.StartsWith("qc_auth=", StringComparison.Ordinal));
        Assert.Contains("secure", session, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task ForwardedHeaders_FromAProxyThatIsNotConfigured_AreIgnored()
    {
        // Only 10.1.2.3 is a proxy here, so the loopback connection of this test is a client, not a proxy.
        var strict = new QCommerceApp(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["ForwardedHeaders:KnownProxies:0"] = "10.1.2.3" });
        await strict.InitializeAsync();
        try
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/account/login");
            request.Headers.Host = "shop.example.com";
            request.Headers.Add("X-Forwarded-Proto", "https");
            var response = await strict.CreateClient().SendAsync(request);

            Assert.False(response.Headers.Contains("Strict-Transport-Security"));
            Assert.All(response.Headers.GetValues("Set-Cookie"), c => Assert.DoesNotContain("secure", c, StringComparison.OrdinalIgnoreCase));
        }
        finally
        {
            await strict.DisposeAsync();
        }
    }

    [GeneratedRegex("'nonce-([^']+)'")]
    private static partial Regex Nonce();
}
