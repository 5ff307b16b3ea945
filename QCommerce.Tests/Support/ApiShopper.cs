using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace QCommerce.Tests.Support;

/// <summary>A new shopper with a bearer token, talking to the app over HTTP as a phone app would.</summary>
public sealed class ApiShopper(QCommerceApp app, HttpClient http)
{
    public const string Midtown = "st_2";

    public HttpClient Http => http;

    /// <summary>The email the shopper signed in with, for a browser to sign in as them too.</summary>
    public string Email { get; private init; } = "";

    public static async Task<ApiShopper> SignUpAsync(QCommerceApp app)
    {
        var email = $"shopper-{Guid.NewGuid():N}@example.com";
        using (var http = app.CreateClient())
            Assert.Equal(HttpStatusCode.OK, (await http.PostAsJsonAsync("/v1/auth/register", new { email, password = "Groceries-2026" })).StatusCode);
        return await SignInAsync(app, email);
    }

    /// <summary>A shopper who has an account (made on the storefront, say) signs in to the API of <paramref name="app"/>.</summary>
    public static async Task<ApiShopper> SignInAsync(QCommerceApp app, string email, string password = "Groceries-2026")
    {
        var http = app.CreateClient();
        var login = await http.PostAsJsonAsync("/v1/auth/login", new { email, password });
        Assert.True(login.StatusCode == HttpStatusCode.OK, $"signing in {email}: {login.StatusCode}");
        var token = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement.GetProperty("accessToken").GetString();
        http.DefaultRequestHeaders.Authorization = new("Bearer", token);
        return new ApiShopper(app, http) { Email = email };
    }

    /// <summary>Places an order at Midtown of two SKUs reset to <paramref name="onHand"/> units; returns its id and SKU ids.</summary>
    /// <summary>What every order placed here gives for the rider, as a shopper types it.</summary>
    public const string Phone = "(212) 555-0142", RiderNote = "Buzz 4B, then third floor";

    public async Task<(string OrderId, int[] SkuIds)> PlaceOrderAsync(string payment = "card", int onHand = 500, int skuOffset = 30)
    {
        int[] skus;
        await using (var db = app.Database.CreateContext())
        {
            skus = (await db.Stock.Where(s => s.StoreId == 2).OrderBy(s => s.SkuId).Select(s => s.SkuId).Skip(skuOffset).Take(2).ToListAsync()).ToArray();
            await db.Stock.Where(s => s.StoreId == 2 && skus.Contains(s.SkuId)).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, onHand).SetProperty(x => x.Reserved, 0));
        }
        var body = new
        {
            storeId = Midtown,
            items = new object[] { new { skuId = $"sku_{skus[0]}", qty = 2 }, new { skuId = $"sku_{skus[1]}", qty = 1 } },
            address = new { line1 = "401 W 42nd Street", city = "New York", zip = "10036", phone = Phone, instructions = RiderNote },
            paymentMethod = new { type = payment },
        };
        var order = await JsonAsync(await PostAsync("/v1/orders", body, Guid.NewGuid().ToString()), HttpStatusCode.Created);
        return (order.GetProperty("orderId").GetString()!, skus);
    }

    public async Task<HttpResponseMessage> PostAsync(string path, object? body, string? idempotencyKey)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path) { Content = body is null ? null : JsonContent.Create(body) };
        if (idempotencyKey is not null) request.Headers.Add("Idempotency-Key", idempotencyKey);
        return await http.SendAsync(request);
    }

    public Task<HttpResponseMessage> StartPaymentAsync(string orderId, string? key = null) =>
        PostAsync("/v1/payments", new { orderId }, key ?? Guid.NewGuid().ToString());

    public async Task<JsonElement> GetAsync(string path) => await JsonAsync(await http.GetAsync(path), HttpStatusCode.OK);

    /// <summary>
    /// Submits a card on the sandbox's checkout page, as the shopper's browser would. Returns where it sends the browser: the
    /// shop (paid), the bank's challenge, or, for a declined card, the page itself, which stays open for another card.
    /// </summary>
    public static async Task<Uri> PayOnPspPageAsync(QCommerceApp app, string payPageUrl, string card, string expiry = "12/34")
    {
        using var browser = app.CreateClient();
        var page = new Uri(payPageUrl).PathAndQuery;
        var response = await Forms.PostAsync(browser, page, page, new Dictionary<string, string>
        {
            ["number"] = card, ["expiry"] = expiry, ["cvc"] = "123",
        });
        if (response.StatusCode == HttpStatusCode.PaymentRequired) return new Uri(payPageUrl);
        Assert.True(response.StatusCode == HttpStatusCode.Redirect, $"the pay page answered {response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return response.Headers.Location!;
    }

    /// <summary>The shopper answers the bank's challenge on a checkout page (its id is the page URL's last segment).</summary>
    public static async Task<Uri> AnswerChallengeAsync(QCommerceApp app, string checkoutId, bool approve)
    {
        using var browser = app.CreateClient();
        var challenge = $"/psp-sandbox/pay/{checkoutId}/challenge";
        var response = await Forms.PostAsync(browser, challenge, challenge, new Dictionary<string, string> { ["outcome"] = approve ? "approve" : "fail" });
        if (!approve && response.StatusCode == HttpStatusCode.PaymentRequired) return new Uri(app.BaseAddress, $"/psp-sandbox/pay/{checkoutId}");
        Assert.Equal(HttpStatusCode.Redirect, response.StatusCode);
        return response.Headers.Location!;
    }

    public static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {body}");
        return body.Length == 0 ? default : JsonDocument.Parse(body).RootElement;
    }
}

/// <summary>Waits for something that happens in the background (a webhook, an outbox effect); no sleeps of a guessed length.</summary>
public static class Eventually
{
    public static async Task<T> Async<T>(Func<Task<T>> read, Func<T, bool> done, string what, TimeSpan? timeout = null)
    {
        var until = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(15));
        while (true)
        {
            var value = await read();
            if (done(value)) return value;
            if (DateTime.UtcNow > until) Assert.Fail($"Timed out waiting for {what}; last seen: {value}");
            await Task.Delay(50);
        }
    }
}
