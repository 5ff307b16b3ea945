using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Web.Payments.Sandbox;

namespace QCommerce.Tests.Api;

/// <summary>
/// /v1/payments over real HTTP on each provider, through the real Stripe.net adapter, against the
/// embedded sandbox PSP, with its signed webhooks driving the orders: the saga of architecture §3-§5.
/// </summary>
public abstract class PaymentsApiTests(QCommerceApp app)
{
    private const string Succeeds = "4242 4242 4242 4242";
    private const string Declined = "4000 0000 0000 0002";
    private const string Challenge = "4000 0025 0000 3155";

    private static int Id(string publicId) => int.Parse(publicId[(publicId.IndexOf('_') + 1)..], System.Globalization.CultureInfo.InvariantCulture);

    private static async Task<string> StatusAsync(ApiShopper shopper, string orderId) =>
        (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString()!;

    private static Task<string> OrderBecomesAsync(ApiShopper shopper, string orderId, string status) =>
        Eventually.Async(() => StatusAsync(shopper, orderId), s => s == status, $"order {orderId} to be {status}");

    private async Task<(int OnHand, int Reserved)[]> StockAsync(int[] skus)
    {
        await using var db = app.Database.CreateContext();
        var rows = await db.Stock.AsNoTracking().Where(s => s.StoreId == 2 && skus.Contains(s.SkuId)).OrderBy(s => s.SkuId).ToListAsync();
        return rows.Select(r => (r.OnHand, r.Reserved)).ToArray();
    }

    private async Task<int> PagesAtThePspAsync(string orderId)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync();
        var needle = $"\"order_id\":\"{orderId}\"";
        return await db.Sessions.CountAsync(i => i.MetadataJson.Contains(needle));
    }

    private static string PageId(JsonElement started) => new Uri(PayUrl(started)).Segments[^1];

    private static async Task<JsonElement> StartAsync(ApiShopper shopper, string orderId) =>
        await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);

    private static string PayUrl(JsonElement started) => started.GetProperty("nextAction").GetProperty("url").GetString()!;

    [Fact]
    public async Task PayByCard_OnTheSandboxPage_MakesTheOrderPaid_AndCommitsItsStockOnce()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync();
        Assert.Equal([(500, 2), (500, 1)], await StockAsync(skus));

        var response = await shopper.StartPaymentAsync(orderId);
        var started = await ApiShopper.JsonAsync(response, HttpStatusCode.Created);
        var paymentId = started.GetProperty("paymentId").GetString()!;
        Assert.Equal($"/v1/payments/{paymentId}", response.Headers.Location!.OriginalString);
        Assert.Equal("initiated", started.GetProperty("status").GetString());
        Assert.Equal("redirect", started.GetProperty("nextAction").GetProperty("type").GetString());
        Assert.Contains("/psp-sandbox/pay/cs_test_", PayUrl(started));
        var order = await shopper.GetAsync($"/v1/orders/{orderId}");
        Assert.Equal(order.GetProperty("totals").GetProperty("total").GetProperty("value").GetInt64(), started.GetProperty("amount").GetProperty("value").GetInt64());
        // Stripe refuses a page that closes within 30 minutes: the 15-minute reservation is stretched, and the page closes with it.
        var reservedUntil = order.GetProperty("reservationExpiresAt").GetDateTime().ToUniversalTime();
        Assert.InRange(reservedUntil, DateTime.UtcNow.AddMinutes(30), DateTime.UtcNow.AddMinutes(32));
        var page = (await app.Services.GetRequiredService<SandboxPsp>().FindSessionAsync(PageId(started), default))!.Value.Session;
        Assert.Equal(reservedUntil, page.ExpiresAtUtc, TimeSpan.FromSeconds(1));
        Assert.Equal(order.GetProperty("totals").GetProperty("total").GetProperty("value").GetInt64(), page.AmountTotal);
        Assert.True(order.GetProperty("canModify").GetBoolean()); // its open page would be closed first (see below)

        var back = await ApiShopper.PayOnPspPageAsync(app, PayUrl(started), Succeeds);
        Assert.Equal($"/payments/{paymentId}/return", back.AbsolutePath);
        Assert.Contains("redirect_status=succeeded", back.Query);

        await OrderBecomesAsync(shopper, orderId, "paid");
        Assert.Equal([(498, 0), (499, 0)], await StockAsync(skus));
        var payment = await shopper.GetAsync($"/v1/payments/{paymentId}");
        Assert.Equal("authorized", payment.GetProperty("status").GetString()); // held on the card; taken for what is picked
        Assert.StartsWith("pi_", payment.GetProperty("pspReference").GetString());
        Assert.Equal(started.GetProperty("amount").GetProperty("value").GetInt64(), payment.GetProperty("held").GetProperty("value").GetInt64());
        Assert.Equal(0, payment.GetProperty("captured").GetProperty("value").GetInt64());
        Assert.Equal(JsonValueKind.Null, payment.GetProperty("nextAction").ValueKind);
        var listed = (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("payments");
        Assert.Equal(paymentId, Assert.Single(listed.EnumerateArray()).GetProperty("paymentId").GetString());

        // Paying the same intent again is not possible; a second payment for the order neither.
        await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Conflict);
    }

    [Fact]
    public async Task Declined_ThenRetried_ThenPaid_PaysOnceAndCommitsStockOnce()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 33);
        var started = await StartAsync(shopper, orderId);
        var paymentId = started.GetProperty("paymentId").GetString()!;

        // Declined: the PSP's page says so and stays open; the shop hears of it and offers a new attempt.
        Assert.Equal(PayUrl(started), (await ApiShopper.PayOnPspPageAsync(app, PayUrl(started), Declined)).ToString());
        await OrderBecomesAsync(shopper, orderId, "paymentFailed");
        var failed = await shopper.GetAsync($"/v1/payments/{paymentId}");
        Assert.Equal("failed", failed.GetProperty("status").GetString());
        Assert.Equal("Your card was declined.", failed.GetProperty("failureMessage").GetString());
        Assert.Equal([(500, 2), (500, 1)], await StockAsync(skus)); // still reserved while the shopper tries again

        // A second payment is refused: the failed one is retried instead.
        await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Conflict);
        var reservedUntil = (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("reservationExpiresAt").GetDateTime();
        var retried = await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/payments/{paymentId}/retry", null, Guid.NewGuid().ToString()), HttpStatusCode.Created);
        // A retry holds the stock no longer: declining and retrying must not keep it off the shelf for ever.
        Assert.Equal(reservedUntil, (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("reservationExpiresAt").GetDateTime());
        Assert.Equal(paymentId, retried.GetProperty("paymentId").GetString());
        Assert.Equal(2, retried.GetProperty("attempt").GetInt32());
        Assert.NotEqual(PayUrl(started), PayUrl(retried));
        Assert.Equal("pendingPayment", await StatusAsync(shopper, orderId));
        // The declined attempt's page was closed and its PaymentIntent cancelled, so it cannot take money any more.
        var closed = (await app.Services.GetRequiredService<SandboxPsp>().FindSessionAsync(PageId(started), default))!.Value;
        Assert.Equal("expired", closed.Session.Status);
        Assert.Equal("canceled", closed.Intent!.Status);
        Assert.Equal(failed.GetProperty("pspReference").GetString(), closed.Intent.Id);
        await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/payments/{paymentId}/retry", null, Guid.NewGuid().ToString()), HttpStatusCode.Conflict);

        await ApiShopper.PayOnPspPageAsync(app, PayUrl(retried), Succeeds);
        await OrderBecomesAsync(shopper, orderId, "paid");
        Assert.Equal([(498, 0), (499, 0)], await StockAsync(skus));
        var paid = await shopper.GetAsync($"/v1/payments/{paymentId}");
        Assert.Equal(["failed", "authorized"], paid.GetProperty("attempts").EnumerateArray().Select(a => a.GetProperty("status").GetString()!).ToArray());
        var timeline = (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("to").GetString()!).ToList();
        Assert.Equal(["pendingPayment", "pendingPayment", "paymentFailed", "pendingPayment", "paid"], timeline);
        Assert.Equal(2, await PagesAtThePspAsync(orderId));
    }

    [Fact]
    public async Task AnOrderChangedAfterADecline_IsRetriedForItsNewTotal()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 84);
        var started = await StartAsync(shopper, orderId);
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(started), Declined);
        await OrderBecomesAsync(shopper, orderId, "paymentFailed");

        // With no payment in flight the shopper may change the order again: one item fewer.
        var changed = await ApiShopper.JsonAsync(await shopper.Http.PutAsync($"/v1/orders/{orderId}", System.Net.Http.Json.JsonContent.Create(new
        {
            items = new object[] { new { skuId = $"sku_{skus[0]}", qty = 1 }, new { skuId = $"sku_{skus[1]}", qty = 1 } },
        })), HttpStatusCode.OK);
        var newTotal = changed.GetProperty("totals").GetProperty("total").GetProperty("value").GetInt64();
        Assert.True(newTotal < started.GetProperty("amount").GetProperty("value").GetInt64());

        var retried = await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/payments/{started.GetProperty("paymentId").GetString()}/retry", null, Guid.NewGuid().ToString()),
            HttpStatusCode.Created);
        Assert.Equal(newTotal, retried.GetProperty("amount").GetProperty("value").GetInt64());
        var page = await app.Services.GetRequiredService<SandboxPsp>().FindSessionAsync(PageId(retried), default);
        Assert.Equal(newTotal, page!.Value.Session.AmountTotal);
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(retried), Succeeds);
        await OrderBecomesAsync(shopper, orderId, "paid");
        Assert.Equal([(499, 0), (499, 0)], await StockAsync(skus));
    }

    [Fact]
    public async Task AnOrderChangedAfterADecline_CannotBePaidForItsOldTotal_OnTheOldPage()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 102);
        var started = await StartAsync(shopper, orderId);
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(started), Declined);
        await OrderBecomesAsync(shopper, orderId, "paymentFailed");

        // More items: the order now costs more than the declined attempt asked for.
        var changed = await ApiShopper.JsonAsync(await shopper.Http.PutAsync($"/v1/orders/{orderId}", System.Net.Http.Json.JsonContent.Create(new
        {
            items = new object[] { new { skuId = $"sku_{skus[0]}", qty = 5 }, new { skuId = $"sku_{skus[1]}", qty = 4 } },
        })), HttpStatusCode.OK);
        var newTotal = changed.GetProperty("totals").GetProperty("total").GetProperty("value").GetInt64();

        // The browser's back button leads to the old page: it takes no money any more.
        Assert.Equal("expired", (await app.Services.GetRequiredService<SandboxPsp>().FindSessionAsync(PageId(started), default))!.Value.Session.Status);
        using (var browser = app.CreateClient())
        {
            var page = await browser.PostAsync(new Uri(PayUrl(started)).PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
            {
                ["number"] = Succeeds, ["expiry"] = "12/34", ["cvc"] = "123", [Forms.TokenField] = await Forms.TokenAsync(browser, "/account/login"),
            }));
            Assert.Contains("expired", await page.Content.ReadAsStringAsync());
        }
        Assert.Equal("paymentFailed", await StatusAsync(shopper, orderId));

        // Paying again is for what the order costs now.
        var retried = await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/payments/{started.GetProperty("paymentId").GetString()}/retry", null, Guid.NewGuid().ToString()),
            HttpStatusCode.Created);
        Assert.Equal(newTotal, retried.GetProperty("amount").GetProperty("value").GetInt64());
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(retried), Succeeds);
        await OrderBecomesAsync(shopper, orderId, "paid");
    }

    [Fact]
    public async Task ACaptureForAnEarlierVersionOfTheOrder_NeverPaysIt_AndIsRefundedInFull()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 105);
        var started = await StartAsync(shopper, orderId);
        var oldTotal = started.GetProperty("amount").GetProperty("value").GetInt64();
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(started), Declined);
        await OrderBecomesAsync(shopper, orderId, "paymentFailed");
        await ApiShopper.JsonAsync(await shopper.Http.PutAsync($"/v1/orders/{orderId}", System.Net.Http.Json.JsonContent.Create(new
        {
            items = new object[] { new { skuId = $"sku_{skus[0]}", qty = 5 } },
        })), HttpStatusCode.OK);

        // A PSP that took the old total anyway (the cancel was ignored, or raced): the money is there, and the event says so.
        var payment = await shopper.GetAsync($"/v1/payments/{started.GetProperty("paymentId").GetString()}");
        var intent = payment.GetProperty("pspReference").GetString()!;
        await using (var psp = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync())
            await psp.Intents.Where(i => i.Id == intent).ExecuteUpdateAsync(i => i.SetProperty(x => x.Status, "succeeded").SetProperty(x => x.AmountReceived, x => x.Amount));
        var succeeded = new System.Text.Json.Nodes.JsonObject
        {
            ["id"] = $"evt_stale_{Guid.NewGuid():N}", ["object"] = "event", ["api_version"] = "2020-08-27",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["type"] = "payment_intent.succeeded",
            ["data"] = new System.Text.Json.Nodes.JsonObject
            {
                ["object"] = new System.Text.Json.Nodes.JsonObject
                {
                    ["id"] = intent, ["object"] = "payment_intent", ["amount"] = oldTotal, ["amount_received"] = oldTotal, ["currency"] = "usd", ["status"] = "succeeded",
                },
            },
        }.ToJsonString();
        var secret = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<PaymentsOptions>>().Value.Stripe.WebhookSecret;
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/psp") { Content = new StringContent(succeeded, System.Text.Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Stripe.EventUtility.GenerateSignatureHeader(succeeded, secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        Assert.Equal(HttpStatusCode.OK, (await app.CreateClient().SendAsync(request)).StatusCode);

        var timeline = await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("timeline").ToString(),
            t => t.Contains("earlier version of this order"), "the timeline to say what happened");
        Assert.Equal("paymentFailed", await StatusAsync(shopper, orderId));
        var refunds = await Eventually.Async(async () => (await shopper.GetAsync($"/v1/payments/{started.GetProperty("paymentId").GetString()}")).GetProperty("refunds"),
            r => r.GetArrayLength() == 1, "the refund to be asked for");
        Assert.Equal(oldTotal, refunds[0].GetProperty("amount").GetProperty("value").GetInt64());
    }

    [Fact]
    public async Task ThreeDSecure_KeepsTheReservationThroughTheChallenge_AndApprovalPays()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 36);
        var started = await StartAsync(shopper, orderId);
        var paymentId = started.GetProperty("paymentId").GetString()!;
        // The reservation is about to run out as the shopper reaches the bank's challenge.
        var soon = DateTime.UtcNow.AddSeconds(5);
        await using (var db = app.Database.CreateContext())
            await db.Orders.Where(o => o.Id == Id(orderId)).ExecuteUpdateAsync(s => s.SetProperty(o => o.ReservationExpiresAtUtc, soon));

        var challenge = await ApiShopper.PayOnPspPageAsync(app, PayUrl(started), Challenge);
        Assert.EndsWith("/challenge", challenge.OriginalString);
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("reservationExpiresAt").GetDateTime(),
            at => at > DateTime.UtcNow.AddMinutes(10), "the reservation to be extended for the challenge");
        Assert.Equal("requiresAction", (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("status").GetString());
        Assert.Equal(0, await app.Services.GetRequiredService<OrderService>().ExpireDueAsync());
        Assert.Equal("pendingPayment", await StatusAsync(shopper, orderId));

        var back = await ApiShopper.AnswerChallengeAsync(app, PageId(started), approve: true);
        Assert.Contains("redirect_status=succeeded", back.Query);
        await OrderBecomesAsync(shopper, orderId, "paid");
        Assert.Equal([(498, 0), (499, 0)], await StockAsync(skus));
    }

    [Fact]
    public async Task ThreeDSecure_Failed_FailsThePayment()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 39);
        var started = await StartAsync(shopper, orderId);
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(started), Challenge);
        var back = await ApiShopper.AnswerChallengeAsync(app, PageId(started), approve: false);
        Assert.Equal(PayUrl(started), back.ToString()); // the page stays open for another card
        await OrderBecomesAsync(shopper, orderId, "paymentFailed");
        Assert.Contains("3-D Secure", (await shopper.GetAsync($"/v1/payments/{started.GetProperty("paymentId").GetString()}")).GetProperty("failureMessage").GetString());
    }

    [Fact]
    public async Task CancelAPaidOrder_ReleasesItsHold_ChargesNothing_AndPutsItsStockBack()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 42);
        var started = await StartAsync(shopper, orderId);
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(started), Succeeds);
        await OrderBecomesAsync(shopper, orderId, "paid");

        var cancelled = await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/orders/{orderId}/cancel", new { reason = "changed my mind" }, null), HttpStatusCode.Accepted);
        Assert.Equal("cancelled", cancelled.GetProperty("status").GetString()); // nothing was taken: nothing to refund

        Assert.Equal([(500, 0), (500, 0)], await StockAsync(skus));
        var paymentId = started.GetProperty("paymentId").GetString()!;
        var payment = await Eventually.Async(() => shopper.GetAsync($"/v1/payments/{paymentId}"), p => p.GetProperty("status").GetString() == "voided",
            "the hold to be released at the PSP");
        Assert.Empty(payment.GetProperty("refunds").EnumerateArray());
        Assert.Equal((0L, started.GetProperty("amount").GetProperty("value").GetInt64()),
            (payment.GetProperty("captured").GetProperty("value").GetInt64(), payment.GetProperty("released").GetProperty("value").GetInt64()));
    }

    [Fact]
    public async Task AnOrderWhoseTimeToPayRanOut_CannotStartOrRetryAPayment_AndNothingIsOpened()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 60);
        var (declinedOrder, _) = await shopper.PlaceOrderAsync(skuOffset: 63);
        var declined = await StartAsync(shopper, declinedOrder);
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(declined), Declined);
        await OrderBecomesAsync(shopper, declinedOrder, "paymentFailed");
        // Both reservations ran out a moment ago; the sweep has not been by yet.
        await using (var db = app.Database.CreateContext())
            await db.Orders.Where(o => o.Id == Id(orderId) || o.Id == Id(declinedOrder))
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.ReservationExpiresAtUtc, DateTime.UtcNow.AddSeconds(-1)));

        var late = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Conflict);
        Assert.Contains("ran out", late.GetProperty("detail").GetString());
        var retry = await shopper.PostAsync($"/v1/payments/{declined.GetProperty("paymentId").GetString()}/retry", null, Guid.NewGuid().ToString());
        Assert.Contains("ran out", (await ApiShopper.JsonAsync(retry, HttpStatusCode.Conflict)).GetProperty("detail").GetString());

        Assert.Equal(0, await PagesAtThePspAsync(orderId));
        Assert.Equal(1, await PagesAtThePspAsync(declinedOrder));
        await using var check = app.Database.CreateContext();
        Assert.False(await check.Payments.AnyAsync(p => p.OrderId == Id(orderId)));
        Assert.Equal("pendingPayment", await StatusAsync(shopper, orderId));
        // The sweep then does what it is there for (and leaves no order due for the tests after this one).
        await app.Services.GetRequiredService<OrderService>().ExpireDueAsync();
        Assert.Equal(["cancelled", "cancelled"], [await StatusAsync(shopper, orderId), await StatusAsync(shopper, declinedOrder)]);
    }

    [Fact]
    public async Task ADeclinedOrderCancelled_ClosesItsStillOpenPage_SoNoCardIsChargedForIt()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 66);
        var started = await StartAsync(shopper, orderId);
        // Declined: Stripe's page stays open for another card.
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(started), Declined);
        await OrderBecomesAsync(shopper, orderId, "paymentFailed");

        await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/orders/{orderId}/cancel", null, null), HttpStatusCode.Accepted);
        var psp = app.Services.GetRequiredService<SandboxPsp>();
        await Eventually.Async(async () => (await psp.FindSessionAsync(PageId(started), default))!.Value.Session.Status, s => s == "expired", "the page to be closed");

        using var browser = app.CreateClient();
        var page = await browser.PostAsync(new Uri(PayUrl(started)).PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["number"] = Succeeds, ["expiry"] = "12/34", ["cvc"] = "123", [Forms.TokenField] = await Forms.TokenAsync(browser, "/account/login"),
        }));
        Assert.Contains("expired", await page.Content.ReadAsStringAsync());
        var payment = await shopper.GetAsync($"/v1/payments/{started.GetProperty("paymentId").GetString()}");
        Assert.Equal(("failed", 0L), (payment.GetProperty("status").GetString(), payment.GetProperty("captured").GetProperty("value").GetInt64()));
        Assert.Equal("cancelled", await StatusAsync(shopper, orderId));
        Assert.Equal([(500, 0), (500, 0)], await StockAsync(skus));
    }

    [Fact]
    public async Task CancelWhileOnThePaymentPage_ClosesThePage_SoItCannotBePaid()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 45);
        var started = await StartAsync(shopper, orderId);
        await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/orders/{orderId}/cancel", null, null), HttpStatusCode.Accepted);
        var psp = app.Services.GetRequiredService<SandboxPsp>();
        await Eventually.Async(async () => (await psp.FindSessionAsync(PageId(started), default))!.Value.Session.Status, s => s == "expired", "the checkout page to be closed");
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/payments/{started.GetProperty("paymentId").GetString()}")).GetProperty("status").GetString(),
            s => s == "failed", "the payment to be failed");

        using var browser = app.CreateClient();
        // The page is closed (no form to take a token from): a token of this browser's from another page still passes the antiforgery check.
        var page = await browser.PostAsync(new Uri(PayUrl(started)).PathAndQuery, new FormUrlEncodedContent(new Dictionary<string, string>
        {
            ["number"] = Succeeds, ["expiry"] = "12/34", ["cvc"] = "123", [Forms.TokenField] = await Forms.TokenAsync(browser, "/account/login"),
        }));
        Assert.Contains("expired", await page.Content.ReadAsStringAsync());
        Assert.Equal("cancelled", await StatusAsync(shopper, orderId));
        Assert.Equal([(500, 0), (500, 0)], await StockAsync(skus));
    }

    [Fact]
    public async Task TwentyParallelStarts_WithOneKey_MakeOneCheckoutPage()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 48);
        var key = Guid.NewGuid().ToString();

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => shopper.StartPaymentAsync(orderId, key)));

        Assert.All(responses, r => Assert.Contains(r.StatusCode, new[] { HttpStatusCode.Created, HttpStatusCode.Conflict }));
        var created = responses.Where(r => r.StatusCode == HttpStatusCode.Created).ToList();
        Assert.NotEmpty(created);
        var bodies = await Task.WhenAll(created.Select(r => r.Content.ReadAsStringAsync()));
        Assert.Single(bodies.Distinct());
        Assert.Equal(1, await PagesAtThePspAsync(orderId));
        // Once settled, the key replays the same answer.
        var replay = await shopper.StartPaymentAsync(orderId, key);
        Assert.Equal(HttpStatusCode.Created, replay.StatusCode);
        Assert.Equal("true", replay.Headers.GetValues("Idempotent-Replayed").Single());
        Assert.Equal(bodies[0], await replay.Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task TwentyParallelStarts_WithDifferentKeys_MakeOneLivePayment_TheRest409()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 51);

        var responses = await Task.WhenAll(Enumerable.Range(0, 20).Select(_ => shopper.StartPaymentAsync(orderId)));

        Assert.Single(responses, r => r.StatusCode == HttpStatusCode.Created);
        Assert.Equal(19, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
        Assert.Equal(1, await PagesAtThePspAsync(orderId));
        await using var db = app.Database.CreateContext();
        Assert.Equal(1, await db.Payments.CountAsync(p => p.OrderId == Id(orderId)));
    }

    [Fact]
    public async Task StartPayment_BadInput_IsRefusedAndChangesNothing()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 54);
        var (codOrderId, _) = await shopper.PlaceOrderAsync("cod", skuOffset: 57);
        var other = await ApiShopper.SignUpAsync(app);

        await ApiShopper.JsonAsync(await shopper.PostAsync("/v1/payments", new { orderId }, null), HttpStatusCode.BadRequest);
        var missing = await ApiShopper.JsonAsync(await shopper.PostAsync("/v1/payments", new { }, "k-" + Guid.NewGuid()), HttpStatusCode.BadRequest);
        Assert.True(missing.GetProperty("errors").TryGetProperty("orderId", out _));
        await ApiShopper.JsonAsync(await shopper.PostAsync("/v1/payments", new { orderId = "p_1" }, "k-" + Guid.NewGuid()), HttpStatusCode.BadRequest);
        using (var malformed = new HttpRequestMessage(HttpMethod.Post, "/v1/payments") { Content = new StringContent("{\"orderId\": ", System.Text.Encoding.UTF8, "application/json") })
        {
            malformed.Headers.Add("Idempotency-Key", "k-" + Guid.NewGuid());
            await ApiShopper.JsonAsync(await shopper.Http.SendAsync(malformed), HttpStatusCode.BadRequest);
        }
        await ApiShopper.JsonAsync(await shopper.StartPaymentAsync("o_999999"), HttpStatusCode.NotFound);
        await ApiShopper.JsonAsync(await other.StartPaymentAsync(orderId), HttpStatusCode.NotFound);
        await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(codOrderId), HttpStatusCode.Conflict);
        await ApiShopper.JsonAsync(await app.CreateClient().PostAsync("/v1/payments", null), HttpStatusCode.Unauthorized);
        await using (var db = app.Database.CreateContext())
            Assert.False(await db.Payments.AnyAsync(p => p.OrderId == Id(orderId) || p.OrderId == Id(codOrderId)));

        var key = "k-" + Guid.NewGuid();
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId, key), HttpStatusCode.Created);
        await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(codOrderId, key), HttpStatusCode.UnprocessableEntity);
        var paymentId = started.GetProperty("paymentId").GetString();
        await ApiShopper.JsonAsync(await other.Http.GetAsync($"/v1/payments/{paymentId}"), HttpStatusCode.NotFound);
        await ApiShopper.JsonAsync(await other.PostAsync($"/v1/payments/{paymentId}/retry", null, "k-" + Guid.NewGuid()), HttpStatusCode.NotFound);
        await ApiShopper.JsonAsync(await shopper.Http.GetAsync("/v1/payments/pay_999999"), HttpStatusCode.NotFound);
        await ApiShopper.JsonAsync(await shopper.Http.GetAsync("/v1/payments/nonsense"), HttpStatusCode.NotFound);
        await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/payments/{paymentId}/retry", null, null), HttpStatusCode.BadRequest);
        await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/payments/{paymentId}/retry", null, "k-" + Guid.NewGuid()), HttpStatusCode.Conflict);
        // With its payment page open, a change closes the page first (it asked for the old total): the payment fails, the
        // change is made, and paying again opens a page for what the order costs now.
        var changed = await ApiShopper.JsonAsync(await shopper.Http.PutAsync($"/v1/orders/{orderId}", System.Net.Http.Json.JsonContent.Create(new
        {
            address = new { line1 = "1 Other St", city = "New York", zip = "10036", phone = "212 555 0100" },
        })), HttpStatusCode.OK);
        Assert.Equal("1 Other St", changed.GetProperty("address").GetProperty("line1").GetString());
        Assert.Equal("paymentFailed", changed.GetProperty("status").GetString());
        Assert.Equal("expired", (await app.Services.GetRequiredService<SandboxPsp>().FindSessionAsync(PageId(started), default))!.Value.Session.Status);
        var retried = await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/payments/{paymentId}/retry", null, "k-" + Guid.NewGuid()), HttpStatusCode.Created);
        await ApiShopper.PayOnPspPageAsync(app, PayUrl(retried), Succeeds);
        await OrderBecomesAsync(shopper, orderId, "paid");
    }
}

public sealed class SqlitePaymentsApiTests(SqliteApp app) : PaymentsApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresPaymentsApiTests(PostgresApp app) : PaymentsApiTests(app), IClassFixture<PostgresApp>;
