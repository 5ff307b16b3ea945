using System.Diagnostics;
using System.Net;
using System.Net.Http.Json;
using System.Text.Json;

namespace QCommerce.Tests.Catalog;

/// <summary>
/// The catalog is served from memory (a snapshot per instance, stock from a cache no older than a second): two
/// instances of the app over one database, as behind a load balancer. What ops change on one reaches that instance's
/// API and pages at once, and the other's within a second; checkout never sells from what an instance remembers.
/// </summary>
public abstract class CatalogFreshnessTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan WithinASecond = TimeSpan.FromSeconds(1);

    private QCommerceApp _here = null!;
    private QCommerceApp _there = null!;

    public async Task InitializeAsync()
    {
        _here = new QCommerceApp(provider);
        await _here.InitializeAsync();
        _there = new QCommerceApp(provider, sharedDatabase: _here.Database);
        await _there.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await _there.DisposeAsync();
        await _here.DisposeAsync();
    }

    [Fact]
    public async Task APriceChange_ReachesTheApiAndThePages_HereAtOnce_AndOnTheOtherInstanceWithinASecond()
    {
        var (productId, slug, skuId) = await ProductAsync(offset: 40);
        using var shopperHere = _here.CreateClient();
        using var shopperThere = _there.CreateClient();
        Assert.NotEqual(1234, await PriceAsync(shopperThere, productId, skuId)); // the other instance holds the old price now

        var admin = await ApiShopper.SignInAsync(_here, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);
        await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/prices",
            new { skuId, region = "metro-north", amount = new { currency = "USD", value = 1234 } }), HttpStatusCode.Created);

        Assert.Equal(1234, await PriceAsync(shopperHere, productId, skuId));
        Assert.Contains("$12.34", await PageAsync(shopperHere, $"/p/{slug}"));
        await WithinASecondAsync(() => PriceAsync(shopperThere, productId, skuId), price => price == 1234, "the new price on the other instance");
        Assert.Contains("$12.34", await PageAsync(shopperThere, $"/p/{slug}"));
    }

    [Fact]
    public async Task ADeactivation_TakesTheProductOffTheApiAndThePages_HereAtOnce_AndOnTheOtherInstanceWithinASecond()
    {
        var (productId, slug, _) = await ProductAsync(offset: 41);
        using var shopperHere = _here.CreateClient();
        using var shopperThere = _there.CreateClient();
        var before = await ApiShopper.JsonAsync(await shopperThere.GetAsync($"/v1/products/{productId}"), HttpStatusCode.OK);

        var admin = await ApiShopper.SignInAsync(_here, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);
        var off = await admin.Http.PutAsJsonAsync($"/v1/ops/products/{productId}", new
        {
            title = before.GetProperty("title").GetString(), brand = before.GetProperty("brand").GetString(),
            description = before.GetProperty("description").GetString(), categoryId = before.GetProperty("categories").EnumerateArray().Last().GetProperty("id").GetString(), active = false, featured = false,
        });
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);

        Assert.Equal(HttpStatusCode.NotFound, (await shopperHere.GetAsync($"/v1/products/{productId}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await shopperHere.GetAsync($"/p/{slug}")).StatusCode);
        await WithinASecondAsync(async () => (await shopperThere.GetAsync($"/v1/products/{productId}")).StatusCode,
            status => status == HttpStatusCode.NotFound, "the product gone from the other instance's API");
        Assert.Equal(HttpStatusCode.NotFound, (await shopperThere.GetAsync($"/p/{slug}")).StatusCode);
        var listed = await ApiShopper.JsonAsync(await shopperThere.GetAsync($"/v1/products?query={Uri.EscapeDataString(before.GetProperty("title").GetString()!)}"), HttpStatusCode.OK);
        Assert.DoesNotContain(listed.GetProperty("items").EnumerateArray(), i => i.GetProperty("id").GetString() == productId);
    }

    [Fact]
    public async Task StockCountedToZero_IsSoldOutInTheApiAndThePages_HereAtOnce_AndOnTheOtherInstanceWithinASecond()
    {
        var (productId, slug, skuId) = await ProductAsync(offset: 42);
        using var shopperHere = _here.CreateClient();
        using var shopperThere = _there.CreateClient();
        Assert.True((await AvailabilityAsync(shopperThere, productId, skuId)).GetProperty("inStock").GetBoolean());

        var admin = await ApiShopper.SignInAsync(_here, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);
        await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/stores/st_2/stock/adjustments",
            new { skuId, type = "count", qty = 0, note = "shelf empty" }), HttpStatusCode.OK);

        Assert.False((await AvailabilityAsync(shopperHere, productId, skuId)).GetProperty("inStock").GetBoolean());
        Assert.Contains("Sold out", await PageAsync(shopperHere, $"/p/{slug}"));
        await WithinASecondAsync(async () => (await AvailabilityAsync(shopperThere, productId, skuId)).GetProperty("inStock").GetBoolean(),
            inStock => !inStock, "sold out on the other instance");
        Assert.Contains("Sold out", await PageAsync(shopperThere, $"/p/{slug}"));
    }

    [Fact]
    public async Task Checkout_RefusesStockTheOtherInstanceStillRemembers_AndChargesThePriceInForceNow()
    {
        var (productId, _, skuId) = await ProductAsync(offset: 43);
        var shopper = await ApiShopper.SignUpAsync(_there);
        Assert.True((await AvailabilityAsync(shopper.Http, productId, skuId)).GetProperty("inStock").GetBoolean()); // remembered there

        // Written behind both instances' backs (another writer, a script): nothing tells them.
        var id = int.Parse(skuId["sku_".Length..]);
        await using (var db = _here.Database.CreateContext())
            await db.Stock.Where(s => s.StoreId == 2 && s.SkuId == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, x => x.Reserved));
        var refused = await shopper.PostAsync("/v1/orders", Order(skuId), Guid.NewGuid().ToString());
        var problem = await ApiShopper.JsonAsync(refused, HttpStatusCode.UnprocessableEntity);
        Assert.True(problem.GetProperty("errors").TryGetProperty("items[0].qty", out _) || problem.GetProperty("errors").TryGetProperty("items[0].skuId", out _), problem.ToString());

        await using (var db = _here.Database.CreateContext())
        {
            await db.Stock.Where(s => s.StoreId == 2 && s.SkuId == id).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, x => x.Reserved + 50));
            db.Prices.Add(new QCommerce.Core.Catalog.Price(id, 1, new Money("USD", 777), DateTime.UtcNow.AddSeconds(-1)));
            await db.SaveChangesAsync();
        }
        var placed = await ApiShopper.JsonAsync(await shopper.PostAsync("/v1/orders", Order(skuId), Guid.NewGuid().ToString()), HttpStatusCode.Created);
        var order = await shopper.GetAsync($"/v1/orders/{placed.GetProperty("orderId").GetString()}");
        var line = order.GetProperty("items")[0];
        Assert.Equal(777, line.GetProperty("unitPrice").GetProperty("value").GetInt64());
    }

    private static object Order(string skuId) => new
    {
        storeId = ApiShopper.Midtown,
        items = new object[] { new { skuId, qty = 1 } },
        address = new { line1 = "401 W 42nd Street", city = "New York", zip = "10036" },
        paymentMethod = new { type = "cod" },
    };

    /// <summary>A product Midtown stocks with units to spare (its first SKU), read from the API: id, slug and SKU id.</summary>
    private async Task<(string ProductId, string Slug, string SkuId)> ProductAsync(int offset)
    {
        int productId;
        await using (var db = _here.Database.CreateContext())
        {
            var skuIds = await db.Products.Where(p => p.IsActive).Select(p => p.Skus.OrderBy(s => s.Id).First().Id).ToListAsync();
            var sku = await db.Stock.Where(s => s.StoreId == 2 && skuIds.Contains(s.SkuId)).OrderBy(s => s.SkuId).Skip(offset).Select(s => s.SkuId).FirstAsync();
            await db.Stock.Where(s => s.StoreId == 2 && s.SkuId == sku).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, x => x.Reserved + 50));
            productId = await db.Skus.Where(s => s.Id == sku).Select(s => s.ProductId).SingleAsync();
        }
        using var http = _here.CreateClient();
        // The stock was set behind the app's back: wait the second it may remember the old figure for.
        var detail = await Eventually.Async(async () => await ApiShopper.JsonAsync(await http.GetAsync($"/v1/products/p_{productId}?storeId=st_2"), HttpStatusCode.OK),
            d => d.GetProperty("skus")[0].GetProperty("availability").GetProperty("availableQty").GetInt32() == 50, "the test's stock", TimeSpan.FromSeconds(3));
        return ($"p_{productId}", detail.GetProperty("slug").GetString()!, detail.GetProperty("skus")[0].GetProperty("id").GetString()!);
    }

    private static async Task<long?> PriceAsync(HttpClient http, string productId, string skuId)
    {
        var sku = await SkuAsync(http, productId, skuId);
        return sku.GetProperty("price").ValueKind == JsonValueKind.Null ? null : sku.GetProperty("price").GetProperty("value").GetInt64();
    }

    private static async Task<JsonElement> AvailabilityAsync(HttpClient http, string productId, string skuId) =>
        (await SkuAsync(http, productId, skuId)).GetProperty("availability");

    private static async Task<JsonElement> SkuAsync(HttpClient http, string productId, string skuId)
    {
        var detail = await ApiShopper.JsonAsync(await http.GetAsync($"/v1/products/{productId}?storeId=st_2"), HttpStatusCode.OK);
        return detail.GetProperty("skus").EnumerateArray().Single(s => s.GetProperty("id").GetString() == skuId);
    }

    /// <summary>A storefront page as a Midtown shopper's browser gets it.</summary>
    private static async Task<string> PageAsync(HttpClient http, string path)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Add("Cookie", "qc_store=2");
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    private static async Task WithinASecondAsync<T>(Func<Task<T>> read, Func<T, bool> done, string what)
    {
        var clock = Stopwatch.StartNew();
        await Eventually.Async(read, done, what, WithinASecond);
        Assert.True(clock.Elapsed < WithinASecond + TimeSpan.FromMilliseconds(250), $"{what} took {clock.ElapsedMilliseconds} ms");
    }
}

public sealed class SqliteCatalogFreshnessTests() : CatalogFreshnessTests(DatabaseProvider.Sqlite);

public sealed class PostgresCatalogFreshnessTests() : CatalogFreshnessTests(DatabaseProvider.Postgres);
