using System.Net;
using System.Net.Http.Json;

namespace QCommerce.Tests.Api;

/// <summary>The app with small limits, so a test can reach them.</summary>
public sealed class RateLimitedApp() : QCommerceApp(DatabaseProvider.Sqlite, new Dictionary<string, string?>
{
    ["RateLimits:SignInPerClient:PermitLimit"] = "5",
    ["RateLimits:SignInPerAccount:PermitLimit"] = "3",
    ["RateLimits:RegistrationPerClient:PermitLimit"] = "4",
    ["RateLimits:RegistrationPerAccount:PermitLimit"] = "2",
    ["RateLimits:OrdersPerUser:PermitLimit"] = "3",
    ["RateLimits:PaymentsPerUser:PermitLimit"] = "2",
    ["RateLimits:RefundsPerUser:PermitLimit"] = "2",
    ["RateLimits:AccountMailPerClient:PermitLimit"] = "4",
    ["RateLimits:AccountMailPerAccount:PermitLimit"] = "2",
});

/// <summary>
/// Rate limits (architecture §7): sign-in and sign-up per client address and per account, orders, payments and
/// cancellations per user; the API answers 429 with Retry-After and a problem, the storefront a page or a
/// message. Each test is another "client" (X-Forwarded-For, trusted from loopback), so the tests' counters
/// stay apart.
/// </summary>
public sealed class RateLimitTests(RateLimitedApp app) : IClassFixture<RateLimitedApp>
{
    private HttpClient ClientAt(string address)
    {
        var client = app.CreateClient();
        client.DefaultRequestHeaders.Add("X-Forwarded-For", address);
        return client;
    }

    private static async Task AssertTooManyAsync(HttpResponseMessage response, int windowSeconds = 600)
    {
        Assert.Equal(HttpStatusCode.TooManyRequests, response.StatusCode);
        var seconds = response.Headers.RetryAfter?.Delta?.TotalSeconds;
        Assert.True(seconds > 0 && seconds <= windowSeconds, $"Retry-After was {response.Headers.RetryAfter}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = await ApiShopper.JsonAsync(response, HttpStatusCode.TooManyRequests);
        Assert.Equal(429, problem.GetProperty("status").GetInt32());
    }

    [Fact]
    public async Task SignIn_FromOneClient_IsCutOffAfterTheLimit_With429AndRetryAfter()
    {
        var client = ClientAt("203.0.113.10");
        for (var i = 0; i < 5; i++)
        {
            var attempt = await client.PostAsJsonAsync("/v1/auth/login", new { email = $"nobody-{i}@example.com", password = "wrong-password" });
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        }

        await AssertTooManyAsync(await client.PostAsJsonAsync("/v1/auth/login", new { email = "nobody-5@example.com", password = "wrong-password" }));
        // Another client is not affected.
        Assert.Equal(HttpStatusCode.Unauthorized,
            (await ClientAt("203.0.113.11").PostAsJsonAsync("/v1/auth/login", new { email = "nobody@example.com", password = "wrong-password" })).StatusCode);
    }

    [Fact]
    public async Task SignIn_ToOneAccount_FromManyClients_IsCutOffPerAccount()
    {
        var email = $"target-{Guid.NewGuid():N}@example.com";
        Assert.Equal(HttpStatusCode.OK, (await ClientAt("198.51.100.1").PostAsJsonAsync("/v1/auth/register", new { email, password = "Groceries-2026" })).StatusCode);
        for (var i = 0; i < 3; i++)
        {
            var attempt = await ClientAt($"198.51.100.{10 + i}").PostAsJsonAsync("/v1/auth/login", new { email, password = "not-it-" + i });
            Assert.Equal(HttpStatusCode.Unauthorized, attempt.StatusCode);
        }

        // Even the right password waits: the account is being guessed at.
        await AssertTooManyAsync(await ClientAt("198.51.100.20").PostAsJsonAsync("/v1/auth/login", new { email = email.ToUpperInvariant(), password = "Groceries-2026" }));
    }

    [Fact]
    public async Task SignIn_ToOneAccount_SpelledWithLookAlikeLetters_CountsAsOneAccount()
    {
        var name = $"kkk{Guid.NewGuid():N}";
        var email = $"{name}@example.com";
        Assert.Equal(HttpStatusCode.OK, (await ClientAt("198.51.100.101").PostAsJsonAsync("/v1/auth/register", new { email, password = "Groceries-2026" })).StatusCode);
        // The Kelvin sign (U+212A) is the letter K once normalised, as Identity finds accounts.
        var spellings = new[] { email, email.ToUpperInvariant(), "\u212A" + email[1..], email[..1] + "\u212A\u212A" + email[3..] };
        for (var i = 0; i < 3; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await ClientAt($"198.51.100.{110 + i}").PostAsJsonAsync("/v1/auth/login", new { email = spellings[i], password = "nope-" + i })).StatusCode);

        await AssertTooManyAsync(await ClientAt("198.51.100.120").PostAsJsonAsync("/v1/auth/login", new { email = spellings[3], password = "Groceries-2026" }));
    }

    [Fact]
    public async Task PaymentLinks_AreHttpOrHttps_WhateverAProxyClaims()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 70);
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments") { Content = JsonContent.Create(new { orderId }) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        request.Headers.Add("X-Forwarded-Proto", "javascript");

        var started = await ApiShopper.JsonAsync(await shopper.Http.SendAsync(request), HttpStatusCode.Created);

        Assert.StartsWith("http://", started.GetProperty("nextAction").GetProperty("url").GetString());
    }

    [Fact]
    public async Task Registration_FromOneClient_IsCutOffAfterTheLimit()
    {
        var client = ClientAt("203.0.113.30");
        for (var i = 0; i < 4; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/auth/register", new { email = $"many-{Guid.NewGuid():N}@example.com", password = "Groceries-2026" })).StatusCode);

        await AssertTooManyAsync(await client.PostAsJsonAsync("/v1/auth/register", new { email = $"many-{Guid.NewGuid():N}@example.com", password = "Groceries-2026" }));
    }

    [Fact]
    public async Task Orders_PerUser_AreCutOffAfterTheLimit_AndNothingIsPlaced()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        for (var i = 0; i < 3; i++) await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 40 + 2 * i);
        var placed = (await shopper.GetAsync("/v1/orders")).GetProperty("total").GetInt32();

        var refused = await shopper.PostAsync("/v1/orders", new
        {
            storeId = ApiShopper.Midtown, items = new[] { new { skuId = "sku_1", qty = 1 } },
            address = new { line1 = "401 W 42nd Street", city = "New York", zip = "10036" }, paymentMethod = new { type = "cod" },
        }, Guid.NewGuid().ToString());

        await AssertTooManyAsync(refused);
        Assert.Equal(placed, (await shopper.GetAsync("/v1/orders")).GetProperty("total").GetInt32());
        // Another shopper still can.
        await (await ApiShopper.SignUpAsync(app)).PlaceOrderAsync(payment: "cod", skuOffset: 50);
    }

    [Fact]
    public async Task Payments_PerUser_AreCutOffAfterTheLimit()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var orders = new List<string>();
        for (var i = 0; i < 3; i++) orders.Add((await shopper.PlaceOrderAsync(skuOffset: 60 + 2 * i)).OrderId);
        await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orders[0]), HttpStatusCode.Created);
        await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orders[1]), HttpStatusCode.Created);

        await AssertTooManyAsync(await shopper.StartPaymentAsync(orders[2]));
        Assert.Empty((await shopper.GetAsync($"/v1/orders/{orders[2]}")).GetProperty("payments").EnumerateArray());
    }

    [Fact]
    public async Task StorefrontSignIn_FromOneClient_ShowsAFriendlyPageWith429()
    {
        var browser = ClientAt("203.0.113.50");
        HttpResponseMessage? last = null;
        for (var i = 0; i < 6; i++)
            last = await Forms.PostAsync(browser, "/account/login", "/account/login", new Dictionary<string, string>
            {
                ["_handler"] = "login", ["Input.Email"] = $"nobody-{i}@example.com", ["Input.Password"] = "wrong-password",
            });

        Assert.Equal(HttpStatusCode.TooManyRequests, last!.StatusCode);
        Assert.NotNull(last.Headers.RetryAfter);
        var html = await last.Content.ReadAsStringAsync();
        Assert.Contains("Too many tries", html);
        Assert.Contains("Wait", html);
        Assert.Contains("Nothing was changed", html);
    }

    [Fact]
    public async Task StorefrontSignIn_ToOneAccount_FromManyClients_SaysToWait()
    {
        var email = $"guessed-{Guid.NewGuid():N}@example.com";
        await ClientAt("192.0.2.1").PostAsJsonAsync("/v1/auth/register", new { email, password = "Groceries-2026" });
        string html = "";
        for (var i = 0; i < 4; i++)
        {
            var response = await Forms.PostAsync(ClientAt($"192.0.2.{10 + i}"), "/account/login", "/account/login", new Dictionary<string, string>
            {
                ["_handler"] = "login", ["Input.Email"] = email, ["Input.Password"] = "not-it-" + i,
            });
            html = await response.Content.ReadAsStringAsync();
        }

        Assert.Contains("a lot of tries in a short time", html);
    }

    [Fact]
    public async Task PasswordResets_AreLimitedPerAccount_AndPerClient_WithTheSameAnswerForAnyAddress()
    {
        using var client = ClientAt("203.0.113.61");
        var email = $"reset-{Guid.NewGuid():N}@example.com";
        for (var i = 0; i < 2; i++)
            Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/auth/forgotPassword", new { email })).StatusCode);
        // The account's two a quarter hour: the third waits, whichever client asks.
        await AssertTooManyAsync(await client.PostAsJsonAsync("/v1/auth/forgotPassword", new { email }), windowSeconds: 900);

        // The client's four in ten minutes (the refused one counted), whichever addresses it tries; another client is not affected.
        Assert.Equal(HttpStatusCode.OK, (await client.PostAsJsonAsync("/v1/auth/forgotPassword", new { email = $"other-{Guid.NewGuid():N}@example.com" })).StatusCode);
        await AssertTooManyAsync(await client.PostAsJsonAsync("/v1/auth/forgotPassword", new { email = $"fifth-{Guid.NewGuid():N}@example.com" }));
        using var other = ClientAt("203.0.113.62");
        Assert.Equal(HttpStatusCode.OK, (await other.PostAsJsonAsync("/v1/auth/forgotPassword", new { email = $"third-{Guid.NewGuid():N}@example.com" })).StatusCode);
    }
}
