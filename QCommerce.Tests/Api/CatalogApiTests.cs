using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;

namespace QCommerce.Tests.Api;

/// <summary>Every /v1 catalog route over real HTTP on Kestrel, good input and bad, on each provider.</summary>
public abstract class CatalogApiTests(QCommerceApp app)
{
    private readonly HttpClient _http = app.CreateClient();

    private async Task<JsonElement> GetJson(string url, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var response = await _http.GetAsync(url);
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"{url}: expected {expected}, got {response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static void AssertProblem(JsonElement problem, int status, string? errorField = null)
    {
        Assert.Equal(status, problem.GetProperty("status").GetInt32());
        Assert.False(string.IsNullOrEmpty(problem.GetProperty("title").GetString()));
        Assert.True(problem.TryGetProperty("type", out _));
        Assert.True(problem.TryGetProperty("instance", out _));
        if (errorField is not null) Assert.True(problem.GetProperty("errors").TryGetProperty(errorField, out _), $"errors names {errorField}: {problem}");
    }

    private async Task<string> StoreId(string zip = "10013") =>
        (await GetJson($"/v1/stores?zip={zip}"))[0].GetProperty("id").GetString()!;

    [Fact]
    public async Task Stores_All_ListsEveryStoreWithFeesInMinorUnits()
    {
        var stores = await GetJson("/v1/stores");
        Assert.Equal(3, stores.GetArrayLength());
        var first = stores[0];
        Assert.StartsWith("st_", first.GetProperty("id").GetString());
        Assert.Equal("USD", first.GetProperty("deliveryFee").GetProperty("currency").GetString());
        Assert.Equal(JsonValueKind.Number, first.GetProperty("deliveryFee").GetProperty("value").ValueKind);
        Assert.Contains(first.GetProperty("openNow").ValueKind, new[] { JsonValueKind.True, JsonValueKind.False });
    }

    [Fact]
    public async Task Stores_ByZip_ReturnsOnlyThoseServingIt_QuickestFirst()
    {
        var stores = await GetJson("/v1/stores?zip=10001");
        Assert.Equal(2, stores.GetArrayLength());
        Assert.All(stores.EnumerateArray(), s => Assert.Contains("10001", s.GetProperty("deliveryZips").EnumerateArray().Select(z => z.GetString())));
        Assert.True(stores[0].GetProperty("etaMinutes").GetInt32() <= stores[1].GetProperty("etaMinutes").GetInt32());
    }

    [Fact]
    public async Task Stores_ByUnservedZip_IsAnEmptyList() => Assert.Equal(0, (await GetJson("/v1/stores?zip=99999")).GetArrayLength());

    [Theory]
    [InlineData("!!")]
    [InlineData("12")]
    [InlineData("12345678901")]
    public async Task Stores_ByMalformedZip_Is400(string zip) => AssertProblem(await GetJson($"/v1/stores?zip={Uri.EscapeDataString(zip)}", HttpStatusCode.BadRequest), 400, "zip");

    [Theory]
    [InlineData("st_999")]
    [InlineData("p_1")]
    [InlineData("banana")]
    public async Task Store_Unknown_Is404(string id) => AssertProblem(await GetJson($"/v1/stores/{id}", HttpStatusCode.NotFound), 404);

    [Fact]
    public async Task Categories_IsATree()
    {
        var roots = await GetJson("/v1/categories");
        Assert.Equal(12, roots.GetArrayLength());
        var drinks = roots.EnumerateArray().Single(c => c.GetProperty("slug").GetString() == "drinks");
        Assert.Equal(2, drinks.GetProperty("children").GetArrayLength());
    }

    [Fact]
    public async Task Products_WithStore_CarryPriceAndAvailability()
    {
        var page = await GetJson($"/v1/products?storeId={await StoreId()}&pageSize=50");
        Assert.Equal(1, page.GetProperty("page").GetInt32());
        Assert.Equal(50, page.GetProperty("pageSize").GetInt32());
        Assert.True(page.GetProperty("total").GetInt32() >= 200);
        var items = page.GetProperty("items");
        Assert.Equal(50, items.GetArrayLength());
        Assert.All(items.EnumerateArray(), i =>
        {
            Assert.StartsWith("p_", i.GetProperty("id").GetString());
            Assert.StartsWith("sku_", i.GetProperty("skuId").GetString());
            Assert.True(i.GetProperty("price").GetProperty("value").GetInt64() > 0);
            Assert.Equal(JsonValueKind.Object, i.GetProperty("availability").ValueKind);
        });
    }

    [Fact]
    public async Task Products_WithoutStore_HaveNoPrice()
    {
        var item = (await GetJson("/v1/products?pageSize=1")).GetProperty("items")[0];
        Assert.Equal(JsonValueKind.Null, item.GetProperty("price").ValueKind);
        Assert.Equal(JsonValueKind.Null, item.GetProperty("availability").ValueKind);
    }

    [Fact]
    public async Task Products_Paging_CoversEveryProductOnceAndEndsEmpty()
    {
        var total = (await GetJson("/v1/products?pageSize=1")).GetProperty("total").GetInt32();
        var seen = new HashSet<string>();
        for (var page = 1; ; page++)
        {
            var items = (await GetJson($"/v1/products?page={page}&pageSize=100")).GetProperty("items");
            if (items.GetArrayLength() == 0) break;
            foreach (var i in items.EnumerateArray()) Assert.True(seen.Add(i.GetProperty("id").GetString()!));
        }
        Assert.Equal(total, seen.Count);
        var beyond = await GetJson("/v1/products?page=1000&pageSize=100");
        Assert.Equal(0, beyond.GetProperty("items").GetArrayLength());
        Assert.Equal(total, beyond.GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task Products_Search_FindsByBrand()
    {
        var page = await GetJson("/v1/products?query=oatly");
        Assert.Equal("Oatly", page.GetProperty("items")[0].GetProperty("brand").GetString());
    }

    [Fact]
    public async Task Suggest_OffersUpToEightProductsWhileTyping_ForgivingATypo_AndNothingForOneLetter()
    {
        var typed = await GetJson("/v1/products/suggest?query=yogrt"); // a letter dropped
        Assert.InRange(typed.GetArrayLength(), 1, 8);
        Assert.Contains("Yogurt", typed[0].GetProperty("title").GetString());
        Assert.StartsWith("p_", typed[0].GetProperty("id").GetString());
        Assert.False(string.IsNullOrEmpty(typed[0].GetProperty("slug").GetString()));
        Assert.Equal(8, (await GetJson("/v1/products/suggest?query=or")).GetArrayLength()); // at most eight
        Assert.Equal(0, (await GetJson("/v1/products/suggest?query=y")).GetArrayLength());
        Assert.Equal(0, (await GetJson("/v1/products/suggest")).GetArrayLength());
        AssertProblem(await GetJson("/v1/products/suggest?query=%00%01", HttpStatusCode.BadRequest), 400, "query"); // a NUL is refused at the edge
        AssertProblem(await GetJson($"/v1/products/suggest?query={new string('a', 201)}", HttpStatusCode.BadRequest), 400, "query");
    }

    [Fact]
    public async Task Search_InAStore_PutsWhatIsInStock_AboveASoldOutProductAsRelevant()
    {
        var store = await StoreId();
        var before = (await GetJson($"/v1/products?query=greek+yogurt&storeId={store}&pageSize=50")).GetProperty("items");
        Assert.True(before.GetArrayLength() >= 2);
        var first = before[0];
        Assert.True(first.GetProperty("availability").GetProperty("inStock").GetBoolean());
        var sku = first.GetProperty("skuId").GetString()!;
        var admin = await ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);
        async Task CountAsync(int qty) => Assert.Equal(HttpStatusCode.OK, (await admin.Http.PostAsync($"/v1/ops/stores/{store}/stock/adjustments",
            System.Net.Http.Json.JsonContent.Create(new { skuId = sku, type = "count", qty, note = "search ranking test" }))).StatusCode);
        var onHand = (await admin.GetAsync($"/v1/ops/stores/{store}/stock?skuId={sku}")).GetProperty("items")[0].GetProperty("onHand").GetInt32();
        await CountAsync(0);
        try
        {
            var after = (await GetJson($"/v1/products?query=greek+yogurt&storeId={store}&pageSize=50")).GetProperty("items");
            Assert.NotEqual(first.GetProperty("id").GetString(), after[0].GetProperty("id").GetString());
            Assert.True(after[0].GetProperty("availability").GetProperty("inStock").GetBoolean());
            Assert.Contains(after.EnumerateArray(), i => i.GetProperty("id").GetString() == first.GetProperty("id").GetString()); // still found, lower
            // Without a store there is no stock to weigh: relevance alone.
            Assert.Equal(first.GetProperty("id").GetString(), (await GetJson("/v1/products?query=greek+yogurt&pageSize=50")).GetProperty("items")[0].GetProperty("id").GetString());
        }
        finally
        {
            await CountAsync(onHand);
        }
    }

    [Fact]
    public async Task Products_InCategory_SortedByPrice()
    {
        var dairy = (await GetJson("/v1/categories")).EnumerateArray().Single(c => c.GetProperty("slug").GetString() == "dairy-eggs").GetProperty("id").GetString();
        var items = (await GetJson($"/v1/products?categoryId={dairy}&storeId={await StoreId()}&sort=price_desc&pageSize=100")).GetProperty("items");
        var prices = items.EnumerateArray().Select(i => i.GetProperty("price").GetProperty("value").GetInt64()).ToList();
        Assert.Equal(prices.OrderDescending(), prices);
        Assert.Equal(16, prices.Count);
    }

    [Theory]
    [InlineData("pageSize=0", "pageSize")]
    [InlineData("pageSize=101", "pageSize")]
    [InlineData("pageSize=abc", "pageSize")]
    [InlineData("page=0", "page")]
    [InlineData("page=-1", "page")]
    [InlineData("page=99999999999", "page")]
    [InlineData("sort=cheapest", "sort")]
    [InlineData("storeId=7", "storeId")]
    [InlineData("categoryId=dairy", "categoryId")]
    public async Task Products_BadQuery_Is400NamingTheField(string query, string field) =>
        AssertProblem(await GetJson($"/v1/products?{query}", HttpStatusCode.BadRequest), 400, field);

    [Fact]
    public async Task Products_SeveralBadFields_AreAllReportedAtOnce()
    {
        var problem = await GetJson("/v1/products?page=-1&pageSize=500&sort=x", HttpStatusCode.BadRequest);
        var errors = problem.GetProperty("errors");
        Assert.True(errors.TryGetProperty("page", out _) && errors.TryGetProperty("pageSize", out _) && errors.TryGetProperty("sort", out _));
    }

    [Theory]
    [InlineData("storeId=st_999")]
    [InlineData("categoryId=cat_999")]
    public async Task Products_UnknownStoreOrCategory_Is404(string query) =>
        AssertProblem(await GetJson($"/v1/products?{query}", HttpStatusCode.NotFound), 404);

    [Fact]
    public async Task Product_Detail_HasSkusWithPriceForTheStoresRegion()
    {
        var id = (await GetJson("/v1/products?query=pasture+raised+eggs")).GetProperty("items")[0].GetProperty("id").GetString();
        var north = await GetJson($"/v1/products/{id}?storeId={await StoreId("10013")}");
        var south = await GetJson($"/v1/products/{id}?storeId={await StoreId("11201")}");
        Assert.Equal(2, north.GetProperty("skus").GetArrayLength());
        Assert.Equal(699, north.GetProperty("skus")[0].GetProperty("price").GetProperty("value").GetInt64());
        Assert.True(south.GetProperty("skus")[0].GetProperty("price").GetProperty("value").GetInt64() < 699);
        Assert.StartsWith("/images/products/", north.GetProperty("images")[0].GetProperty("url").GetString());
        Assert.Equal("Dairy & Eggs", north.GetProperty("categories")[0].GetProperty("name").GetString());
    }

    [Theory]
    [InlineData("p_999999")]
    [InlineData("sku_1")]
    [InlineData("p_-1")]
    [InlineData("nothing")]
    public async Task Product_Unknown_Is404(string id) => AssertProblem(await GetJson($"/v1/products/{id}", HttpStatusCode.NotFound), 404);

    [Fact]
    public async Task Product_UnknownStore_Is404() => AssertProblem(await GetJson("/v1/products/p_1?storeId=st_999", HttpStatusCode.NotFound), 404);

    private async Task<(HttpStatusCode Status, JsonElement Body)> PostBatch(string json)
    {
        var response = await _http.PostAsync("/v1/availability:batch", new StringContent(json, Encoding.UTF8, "application/json"));
        var text = await response.Content.ReadAsStringAsync();
        return (response.StatusCode, text.Length == 0 ? default : JsonDocument.Parse(text).RootElement);
    }

    [Fact]
    public async Task AvailabilityBatch_ReportsEachSku()
    {
        var store = await StoreId();
        var skus = (await GetJson($"/v1/products?storeId={store}&pageSize=5")).GetProperty("items").EnumerateArray().Select(i => i.GetProperty("skuId").GetString()).ToList();
        var (status, body) = await PostBatch(JsonSerializer.Serialize(new { storeId = store, skuIds = skus }));
        Assert.Equal(HttpStatusCode.OK, status);
        Assert.Equal(skus, body.GetProperty("items").EnumerateArray().Select(i => i.GetProperty("skuId").GetString()).ToList());
        Assert.All(body.GetProperty("items").EnumerateArray(), i => Assert.Equal(i.GetProperty("inStock").GetBoolean(), i.GetProperty("availableQty").GetInt32() > 0));
    }

    [Theory]
    [InlineData("{\"storeId\":\"st_1\",", 400)]                                   // malformed JSON
    [InlineData("[1,2]", 400)]                                                    // wrong shape
    [InlineData("{\"storeId\":\"st_1\",\"skuIds\":[]}", 400)]                     // nothing asked
    [InlineData("{\"skuIds\":[\"sku_1\"]}", 400)]                                 // no store
    [InlineData("{\"storeId\":\"st_1\",\"skuIds\":[\"p_1\"]}", 400)]             // not a SKU id
    [InlineData("{\"storeId\":\"st_1\",\"skuIds\":[1]}", 400)]                    // a number, not an id
    [InlineData("{\"storeId\":\"st_999\",\"skuIds\":[\"sku_1\"]}", 404)]         // unknown store
    [InlineData("{\"storeId\":\"st_1\",\"skuIds\":[\"sku_999999\"]}", 404)]      // unknown SKU
    public async Task AvailabilityBatch_BadInput_IsAProblem(string json, int status)
    {
        var (actual, body) = await PostBatch(json);
        Assert.Equal(status, (int)actual);
        AssertProblem(body, status);
    }

    [Fact]
    public async Task AvailabilityBatch_TooManySkus_Is400()
    {
        var ids = Enumerable.Range(1, 101).Select(i => $"sku_{i}");
        var (status, body) = await PostBatch(JsonSerializer.Serialize(new { storeId = "st_1", skuIds = ids }));
        Assert.Equal(HttpStatusCode.BadRequest, status);
        AssertProblem(body, 400, "skuIds");
    }

    [Fact]
    public async Task AvailabilityBatch_NotJson_Is415()
    {
        var response = await _http.PostAsync("/v1/availability:batch", new StringContent("storeId=st_1", Encoding.UTF8, "application/x-www-form-urlencoded"));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task UnknownApiRoute_IsA404Problem() => AssertProblem(await GetJson("/v1/no-such-thing", HttpStatusCode.NotFound), 404);

    [Fact]
    public async Task OpenApi_DescribesTheCatalogRoutes()
    {
        var doc = await GetJson("/openapi/v1.json");
        var paths = doc.GetProperty("paths");
        foreach (var route in new[] { "/v1/stores", "/v1/categories", "/v1/products", "/v1/products/{productId}", "/v1/availability:batch", "/v1/auth/login" })
            Assert.True(paths.TryGetProperty(route, out _), route);
    }

    [Theory]
    [InlineData("/v1/products/sku_1")]
    [InlineData("/v1/stores/p_1")]
    [InlineData("/v1/stores/st_0/slots")]
    [InlineData("/v1/orders/pay_1")]
    [InlineData("/v1/payments/o_1")]
    public async Task AnIdOfAnotherKindInTheRoute_MatchesNoRoute_AndIsA404Problem(string path)
    {
        var problem = await GetJson(path, HttpStatusCode.NotFound);
        AssertProblem(problem, 404);
        Assert.Contains("id", problem.GetProperty("detail").GetString());
    }

    [Fact]
    public async Task OpenApi_DescribesTypedIds_AsPrefixedStrings()
    {
        var doc = await GetJson("/openapi/v1.json");
        var schemas = doc.GetProperty("components").GetProperty("schemas");
        JsonElement Resolve(JsonElement schema) =>
            schema.TryGetProperty("$ref", out var reference) ? schemas.GetProperty(reference.GetString()!.Split('/')[^1]) : schema;

        var product = schemas.GetProperty("ProductSummaryDto").GetProperty("properties");
        var id = Resolve(product.GetProperty("id"));
        Assert.Equal("string", id.GetProperty("type").GetString());
        Assert.Equal("^p_[0-9]+$", id.GetProperty("pattern").GetString());
        Assert.Equal("^sku_[0-9]+$", Resolve(product.GetProperty("skuId")).GetProperty("pattern").GetString());
        Assert.False(id.TryGetProperty("properties", out _), id.ToString());
    }

    [Fact]
    public async Task ApiReference_IsServedFromThisHost()
    {
        var html = await (await app.CreateClient(allowRedirects: true).GetAsync("/api-docs/v1")).Content.ReadAsStringAsync();
        Assert.Contains("QCommerce API", html);
    }

    [Fact]
    public async Task Auth_RegisterLoginAndUseTheBearerToken()
    {
        var email = $"shopper-{Guid.NewGuid():N}@example.com";
        var register = await _http.PostAsJsonAsync("/v1/auth/register", new { email, password = "Groceries-2026" });
        Assert.Equal(HttpStatusCode.OK, register.StatusCode);
        var login = await _http.PostAsJsonAsync("/v1/auth/login", new { email, password = "Groceries-2026" });
        var tokens = JsonDocument.Parse(await login.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal("Bearer", tokens.GetProperty("tokenType").GetString());
        Assert.True(tokens.GetProperty("expiresIn").GetInt32() > 0);
        Assert.False(string.IsNullOrEmpty(tokens.GetProperty("refreshToken").GetString()));

        using var info = new HttpRequestMessage(HttpMethod.Get, "/v1/auth/manage/info");
        info.Headers.Authorization = new("Bearer", tokens.GetProperty("accessToken").GetString());
        var me = await _http.SendAsync(info);
        Assert.Equal(HttpStatusCode.OK, me.StatusCode);
        Assert.Contains(email, await me.Content.ReadAsStringAsync());

        var refresh = await _http.PostAsJsonAsync("/v1/auth/refresh", new { refreshToken = tokens.GetProperty("refreshToken").GetString() });
        Assert.Equal(HttpStatusCode.OK, refresh.StatusCode);
    }

    [Theory]
    [InlineData("POST", "/v1/auth/manage/2fa")]
    [InlineData("GET", "/v1/auth/manage/2fa")]
    public async Task Auth_EndpointsTheProductDoesNotOffer_AreNotThere(string method, string path)
    {
        using var request = new HttpRequestMessage(new HttpMethod(method), path) { Content = JsonContent.Create(new { email = "a@example.com" }) };
        var response = await _http.SendAsync(request);
        Assert.True(response.StatusCode is HttpStatusCode.NotFound or HttpStatusCode.MethodNotAllowed, $"{path}: {response.StatusCode}");
    }

    [Theory]
    [InlineData("/v1/auth/register", "{\"email\":null,\"password\":null}", "email")]
    [InlineData("/v1/auth/register", "{\"email\":\"a@example.com\",\"password\":null}", "password")]
    [InlineData("/v1/auth/login", "{\"email\":null,\"password\":\"x\"}", "email")]
    [InlineData("/v1/auth/login", "{\"email\":\"a@example.com\"}", "password")]
    [InlineData("/v1/auth/refresh", "{\"refreshToken\":null}", "refreshToken")]
    [InlineData("/v1/auth/register", "null", "body")]
    public async Task Auth_WithNullFields_Is400NamingTheField(string path, string json, string field)
    {
        var response = await _http.PostAsync(path, new StringContent(json, System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), problem.ToString());
    }

    [Fact]
    public async Task Auth_RefreshWithAForgedToken_Is401()
    {
        var response = await _http.PostAsJsonAsync("/v1/auth/refresh", new { refreshToken = "CfDJ8" + new string('x', 300) });
        Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
    }

    [Fact]
    public async Task Charsets_AQuotedUtf8IsRead_AnyOtherIs415()
    {
        async Task<HttpResponseMessage> PostAsync(string contentType)
        {
            var content = new StringContent("{\"storeId\":\"st_1\",\"skuIds\":[\"sku_1\"]}");
            content.Headers.Remove("Content-Type");
            content.Headers.TryAddWithoutValidation("Content-Type", contentType);
            return await _http.PostAsync("/v1/availability:batch", content);
        }

        Assert.Equal(HttpStatusCode.OK, (await PostAsync("application/json; charset=\"utf-8\"")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await PostAsync("application/json; charset=UTF-8")).StatusCode);
        foreach (var charset in new[] { "utf-7", "\"utf-16\"", "nonsense" })
        {
            var refused = await PostAsync($"application/json; charset={charset}");
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, refused.StatusCode);
            Assert.Equal("application/problem+json", refused.Content.Headers.ContentType?.MediaType);
        }
    }

    [Fact]
    public async Task Problems_QuoteAtMostAShortPieceOfTheirPath()
    {
        var response = await _http.GetAsync($"/v1/stores/{new string('Z', 7000)}/slots");
        var problem = JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(HttpStatusCode.NotFound, response.StatusCode);
        Assert.True(problem.GetProperty("instance").GetString()!.Length <= 210);
        Assert.True(problem.GetProperty("detail").GetString()!.Length <= 120);
    }

    [Fact]
    public async Task Auth_AnEmailWithPunctuation_CanRegister_AndTheStorefrontCookieDoesNotOpenTheApi()
    {
        var email = $"a!b#c+{Guid.NewGuid():N}@example.com";
        Assert.Equal(HttpStatusCode.OK, (await _http.PostAsJsonAsync("/v1/auth/register", new { email, password = "Groceries-2026" })).StatusCode);

        // Signed in on the storefront, the browser's cookie is not a credential for /v1: a page on another
        // same-site origin could otherwise have the browser cancel the shopper's orders.
        var browser = app.CreateClient();
        var signedIn = await Forms.PostAsync(browser, "/account/login", "/account/login", new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = email, ["Input.Password"] = "Groceries-2026",
        });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/account")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.GetAsync("/v1/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await browser.PostAsync("/v1/cart/accept-prices?storeId=st_1", null)).StatusCode);
    }

    [Fact]
    public async Task Auth_WrongPasswordFiveTimes_LocksTheAccount()
    {
        var email = $"locked-{Guid.NewGuid():N}@example.com";
        await _http.PostAsJsonAsync("/v1/auth/register", new { email, password = "Groceries-2026" });
        for (var i = 0; i < 5; i++)
            Assert.Equal(HttpStatusCode.Unauthorized, (await _http.PostAsJsonAsync("/v1/auth/login", new { email, password = "wrong-password-1" })).StatusCode);
        var right = await _http.PostAsJsonAsync("/v1/auth/login", new { email, password = "Groceries-2026" });
        Assert.Equal(HttpStatusCode.Unauthorized, right.StatusCode);
        Assert.Contains("LockedOut", await right.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task Auth_ProtectedRouteWithoutToken_Is401NotARedirect() =>
        Assert.Equal(HttpStatusCode.Unauthorized, (await _http.GetAsync("/v1/auth/manage/info")).StatusCode);

    [Fact]
    public async Task Responses_CarrySecurityHeadersAndARequestId()
    {
        var response = await _http.GetAsync("/v1/categories");
        Assert.Equal("nosniff", response.Headers.GetValues("X-Content-Type-Options").Single());
        Assert.Equal("DENY", response.Headers.GetValues("X-Frame-Options").Single());
        Assert.False(string.IsNullOrEmpty(response.Headers.GetValues("X-Request-Id").Single()));
    }

    [Fact]
    public async Task Health_LiveAndReady()
    {
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/live")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await _http.GetAsync("/health/ready")).StatusCode);
    }
}

public sealed class SqliteCatalogApiTests(SqliteApp app) : CatalogApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresCatalogApiTests(PostgresApp app) : CatalogApiTests(app), IClassFixture<PostgresApp>;
