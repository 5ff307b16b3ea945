using System.Net;
using System.Net.Http.Json;
using System.Text;
using System.Text.Json;
using QCommerce.Core.Ordering;

namespace QCommerce.Tests.Api;

/// <summary>/v1 cart, orders and slots over real HTTP on Kestrel, on each provider: the contract of architecture §9.</summary>
public abstract class OrdersApiTests(QCommerceApp app)
{
    private const string Midtown = "st_2";

    /// <summary>A new shopper with a bearer token, so tests sharing the app never see each other's orders.</summary>
    private async Task<HttpClient> ShopperAsync() => (await ApiShopper.SignUpAsync(app)).Http;

    /// <summary>SKUs Midtown has plenty of: reset to 500 on hand so earlier tests cannot starve this one.</summary>
    private async Task<string[]> StockedSkusAsync(int count = 3)
    {
        await using var db = app.Database.CreateContext();
        var ids = await db.Stock.Where(s => s.StoreId == 2).OrderBy(s => s.SkuId).Select(s => s.SkuId).Skip(20).Take(count).ToListAsync();
        await db.Stock.Where(s => s.StoreId == 2 && ids.Contains(s.SkuId)).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, 500));
        return ids.Select(id => $"sku_{id}").ToArray();
    }

    private static object OrderBody(string[] skus, string zip = "10036", string? coupon = null, string? slot = null, string payment = "cod") => new
    {
        storeId = Midtown,
        items = new object[] { new { skuId = skus[0], qty = 2 }, new { skuId = skus[1], qty = 1 } },
        address = new { line1 = "401 W 42nd Street", city = "New York", zip },
        deliverySlot = slot,
        couponCode = coupon,
        paymentMethod = new { type = payment },
    };

    private static async Task<HttpResponseMessage> PostOrderAsync(HttpClient http, object body, string? key)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = JsonContent.Create(body) };
        if (key is not null) request.Headers.Add("Idempotency-Key", key);
        return await http.SendAsync(request);
    }

    private static async Task<JsonElement> JsonAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(expected == response.StatusCode, $"expected {expected}, got {response.StatusCode}: {body}");
        return JsonDocument.Parse(body).RootElement;
    }

    private static void AssertErrors(JsonElement problem, params string[] fields)
    {
        foreach (var field in fields)
            Assert.True(problem.GetProperty("errors").TryGetProperty(field, out _), $"errors should name {field}: {problem}");
    }

    /// <summary>The number in a public id ("sku_42" → 42), read outside the query so EF sees a plain int.</summary>
    private static int Id(string publicId, int prefixLength) => int.Parse(publicId[prefixLength..], System.Globalization.CultureInfo.InvariantCulture);

    private async Task<int> OrderCountAsync()
    {
        await using var db = app.Database.CreateContext();
        return await db.Orders.CountAsync();
    }

    [Fact]
    public async Task PlaceOrder_Returns201WithLocation_AndTheOrderReadsBackWithLinesTotalsAndTimeline()
    {
        var http = await ShopperAsync();
        var response = await PostOrderAsync(http, OrderBody(await StockedSkusAsync()), Guid.NewGuid().ToString());
        var placed = await JsonAsync(response, HttpStatusCode.Created);

        var id = placed.GetProperty("orderId").GetString()!;
        Assert.StartsWith("o_", id);
        Assert.Equal($"/v1/orders/{id}", response.Headers.Location!.ToString());
        Assert.Equal("pendingConfirmation", placed.GetProperty("status").GetString());
        Assert.Equal("USD", placed.GetProperty("amount").GetProperty("currency").GetString());

        var order = await JsonAsync(await http.GetAsync($"/v1/orders/{id}"), HttpStatusCode.OK);
        Assert.Equal(2, order.GetProperty("items").GetArrayLength());
        Assert.Equal(placed.GetProperty("amount").GetProperty("value").GetInt64(), order.GetProperty("totals").GetProperty("total").GetProperty("value").GetInt64());
        Assert.Equal(1, order.GetProperty("timeline").GetArrayLength());
        Assert.True(order.GetProperty("canCancel").GetBoolean());
        Assert.Equal(0, order.GetProperty("payments").GetArrayLength());

        var list = await JsonAsync(await http.GetAsync("/v1/orders"), HttpStatusCode.OK);
        Assert.Equal(id, Assert.Single(list.GetProperty("items").EnumerateArray()).GetProperty("orderId").GetString());
    }

    [Fact]
    public async Task PlaceOrder_Replayed_AnswersTheSameStatusAndBodyWithTheReplayedHeader()
    {
        var http = await ShopperAsync();
        var body = OrderBody(await StockedSkusAsync());
        var first = await PostOrderAsync(http, body, "replay-key");
        var second = await PostOrderAsync(http, body, "replay-key");

        Assert.Equal(HttpStatusCode.Created, second.StatusCode);
        Assert.Equal("true", Assert.Single(second.Headers.GetValues("Idempotent-Replayed")));
        Assert.False(first.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(await first.Content.ReadAsStringAsync(), await second.Content.ReadAsStringAsync());
        Assert.Equal(1, (await JsonAsync(await http.GetAsync("/v1/orders"), HttpStatusCode.OK)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task PlaceOrder_TheSameKeyWithADifferentBody_Is422()
    {
        var http = await ShopperAsync();
        var skus = await StockedSkusAsync();
        await PostOrderAsync(http, OrderBody(skus), "key-a");
        var problem = await JsonAsync(await PostOrderAsync(http, OrderBody(skus, payment: "card"), "key-a"), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Idempotency-Key", problem.GetProperty("title").GetString());
    }

    [Fact]
    public async Task PlaceOrder_WithoutAnIdempotencyKey_Is400AndWritesNothing()
    {
        var http = await ShopperAsync();
        var before = await OrderCountAsync();
        var problem = await JsonAsync(await PostOrderAsync(http, OrderBody(await StockedSkusAsync()), key: null), HttpStatusCode.BadRequest);
        AssertErrors(problem, "Idempotency-Key");
        Assert.Equal(before, await OrderCountAsync());
    }

    [Theory]
    [InlineData("{\"storeId\": \"st_2\", \"items\": [")]
    [InlineData("not json at all")]
    [InlineData("{\"storeId\": \"st_2\", \"items\": [{\"skuId\": \"sku_1\", \"qty\": \"2\"}]}")]
    [InlineData("{\"storeId\": \"st_2\", \"items\": [{\"skuId\": \"sku_1\", \"qty\": 1e99}]}")]
    public async Task PlaceOrder_MalformedJson_Is400ProblemDetails(string json)
    {
        var http = await ShopperAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        var response = await http.SendAsync(request);
        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType!.MediaType);
        // It says what was wrong, not only that something was.
        Assert.False(string.IsNullOrWhiteSpace(JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task PlaceOrder_NamingOneSkuOnTwoLines_IsRefused_SoNoSkuPassesThePerLineLimit()
    {
        var http = await ShopperAsync();
        var sku = (await StockedSkusAsync(1))[0];
        var body = new
        {
            storeId = "st_2", items = new object[] { new { skuId = sku, qty = 99 }, new { skuId = sku, qty = 5 } },
            address = new { line1 = "401 W 42nd Street", city = "New York", zip = "10036" }, paymentMethod = new { type = "cod" },
        };
        var before = await OrderCountAsync();
        var problem = await JsonAsync(await PostOrderAsync(http, body, Guid.NewGuid().ToString()), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("already on line 1", problem.GetProperty("errors").GetProperty("items[1].skuId")[0].GetString());
        Assert.Equal(before, await OrderCountAsync());
    }

    [Fact]
    public async Task PlaceOrder_WithBadShapes_Is400NamingEveryField()
    {
        var http = await ShopperAsync();
        var body = new { storeId = "2", items = new object?[] { new { skuId = "p_1", qty = 1 }, null, new { skuId = "sku_1" } }, paymentMethod = new { type = "bitcoin" } };
        var problem = await JsonAsync(await PostOrderAsync(http, body, Guid.NewGuid().ToString()), HttpStatusCode.BadRequest);
        AssertErrors(problem, "storeId", "items[0].skuId", "items[1]", "items[2].qty", "paymentMethod.type");
    }

    [Fact]
    public async Task PlaceOrder_WithOneLineWithAnEmptySkuId_IsRefusedWhole_EachProblemAtTheIndexSent()
    {
        var http = await ShopperAsync();
        var skus = await StockedSkusAsync();
        var before = await OrderCountAsync();
        var body = new
        {
            storeId = Midtown,
            items = new object[] { new { skuId = skus[0], qty = 1 }, new { skuId = "", qty = 1 }, new { skuId = "  ", qty = 1 }, new { skuId = skus[1], qty = 0 } },
            address = new { line1 = "401 W 42nd Street", city = "New York", zip = "10036" },
            paymentMethod = new { type = "cod" },
        };

        var problem = await JsonAsync(await PostOrderAsync(http, body, Guid.NewGuid().ToString()), HttpStatusCode.BadRequest);

        AssertErrors(problem, "items[1].skuId", "items[2].skuId");
        Assert.Equal(before, await OrderCountAsync());
        // With the ids fixed, Core's own problems name the index the client sent, not a shifted one.
        var fixedBody = new
        {
            storeId = Midtown,
            items = new object[] { new { skuId = skus[0], qty = 1 }, new { skuId = skus[2], qty = 1 }, new { skuId = skus[1], qty = 0 } },
            address = new { line1 = "401 W 42nd Street", city = "New York", zip = "10036" },
            paymentMethod = new { type = "cod" },
        };
        AssertErrors(await JsonAsync(await PostOrderAsync(http, fixedBody, Guid.NewGuid().ToString()), HttpStatusCode.UnprocessableEntity), "items[2].qty");
        Assert.Equal(before, await OrderCountAsync());
    }

    [Fact]
    public async Task PlaceOrder_WithTwoIdempotencyKeyHeaders_Is400_AndWritesNothing()
    {
        var http = await ShopperAsync();
        var before = await OrderCountAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = JsonContent.Create(OrderBody(await StockedSkusAsync())) };
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "k1");
        request.Headers.TryAddWithoutValidation("Idempotency-Key", "k2");

        var problem = await JsonAsync(await http.SendAsync(request), HttpStatusCode.BadRequest);

        AssertErrors(problem, "Idempotency-Key");
        Assert.Equal(before, await OrderCountAsync());
    }

    [Fact]
    public async Task PlaceOrder_WithA20MegabyteStoreId_IsRefused_WithoutEchoingIt()
    {
        var http = await ShopperAsync();
        var body = new { storeId = "st_" + new string('9', 20_000_000), items = new[] { new { skuId = "sku_1", qty = 1 } }, paymentMethod = new { type = "cod" } };

        var response = await PostOrderAsync(http, body, Guid.NewGuid().ToString());

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        var text = await response.Content.ReadAsStringAsync();
        Assert.True(text.Length < 2_000, $"the error is {text.Length} characters");
        Assert.Contains("storeId", text);
    }

    [Fact]
    public async Task PlaceOrder_WithEveryBusinessProblem_Is422NamingEachAndWritesNothing()
    {
        var http = await ShopperAsync();
        var skus = await StockedSkusAsync(4);
        await using (var db = app.Database.CreateContext())
            await db.Stock.Where(s => s.StoreId == 2 && s.SkuId == Id(skus[3], 4)).ExecuteDeleteAsync(); // a SKU Midtown does not carry
        var body = new
        {
            storeId = Midtown,
            items = new object[]
            {
                new { skuId = skus[0], qty = 0 }, new { skuId = skus[1], qty = -1 }, new { skuId = skus[2], qty = 100000 },
                new { skuId = "sku_999999", qty = 1 }, new { skuId = skus[3], qty = 1 },
            },
            address = new { line1 = "1 Far Away", city = "Boston", zip = "02108" },
            couponCode = "SPRING20",
            paymentMethod = new { type = "card" },
        };
        var before = await OrderCountAsync();

        var problem = await JsonAsync(await PostOrderAsync(http, body, Guid.NewGuid().ToString()), HttpStatusCode.UnprocessableEntity);

        AssertErrors(problem, "items[0].qty", "items[1].qty", "items[2].qty", "items[3].skuId", "items[4].skuId", "address.zip");
        Assert.Equal(before, await OrderCountAsync());
        // The coupon is judged once the items are fine: alone it is named too.
        var coupon = await JsonAsync(await PostOrderAsync(http, OrderBody(skus, coupon: "SPRING20"), Guid.NewGuid().ToString()), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("expired", coupon.GetProperty("errors").GetProperty("couponCode")[0].GetString());
        Assert.Equal(before, await OrderCountAsync());
    }

    [Fact]
    public async Task PlaceOrder_InAFullSlot_Is422_InAFreeOne_HoldsIt()
    {
        var http = await ShopperAsync();
        var skus = await StockedSkusAsync();
        var slots = await JsonAsync(await http.GetAsync($"/v1/stores/{Midtown}/slots"), HttpStatusCode.OK);
        Assert.True(slots.GetArrayLength() > 10);
        var full = slots[3].GetProperty("id").GetString()!;
        var free = slots[4].GetProperty("id").GetString()!;
        await using (var db = app.Database.CreateContext())
            await db.DeliverySlots.Where(s => s.Id == Id(full, 5)).ExecuteUpdateAsync(s => s.SetProperty(x => x.Booked, x => x.Capacity));

        var problem = await JsonAsync(await PostOrderAsync(http, OrderBody(skus, slot: full), Guid.NewGuid().ToString()), HttpStatusCode.UnprocessableEntity);
        AssertErrors(problem, "deliverySlot");

        var placed = await JsonAsync(await PostOrderAsync(http, OrderBody(skus, slot: free), Guid.NewGuid().ToString()), HttpStatusCode.Created);
        Assert.Equal(free, (await JsonAsync(await http.GetAsync($"/v1/orders/{placed.GetProperty("orderId").GetString()}"), HttpStatusCode.OK))
            .GetProperty("delivery").GetProperty("slotId").GetString());
        var after = await JsonAsync(await http.GetAsync($"/v1/stores/{Midtown}/slots"), HttpStatusCode.OK);
        Assert.True(after.EnumerateArray().Single(s => s.GetProperty("id").GetString() == full).GetProperty("full").GetBoolean());
    }

    [Fact]
    public async Task PlaceOrder_TwentyParallelIdenticalRequests_MakeOneOrder()
    {
        var http = await ShopperAsync();
        var body = OrderBody(await StockedSkusAsync());
        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => PostOrderAsync(http, body, "parallel-key")));

        // The key's answer is written with the order, so the racers that lose at its unique index answer the winner's
        // order, marked as replayed; none is told to come back later.
        var ids = new HashSet<string>();
        foreach (var r in responses)
            ids.Add((await JsonAsync(r, HttpStatusCode.Created)).GetProperty("orderId").GetString()!);
        Assert.Single(ids);
        Assert.Single(responses, r => !r.Headers.Contains("Idempotent-Replayed"));
        Assert.Equal(1, (await JsonAsync(await http.GetAsync("/v1/orders"), HttpStatusCode.OK)).GetProperty("total").GetInt32());
    }

    [Fact]
    public async Task AnotherShoppersOrder_Is404OnEveryRoute()
    {
        var ana = await ShopperAsync();
        var ben = await ShopperAsync();
        var skus = await StockedSkusAsync();
        var id = (await JsonAsync(await PostOrderAsync(ana, OrderBody(skus), Guid.NewGuid().ToString()), HttpStatusCode.Created)).GetProperty("orderId").GetString();

        Assert.Equal(HttpStatusCode.NotFound, (await ben.GetAsync($"/v1/orders/{id}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.PutAsJsonAsync($"/v1/orders/{id}", new { items = new[] { new { skuId = skus[0], qty = 1 } } })).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.PostAsync($"/v1/orders/{id}/cancel", null)).StatusCode);
        Assert.Equal(0, (await JsonAsync(await ben.GetAsync("/v1/orders"), HttpStatusCode.OK)).GetProperty("total").GetInt32());
        Assert.Equal(HttpStatusCode.NotFound, (await ben.GetAsync("/v1/orders/o_999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await ben.GetAsync("/v1/orders/not-an-id")).StatusCode);
        Assert.Equal("pendingConfirmation", (await JsonAsync(await ana.GetAsync($"/v1/orders/{id}"), HttpStatusCode.OK)).GetProperty("status").GetString());
    }

    [Fact]
    public async Task OrdersAndCart_WithoutAToken_Are401()
    {
        var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await PostOrderAsync(anonymous, new { }, "k")).StatusCode);
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync($"/v1/cart?storeId={Midtown}")).StatusCode);
    }

    [Fact]
    public async Task ModifyOrder_RepricesAndAdjustsStock_AndAfterCancelIs409()
    {
        var http = await ShopperAsync();
        var skus = await StockedSkusAsync();
        var id = (await JsonAsync(await PostOrderAsync(http, OrderBody(skus), Guid.NewGuid().ToString()), HttpStatusCode.Created)).GetProperty("orderId").GetString();

        var changed = await JsonAsync(await http.PutAsJsonAsync($"/v1/orders/{id}", new { items = new[] { new { skuId = skus[2], qty = 3 } } }), HttpStatusCode.OK);
        Assert.Equal(skus[2], Assert.Single(changed.GetProperty("items").EnumerateArray()).GetProperty("skuId").GetString());
        await using (var db = app.Database.CreateContext())
        {
            var reserved = await db.Stock.Where(s => s.StoreId == 2 && s.SkuId == Id(skus[2], 4)).Select(s => s.Reserved).SingleAsync();
            Assert.True(reserved >= 3);
        }

        var cancelled = await JsonAsync(await http.PostAsync($"/v1/orders/{id}/cancel", null), HttpStatusCode.Accepted);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString());
        var conflict = await JsonAsync(await http.PutAsJsonAsync($"/v1/orders/{id}", new { items = new[] { new { skuId = skus[2], qty = 1 } } }), HttpStatusCode.Conflict);
        Assert.Contains("Cancelled", conflict.GetProperty("detail").GetString());
        await JsonAsync(await http.PostAsync($"/v1/orders/{id}/cancel", null), HttpStatusCode.Conflict);
        await JsonAsync(await http.PutAsJsonAsync($"/v1/orders/{id}", new { }), HttpStatusCode.BadRequest);
    }

    [Fact]
    public async Task ThePhoneAndTheRiderNote_AreKeptAsTyped_InE164_ChangedWithTheAddress_RefusedWhenBad_AndNeverLogged()
    {
        var http = await ShopperAsync();
        var skus = await StockedSkusAsync();
        var note = $"Buzz 4B-{Guid.NewGuid():N}";
        var mark = app.Logs.Mark;
        var body = new
        {
            storeId = Midtown,
            items = new object[] { new { skuId = skus[0], qty = 1 } },
            address = new { line1 = "401 W 42nd Street", city = "New York", zip = "10036", phone = "(212) 555-0142", instructions = $"{note}\r\n  then third floor " },
            paymentMethod = new { type = "cod" },
        };
        var id = (await JsonAsync(await PostOrderAsync(http, body, Guid.NewGuid().ToString()), HttpStatusCode.Created)).GetProperty("orderId").GetString();
        var address = (await JsonAsync(await http.GetAsync($"/v1/orders/{id}"), HttpStatusCode.OK)).GetProperty("address");
        Assert.Equal("+12125550142", address.GetProperty("phone").GetString());
        Assert.Equal($"{note}; then third floor", address.GetProperty("instructions").GetString());

        // The address is replaced whole: a new number from abroad, no note.
        var changed = await JsonAsync(await http.PutAsJsonAsync($"/v1/orders/{id}", new { address = new { line1 = "401 W 42nd Street", city = "New York", zip = "10036", phone = "+44 20 7946 0958" } }),
            HttpStatusCode.OK);
        Assert.Equal("+442079460958", changed.GetProperty("address").GetProperty("phone").GetString());
        Assert.Equal(JsonValueKind.Null, changed.GetProperty("address").GetProperty("instructions").ValueKind);

        // Bad numbers and notes are named by field, and nothing is placed.
        var before = await OrderCountAsync();
        foreach (var (phone, instructions) in new[] { ("555-0142", (string?)null), ("call me", null), ("+1 212 555 0142\0", null), (new string('1', 40), null), ("2125550142", new string('x', 281)), ("2125550142", "ring\u0007") })
        {
            var refused = await JsonAsync(await PostOrderAsync(http, new
            {
                storeId = Midtown, items = new object[] { new { skuId = skus[0], qty = 1 } }, paymentMethod = new { type = "cod" },
                address = new { line1 = "401 W 42nd Street", city = "New York", zip = "10036", phone, instructions },
            }, Guid.NewGuid().ToString()), HttpStatusCode.UnprocessableEntity);
            AssertErrors(refused, instructions is null ? "address.phone" : "address.instructions");
        }
        Assert.Equal(before, await OrderCountAsync());

        // Personal data stays out of the logs, whatever logged the requests.
        Assert.DoesNotContain(app.Logs.Since(mark), e => e.Message.Contains("5550142", StringComparison.Ordinal) || e.Message.Contains("555-0142", StringComparison.Ordinal)
            || e.Message.Contains("7946", StringComparison.Ordinal) || e.Message.Contains(note, StringComparison.Ordinal));
    }

    [Fact]
    public async Task Cart_PutGetDelete_AndItsBadInput()
    {
        var http = await ShopperAsync();
        var skus = await StockedSkusAsync();
        var cart = await JsonAsync(await http.PutAsJsonAsync($"/v1/cart/items/{skus[0]}?storeId={Midtown}", new { qty = 3 }), HttpStatusCode.OK);
        Assert.Equal(3, cart.GetProperty("itemCount").GetInt32());
        Assert.True(cart.GetProperty("canCheckout").GetBoolean());
        Assert.Equal(3, (await JsonAsync(await http.GetAsync($"/v1/cart?storeId={Midtown}"), HttpStatusCode.OK)).GetProperty("items")[0].GetProperty("qty").GetInt32());

        AssertErrors(await JsonAsync(await http.PutAsJsonAsync($"/v1/cart/items/{skus[0]}?storeId={Midtown}", new { qty = 100 }), HttpStatusCode.UnprocessableEntity), "qty");
        AssertErrors(await JsonAsync(await http.PutAsJsonAsync($"/v1/cart/items/{skus[0]}?storeId={Midtown}", new { qty = -1 }), HttpStatusCode.UnprocessableEntity), "qty");
        AssertErrors(await JsonAsync(await http.PutAsJsonAsync($"/v1/cart/items/{skus[0]}?storeId={Midtown}", new { }), HttpStatusCode.BadRequest), "qty");
        Assert.Equal(3, (await JsonAsync(await http.GetAsync($"/v1/cart?storeId={Midtown}"), HttpStatusCode.OK)).GetProperty("items")[0].GetProperty("qty").GetInt32());
        AssertErrors(await JsonAsync(await http.PutAsJsonAsync($"/v1/cart/items/{skus[0]}", new { qty = 1 }), HttpStatusCode.BadRequest), "storeId");
        AssertErrors(await JsonAsync(await http.PutAsJsonAsync($"/v1/cart/items/p_1?storeId={Midtown}", new { qty = 1 }), HttpStatusCode.BadRequest), "skuId");
        await JsonAsync(await http.PutAsJsonAsync($"/v1/cart/items/sku_999999?storeId={Midtown}", new { qty = 1 }), HttpStatusCode.NotFound);
        await JsonAsync(await http.PutAsJsonAsync($"/v1/cart/items/{skus[0]}?storeId=st_99", new { qty = 1 }), HttpStatusCode.NotFound);

        await using (var db = app.Database.CreateContext())
            await db.Stock.Where(s => s.StoreId == 2 && s.SkuId == Id(skus[1], 4)).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, x => x.Reserved + 2));
        var tooMany = await JsonAsync(await http.PutAsJsonAsync($"/v1/cart/items/{skus[1]}?storeId={Midtown}", new { qty = 5 }), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Only 2", tooMany.GetProperty("errors").GetProperty("qty")[0].GetString());

        var emptied = await JsonAsync(await http.DeleteAsync($"/v1/cart/items/{skus[0]}?storeId={Midtown}"), HttpStatusCode.OK);
        Assert.Equal(0, emptied.GetProperty("items").GetArrayLength());
    }

    [Fact]
    public async Task Slots_OfAnUnknownStore_Are404() =>
        Assert.Equal(HttpStatusCode.NotFound, (await app.CreateClient().GetAsync("/v1/stores/st_99/slots")).StatusCode);
}

public sealed class SqliteOrdersApiTests(SqliteApp app) : OrdersApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresOrdersApiTests(PostgresApp app) : OrdersApiTests(app), IClassFixture<PostgresApp>;
