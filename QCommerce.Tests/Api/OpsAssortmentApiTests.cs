using System.Net;
using System.Net.Http.Json;
using System.Text;

namespace QCommerce.Tests.Api;

/// <summary>
/// /v1/ops stock, prices, imports and exports over real HTTP on each provider: staff only, a scoped colleague kept to their
/// stores (404) and off catalog-wide prices (403), bad input named by field (422) or unreadable (400), CSV imports that
/// answer every bad row by row and column with nothing applied, and exports as text/csv.
/// </summary>
public abstract class OpsAssortmentApiTests(QCommerceApp app)
{
    private Task<ApiShopper> AdminAsync() => ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);

    private async Task<ApiShopper> ColleagueAsync(params int[] stores) => (await TestStaff.ColleagueAsync(app, stores)).Client;

    private async Task<int[]> SkusAsync(int offset, int count = 2)
    {
        await using var db = app.Database.CreateContext();
        return await db.Skus.OrderBy(s => s.Id).Skip(offset).Take(count).Select(s => s.Id).ToArrayAsync();
    }

    private static string Sku(int id) => PublicId.Format(PublicId.Sku, id);

    private static StringContent Csv(string text, string type = "text/csv") => new(text, Encoding.UTF8, type);

    [Fact]
    public async Task AShoppersToken_IsForbidden_AndNoTokenIsUnauthorized()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        foreach (var path in new[] { "/v1/ops/stores/st_1/stock", "/v1/ops/prices?skuId=sku_1", "/v1/ops/exports/prices", "/v1/ops/stock/alerts" })
            Assert.Equal(HttpStatusCode.Forbidden, (await shopper.Http.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await shopper.Http.PostAsync("/v1/ops/imports/prices", Csv("sku\n"))).StatusCode);
        using var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/ops/stores/st_1/stock")).StatusCode);
    }

    /// <summary>The imports read dryRun by hand (an empty one must be refused), so the API reference is told of it apart.</summary>
    [Fact]
    public async Task TheApiReference_DescribesTheImportsDryRun()
    {
        using var client = app.CreateClient();
        var doc = System.Text.Json.JsonDocument.Parse(await client.GetStringAsync("/openapi/v1.json")).RootElement;
        foreach (var path in new[] { "/v1/ops/imports/prices", "/v1/ops/imports/stock" })
        {
            var parameters = doc.GetProperty("paths").GetProperty(path).GetProperty("post").GetProperty("parameters").EnumerateArray();
            Assert.Contains(parameters, p => p.GetProperty("name").GetString() == "dryRun" && p.GetProperty("in").GetString() == "query"
                && p.GetProperty("schema").GetProperty("type").GetString() == "boolean");
        }
    }

    [Fact]
    public async Task StockAdjustments_MoveOnHand_AreInTheLedger_AndBadOnesAreNamed()
    {
        var admin = await AdminAsync();
        var sku = (await SkusAsync(160))[0];
        var received = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/stores/st_2/stock/adjustments",
            new { skuId = Sku(sku), type = "received", qty = 12, note = "Tuesday delivery" }), HttpStatusCode.OK);
        Assert.Equal(("received", 12), (received.GetProperty("type").GetString(), received.GetProperty("change").GetInt32()));

        var ledger = await admin.GetAsync($"/v1/ops/stores/st_2/stock/{Sku(sku)}/ledger");
        var line = ledger.GetProperty("items")[0];
        Assert.Equal(("received", 12, received.GetProperty("onHand").GetInt32(), "Tuesday delivery"),
            (line.GetProperty("type").GetString(), line.GetProperty("qty").GetInt32(), line.GetProperty("onHandAfter").GetInt32(), line.GetProperty("reason").GetString()));
        Assert.Equal($"ops:{QCommerceApp.AdminEmail}", line.GetProperty("staff").GetString());

        var bad = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/stores/st_2/stock/adjustments",
            new { skuId = Sku(sku), type = "stolen", qty = -3 }), HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("type", out _));
        var below = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/stores/st_2/stock/adjustments",
            new { skuId = Sku(sku), type = "damaged", qty = 1_000, note = "flood" }), HttpStatusCode.UnprocessableEntity);
        Assert.True(below.GetProperty("errors").TryGetProperty("qty", out _));
        var malformed = await admin.Http.PostAsync("/v1/ops/stores/st_2/stock/adjustments", new StringContent("{\"skuId\": ", Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, malformed.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/ops/stores/st_2/stock/p_1/ledger")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/ops/stores/st_99/stock")).StatusCode);
    }

    [Fact]
    public async Task AColleagueOfOneStore_SeesOnlyItsStock_AndMayNotChangePrices()
    {
        var colleague = await ColleagueAsync(1);
        var sku = (await SkusAsync(163))[0];
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/v1/ops/stores/st_1/stock?pageSize=5")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await colleague.Http.GetAsync("/v1/ops/stores/st_2/stock")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await colleague.Http.PostAsJsonAsync("/v1/ops/stores/st_2/stock/adjustments",
            new { skuId = Sku(sku), type = "received", qty = 1 })).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Http.PostAsJsonAsync("/v1/ops/prices",
            new { skuId = Sku(sku), region = "metro-north", amount = new { currency = "USD", value = 100 } })).StatusCode);
        Assert.DoesNotContain("st_2,", await (await colleague.Http.GetAsync("/v1/ops/exports/stock")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task APrice_IsScheduledListedAndWithdrawn_AndTheRegionsCurrencyIsEnforced()
    {
        var admin = await AdminAsync();
        var sku = Sku((await SkusAsync(165))[0]);
        var from = DateTime.UtcNow.AddDays(5).Date.AddHours(11);
        var wrong = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/prices",
            new { skuId = sku, region = "metro-north", amount = new { currency = "EUR", value = 100 }, effectiveFrom = from }), HttpStatusCode.UnprocessableEntity);
        Assert.True(wrong.GetProperty("errors").TryGetProperty("amount.currency", out _));

        var created = await ApiShopper.JsonAsync(await admin.Http.PostAsJsonAsync("/v1/ops/prices",
            new { skuId = sku, region = "metro-north", amount = new { currency = "USD", value = 1299 }, effectiveFrom = from }), HttpStatusCode.Created);
        Assert.Equal("scheduled", created.GetProperty("state").GetString());
        var list = await admin.GetAsync($"/v1/ops/prices?skuId={sku}&region=metro-north");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), p => p.GetProperty("state").GetString() == "current");
        Assert.Contains(list.GetProperty("items").EnumerateArray(), p => p.GetProperty("priceId").GetString() == created.GetProperty("priceId").GetString());

        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/ops/prices/{created.GetProperty("priceId").GetString()}")).StatusCode);
        var current = list.GetProperty("items").EnumerateArray().First(p => p.GetProperty("state").GetString() == "current").GetProperty("priceId").GetString();
        Assert.Equal(HttpStatusCode.Conflict, (await admin.Http.DeleteAsync($"/v1/ops/prices/{current}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/ops/prices?skuId=sku_99999999")).StatusCode);
    }

    [Fact]
    public async Task APriceImportWithABadRow_Is422ByRowAndColumn_AndNothingIsApplied_ThenTheFixedFileApplies()
    {
        var admin = await AdminAsync();
        var skus = await SkusAsync(167);
        var bad = $"sku,region,amount,currency,effectiveFrom,effectiveTo\n{Sku(skus[0])},metro-north,777,USD,,\n{Sku(skus[1])},metro-north,7.77,USD,,\n";
        var refused = await ApiShopper.JsonAsync(await admin.Http.PostAsync("/v1/ops/imports/prices", Csv(bad)), HttpStatusCode.UnprocessableEntity);
        Assert.True(refused.GetProperty("errors").TryGetProperty("rows[3].amount", out _));
        Assert.DoesNotContain((await admin.GetAsync($"/v1/ops/prices?skuId={Sku(skus[0])}")).GetProperty("items").EnumerateArray(),
            p => p.GetProperty("amount").GetProperty("value").GetInt64() == 777);

        var good = bad.Replace("7.77", "777");
        // A dry run's flag that is not plainly true or false is refused, and nothing is applied.
        foreach (var (query, field) in new[] { ("dryRun=", "dryRun"), ("dryRun=yes", "dryRun"), ("dryRun=1", "dryRun"), ("dryRun=true&dryRun=false", "dryRun"), ("dry-run=true", "dry-run") })
        {
            var refusedFlag = await ApiShopper.JsonAsync(await admin.Http.PostAsync($"/v1/ops/imports/prices?{query}", Csv(good)), HttpStatusCode.BadRequest);
            Assert.True(refusedFlag.GetProperty("errors").TryGetProperty(field, out _), query);
            foreach (var sku in skus.Take(2))
                Assert.DoesNotContain((await admin.GetAsync($"/v1/ops/prices?skuId={Sku(sku)}")).GetProperty("items").EnumerateArray(),
                    p => p.GetProperty("amount").GetProperty("value").GetInt64() == 777);
        }
        var dry = await ApiShopper.JsonAsync(await admin.Http.PostAsync("/v1/ops/imports/prices?dryRun=true", Csv(good)), HttpStatusCode.OK);
        Assert.Equal((2, true, false), (dry.GetProperty("changes").GetInt32(), dry.GetProperty("dryRun").GetBoolean(), dry.GetProperty("applied").GetBoolean()));
        var applied = await ApiShopper.JsonAsync(await admin.Http.PostAsync("/v1/ops/imports/prices", Csv(good)), HttpStatusCode.OK);
        Assert.True(applied.GetProperty("applied").GetBoolean());
        Assert.Contains((await admin.GetAsync($"/v1/ops/prices?skuId={Sku(skus[1])}")).GetProperty("items").EnumerateArray(),
            p => p.GetProperty("amount").GetProperty("value").GetInt64() == 777 && p.GetProperty("state").GetString() == "current");

        Assert.Equal(HttpStatusCode.UnsupportedMediaType, (await admin.Http.PostAsync("/v1/ops/imports/prices", Csv(good, "application/json"))).StatusCode);
        var notUtf8 = new ByteArrayContent([0x73, 0x6B, 0x75, 0xFF, 0xFE]);
        notUtf8.Headers.ContentType = new("text/csv");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.PostAsync("/v1/ops/imports/prices", notUtf8)).StatusCode);
    }

    [Fact]
    public async Task StockCountsImport_AndTheExportsAreCsv()
    {
        var admin = await AdminAsync();
        var sku = (await SkusAsync(170))[0];
        var dry = await ApiShopper.JsonAsync(await admin.Http.PostAsync("/v1/ops/imports/stock?storeId=st_3&dryRun=true",
            Csv($"store,sku,counted\nst_3,{Sku(sku)},7\n")), HttpStatusCode.OK);
        Assert.False(dry.GetProperty("applied").GetBoolean());
        async Task<int> OnHandAsync() => (await admin.GetAsync($"/v1/ops/stores/st_3/stock?skuId={Sku(sku)}")).GetProperty("items")[0].GetProperty("onHand").GetInt32();
        var before = await OnHandAsync();
        foreach (var (query, field) in new[] { ("dryRun=", "dryRun"), ("dry-run=true", "dry-run") })
        {
            var unclear = await ApiShopper.JsonAsync(await admin.Http.PostAsync($"/v1/ops/imports/stock?storeId=st_3&{query}",
                Csv($"store,sku,counted\nst_3,{Sku(sku)},{before + 5}\n")), HttpStatusCode.BadRequest);
            Assert.True(unclear.GetProperty("errors").TryGetProperty(field, out _), query);
            Assert.Equal(before, await OnHandAsync());
        }
        var wrongStore = await ApiShopper.JsonAsync(await admin.Http.PostAsync("/v1/ops/imports/stock?storeId=st_3",
            Csv($"store,sku,counted\nst_1,{Sku(sku)},7\n")), HttpStatusCode.UnprocessableEntity);
        Assert.True(wrongStore.GetProperty("errors").TryGetProperty("rows[2].store", out _));
        var applied = await ApiShopper.JsonAsync(await admin.Http.PostAsync("/v1/ops/imports/stock?storeId=st_3",
            Csv($"store,sku,counted\nst_3,{Sku(sku)},7\n")), HttpStatusCode.OK);
        Assert.True(applied.GetProperty("applied").GetBoolean());
        Assert.Equal(7, (await admin.GetAsync($"/v1/ops/stores/st_3/stock?skuId={Sku(sku)}")).GetProperty("items")[0].GetProperty("onHand").GetInt32());

        var prices = await admin.Http.GetAsync("/v1/ops/exports/prices");
        Assert.Equal("text/csv", prices.Content.Headers.ContentType?.MediaType);
        Assert.StartsWith("sku,region,amount,currency,effectiveFrom,effectiveTo", await prices.Content.ReadAsStringAsync());
        var stock = await admin.Http.GetAsync("/v1/ops/exports/stock?storeId=st_3");
        Assert.Contains($"st_3,{Sku(sku)},7,", await stock.Content.ReadAsStringAsync());
    }
}

public sealed class SqliteOpsAssortmentApiTests(SqliteApp app) : OpsAssortmentApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresOpsAssortmentApiTests(PostgresApp app) : OpsAssortmentApiTests(app), IClassFixture<PostgresApp>;
