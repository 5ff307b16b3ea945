using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Api;

/// <summary>
/// /v1/ops products, pictures, categories, coupons and store settings over real HTTP on each provider: a product made
/// and priced through the API reaches /v1/products and leaves it when deactivated; a picture that is not one is 415, one
/// too big 422; staff of some stores read but do not change (403); store settings are the admin's.
/// </summary>
public abstract class OpsCatalogApiTests(QCommerceApp app)
{
    private Task<ApiShopper> AdminAsync() => ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);

    private async Task<ApiShopper> ColleagueAsync(params int[] stores) => (await TestStaff.ColleagueAsync(app, stores)).Client;

    private async Task<string> LeafCategoryAsync()
    {
        await using var db = app.Database.CreateContext();
        var id = await db.Categories.Where(c => c.IsActive && !db.Categories.Any(x => x.ParentId == c.Id)).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
        return PublicId.Format(PublicId.Category, id);
    }

    private static string Ean() { var body = "50" + Random.Shared.NextInt64(1_000_000_000, 9_999_999_999); return body + Barcodes.CheckDigit(body); }

    private static MultipartFormDataContent Upload(byte[] bytes, string name, string type)
    {
        var form = new MultipartFormDataContent();
        var file = new ByteArrayContent(bytes);
        file.Headers.ContentType = new MediaTypeHeaderValue(type);
        form.Add(file, "file", name);
        return form;
    }

    [Fact]
    public async Task AProductMadeThroughTheApi_IsSoldWithItsPictureAndPrice_AndLeavesTheCatalogWhenDeactivated()
    {
        var admin = await AdminAsync();
        var category = await LeafCategoryAsync();
        var body = new { title = $"Heirloom Tomatoes {Guid.NewGuid():N}"[..30], brand = "Green Acre", description = "Sweet.", categoryId = category, active = true,
            skus = new[] { new { barcode = Ean(), unit = "gram", size = 500 } } };
        var created = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/products", body), HttpStatusCode.Created);
        var productId = created.GetProperty("productId").GetString()!;
        var skuId = created.GetProperty("skus")[0].GetProperty("skuId").GetString()!;

        var picture = await ApiShopper.JsonAsync(await admin.Http.PostAsync($"/v1/ops/products/{productId}/images", Upload(TestPictures.Png(), "tomatoes.png", "image/png")),
            HttpStatusCode.Created);
        var url = picture.GetProperty("url").GetString()!;
        var served = await app.CreateClient().GetAsync(url);
        Assert.Equal(("image/webp", HttpStatusCode.OK), (served.Content.Headers.ContentType?.MediaType, served.StatusCode));
        Assert.Contains("immutable", served.Headers.CacheControl?.ToString());
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync(url.Replace("-800.webp", "-801.webp"))).StatusCode);

        await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/prices", new { skuId, region = "metro-north", amount = new { currency = "USD", value = 399 } }), HttpStatusCode.Created);
        await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/stores/st_2/stock/adjustments", new { skuId, type = "received", qty = 30 }), HttpStatusCode.OK);
        var shopper = app.CreateClient();
        var listed = await ApiShopper.JsonAsync(await shopper.GetAsync($"/v1/products/{productId}?storeId=st_2"), HttpStatusCode.OK);
        Assert.Equal(399, listed.GetProperty("skus")[0].GetProperty("price").GetProperty("value").GetInt64());

        var off = await admin.Http.PutAsJsonAsync($"/v1/ops/products/{productId}", new { title = body.title, brand = "Green Acre", description = "Sweet.", categoryId = category, active = false, featured = false });
        Assert.Equal(HttpStatusCode.OK, off.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await shopper.GetAsync($"/v1/products/{productId}?storeId=st_2")).StatusCode);
        Assert.False((await admin.GetAsync($"/v1/ops/products/{productId}")).GetProperty("active").GetBoolean());

        // A PUT replaces the product: one that leaves the flags out is refused, and the withdrawn product stays withdrawn.
        var flagless = await ApiShopper.JsonAsync(await admin.Http.PutAsJsonAsync($"/v1/ops/products/{productId}",
            new { title = "Renamed", brand = "Green Acre", categoryId = category }), HttpStatusCode.BadRequest);
        Assert.True(flagless.GetProperty("errors").TryGetProperty("active", out _));
        Assert.True(flagless.GetProperty("errors").TryGetProperty("featured", out _));
        var still = await admin.GetAsync($"/v1/ops/products/{productId}");
        Assert.False(still.GetProperty("active").GetBoolean());
        Assert.Equal(body.title, still.GetProperty("title").GetString());
        Assert.Equal(HttpStatusCode.NotFound, (await shopper.GetAsync($"/v1/products/{productId}?storeId=st_2")).StatusCode);
    }

    [Fact]
    public async Task UploadsAtTheSameMoment_AllLand()
    {
        var admin = await AdminAsync();
        var product = (await admin.GetAsync("/v1/ops/products?pageSize=1&query=milk")).GetProperty("items")[0].GetProperty("productId").GetString();
        var before = (await admin.GetAsync($"/v1/ops/products/{product}")).GetProperty("images").GetArrayLength();
        var uploads = Enumerable.Range(0, 3).Select(_ => admin.Http.PostAsync($"/v1/ops/products/{product}/images", Upload(TestPictures.Png(), "p.png", "image/png"))).ToList();
        Assert.All(await Task.WhenAll(uploads), r => Assert.Equal(HttpStatusCode.Created, r.StatusCode));
        var after = (await admin.GetAsync($"/v1/ops/products/{product}")).GetProperty("images").EnumerateArray().Count(i => i.GetProperty("url").GetString()!.StartsWith("/media/"));
        Assert.Equal(3, after);
        Assert.True(before >= 0);

        // Up to eight: the ninth is refused by field, like every other upload problem.
        for (var i = after; i < 8; i++)
            Assert.Equal(HttpStatusCode.Created, (await admin.Http.PostAsync($"/v1/ops/products/{product}/images", Upload(TestPictures.Png(), "p.png", "image/png"))).StatusCode);
        var ninth = await ApiShopper.JsonAsync(await admin.Http.PostAsync($"/v1/ops/products/{product}/images", Upload(TestPictures.Png(), "p.png", "image/png")),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("at most 8 pictures", ninth.GetProperty("errors").GetProperty("file")[0].GetString());
    }

    [Fact]
    public async Task APictureThatIsNotOne_Is415_AndOneTooBig422()
    {
        var admin = await AdminAsync();
        var product = (await admin.GetAsync("/v1/ops/products?pageSize=1")).GetProperty("items")[0].GetProperty("productId").GetString();
        Assert.Equal(HttpStatusCode.UnsupportedMediaType,
            (await admin.Http.PostAsync($"/v1/ops/products/{product}/images", Upload(TestPictures.HtmlNamedPng, "cat.png", "image/png"))).StatusCode);
        var big = new byte[ProductPictures.MaxBytes + 10];
        TestPictures.Png().CopyTo(big, 0);
        var tooBig = await ApiShopper.JsonAsync(await admin.Http.PostAsync($"/v1/ops/products/{product}/images", Upload(big, "huge.png", "image/png")), HttpStatusCode.UnprocessableEntity);
        Assert.True(tooBig.GetProperty("errors").TryGetProperty("file", out _));
        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.Http.PostAsJsonAsync($"/v1/ops/products/{product}/images", new { file = "x" })).StatusCode);

        // Bodies that only claim to be multipart are the client's mistake: a 400 problem, nothing stored.
        foreach (var (contentType, text) in new[]
        {
            ("multipart/form-data", "xxxx"),
            ("multipart/form-data; boundary=abc", "--abc\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.png\"\r\n\r\nxxx"),
        })
        {
            var malformed = new ByteArrayContent(System.Text.Encoding.ASCII.GetBytes(text));
            malformed.Headers.TryAddWithoutValidation("Content-Type", contentType);
            var answer = await admin.Http.PostAsync($"/v1/ops/products/{product}/images", malformed);
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.Equal("application/problem+json", answer.Content.Headers.ContentType?.MediaType);
        }
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.PostAsync("/v1/ops/products/p_99999999/images", Upload(TestPictures.Png(), "a.png", "image/png"))).StatusCode);
    }

    [Fact]
    public async Task BadProductsAreNamedByField_AndColleaguesOfOneStoreReadButDoNotChange()
    {
        var admin = await AdminAsync();
        var bad = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/products",
            new { title = "", brand = "B", categoryId = await LeafCategoryAsync(), skus = new[] { new { barcode = "123", unit = "gram", size = 5 } } }), HttpStatusCode.UnprocessableEntity);
        Assert.True(bad.GetProperty("errors").TryGetProperty("title", out _));
        Assert.True(bad.GetProperty("errors").TryGetProperty("skus[0].barcode", out _));
        var unit = await admin.Http.PostAsJsonAsync("/v1/ops/products", new { title = "T", brand = "B", categoryId = await LeafCategoryAsync(), skus = new[] { new { barcode = Ean(), unit = "bushel", size = 5 } } });
        Assert.Equal(HttpStatusCode.BadRequest, unit.StatusCode);

        var colleague = await ColleagueAsync(1);
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/v1/ops/products?query=milk")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/v1/ops/categories")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Http.PostAsJsonAsync("/v1/ops/categories", new { name = "Mine" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Http.PostAsJsonAsync("/v1/ops/coupons", new { code = "MINE10", kind = "percent", percentOff = 10, minimumBasket = 0, currency = "USD" })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Http.PutAsJsonAsync("/v1/ops/stores/st_1", new { opens = "07:00" })).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/v1/ops/stores/st_1")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await colleague.Http.GetAsync("/v1/ops/stores/st_2")).StatusCode);
    }

    [Fact]
    public async Task Categories_AreMadeMovedAndDeleted_AndOneWithProductsStays()
    {
        var admin = await AdminAsync();
        var made = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/categories", new { name = $"Pantry {Guid.NewGuid():N}"[..16] }), HttpStatusCode.Created);
        var id = made.GetProperty("categoryId").GetString();
        var child = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/categories", new { name = "Tins", parentId = id }), HttpStatusCode.Created);
        var loop = await ApiShopper.JsonAsync(await admin.Http.PutAsJsonAsync($"/v1/ops/categories/{id}", new { parentId = child.GetProperty("categoryId").GetString() }),
            HttpStatusCode.UnprocessableEntity);
        Assert.True(loop.GetProperty("errors").TryGetProperty("parentId", out _));
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Http.DeleteAsync($"/v1/ops/categories/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/ops/categories/{child.GetProperty("categoryId").GetString()}")).StatusCode);
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/ops/categories/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Http.DeleteAsync($"/v1/ops/categories/{await LeafCategoryAsync()}")).StatusCode);
    }

    [Fact]
    public async Task Coupons_AreListedWithUsage_CreatedAndDisabled_AndStoreSettingsChangeForAdmins()
    {
        var admin = await AdminAsync();
        var code = $"API{Random.Shared.Next(10000, 99999)}";
        var made = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/coupons",
            new { code, kind = "amount", amountOff = 300, minimumBasket = 1500, currency = "USD", usageLimit = 50 }), HttpStatusCode.Created);
        Assert.Equal(("Active", 0), (made.GetProperty("state").GetString(), made.GetProperty("timesUsed").GetInt32()));
        var off = await ApiShopper.JsonAsync(await admin.Http.PutAsJsonAsync($"/v1/ops/coupons/{code}",
            new { kind = "amount", amountOff = 300, minimumBasket = 1500, currency = "USD", usageLimit = 50, active = false }), HttpStatusCode.OK);
        Assert.Equal("Disabled", off.GetProperty("state").GetString());
        var list = await ApiShopper.JsonAsync(await admin.Http.GetAsync("/v1/ops/coupons"), HttpStatusCode.OK);
        Assert.Contains(list.EnumerateArray(), c => c.GetProperty("code").GetString() == code);

        var settings = await admin.GetAsync("/v1/ops/stores/st_3");
        var zips = settings.GetProperty("deliveryZips").EnumerateArray().Select(z => z.GetString()).ToList();
        var changed = await ApiShopper.JsonAsync(await admin.Http.PutAsJsonAsync("/v1/ops/stores/st_3", new
        {
            opens = "06:30", closes = "23:30", deliveryZips = zips, deliveryFee = 249, freeDeliveryThreshold = 3000, baseEtaMinutes = 18, slotMinutes = 60, slotCapacity = 8,
        }), HttpStatusCode.OK);
        Assert.Equal(("06:30", 249L), (changed.GetProperty("opens").GetString(), changed.GetProperty("deliveryFee").GetProperty("value").GetInt64()));
        var store = (await app.CreateClient().GetFromJsonAsync<System.Text.Json.JsonElement>("/v1/stores")).EnumerateArray().Single(s => s.GetProperty("id").GetString() == "st_3");
        Assert.Equal(249, store.GetProperty("deliveryFee").GetProperty("value").GetInt64());
        var bad = await admin.Http.PutAsJsonAsync("/v1/ops/stores/st_3", new { opens = "7am" });
        Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
    }
}

public sealed class SqliteOpsCatalogApiTests(SqliteApp app) : OpsCatalogApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresOpsCatalogApiTests(PostgresApp app) : OpsCatalogApiTests(app), IClassFixture<PostgresApp>;
