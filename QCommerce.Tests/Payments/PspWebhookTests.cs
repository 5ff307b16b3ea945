using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;

namespace QCommerce.Tests.Payments;

/// <summary>
/// /v1/webhooks/psp over real HTTP with events signed as Stripe signs them (architecture §4): forged,
/// tampered, stale and malformed ones are 400 with nothing stored; duplicates and shuffles end where
/// in-order delivery ends.
/// </summary>
public abstract class PspWebhookTests(QCommerceApp app)
{
    private string Secret => app.Services.GetRequiredService<IOptions<PaymentsOptions>>().Value.Stripe.WebhookSecret;

    private static string EventJson(string type, JsonObject data, string? id = null) => new JsonObject
    {
        ["id"] = id ?? $"evt_test_{Guid.NewGuid():N}",
        ["object"] = "event",
        ["api_version"] = "2020-08-27", // an older API version is still accepted
        ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
        ["livemode"] = false,
        ["type"] = type,
        ["data"] = new JsonObject { ["object"] = data },
    }.ToJsonString();

    /// <summary>The payment each PaymentIntent of these tests pays, named in its metadata as ours are (its first event is how we learn it).</summary>
    private readonly Dictionary<string, string> _paymentOf = [];

    private JsonObject Intent(string id, string status, long amount, string? error = null) => new()
    {
        ["id"] = id,
        ["object"] = "payment_intent",
        ["amount"] = amount,
        ["amount_received"] = status == "succeeded" ? amount : 0,
        ["currency"] = "usd",
        ["status"] = status,
        ["metadata"] = _paymentOf.TryGetValue(id, out var payment) ? new JsonObject { ["payment_id"] = payment, ["attempt"] = "1" } : new JsonObject(),
        ["last_payment_error"] = error is null ? null : new JsonObject { ["type"] = "card_error", ["code"] = "card_declined", ["message"] = error },
    };

    private static readonly Dictionary<string, (string Status, string? Error)> Shapes = new()
    {
        ["payment_intent.requires_action"] = ("requires_action", null),
        ["payment_intent.succeeded"] = ("succeeded", null),
        ["payment_intent.payment_failed"] = ("requires_payment_method", "Your card was declined."),
    };

    private async Task<HttpResponseMessage> SendAsync(string json, string? signature)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/psp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        if (signature is not null) request.Headers.TryAddWithoutValidation("Stripe-Signature", signature);
        return await app.CreateClient().SendAsync(request);
    }

    private Task<HttpResponseMessage> SendSignedAsync(string json, long? timestamp = null, string? secret = null) =>
        SendAsync(json, Stripe.EventUtility.GenerateSignatureHeader(json, secret ?? Secret, timestamp ?? DateTimeOffset.UtcNow.ToUnixTimeSeconds()));

    /// <summary>An order with a started payment (its checkout page open) and the id of the PaymentIntent its events will be about; no events sent yet.</summary>
    private async Task<(ApiShopper Shopper, string OrderId, string PaymentId, string IntentId, long Amount)> PaymentAsync(int skuOffset)
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: skuOffset);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        var paymentId = started.GetProperty("paymentId").GetString()!;
        var intentId = $"pi_hook{Guid.NewGuid():N}";
        _paymentOf[intentId] = paymentId;
        return (shopper, orderId, paymentId, intentId, started.GetProperty("amount").GetProperty("value").GetInt64());
    }

    private string Event(string type, string intentId, long amount, string? id = null) =>
        EventJson(type, Intent(intentId, Shapes[type].Status, amount, Shapes[type].Error), id);

    private async Task<int> StoredEventsAsync()
    {
        await using var db = app.Database.CreateContext();
        return await db.PspEvents.CountAsync();
    }

    private static async Task<(string Order, string Payment)> StatesAsync(ApiShopper shopper, string orderId, string paymentId) =>
        ((await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString()!,
         (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("status").GetString()!);

    [Fact]
    public async Task ValidEvent_IsApplied_AndTheOrderIsPaid()
    {
        var (shopper, orderId, paymentId, intent, amount) = await PaymentAsync(60);
        var response = await SendSignedAsync(Event("payment_intent.succeeded", intent, amount));
        var answer = await ApiShopper.JsonAsync(response, HttpStatusCode.OK);
        Assert.Equal("Applied", answer.GetProperty("outcome").GetString());
        await Eventually.Async(() => StatesAsync(shopper, orderId, paymentId), s => s == ("paid", "captured"), "the order to be paid");
    }

    [Fact]
    public async Task ForgedTamperedStaleOrMalformed_Get400_AndNothingIsStored()
    {
        var (shopper, orderId, paymentId, intent, amount) = await PaymentAsync(63);
        var json = Event("payment_intent.succeeded", intent, amount);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var good = Stripe.EventUtility.GenerateSignatureHeader(json, Secret, now);
        var before = await StoredEventsAsync();

        var refused = new (string Why, string Body, string? Signature)[]
        {
            ("forged secret", json, Stripe.EventUtility.GenerateSignatureHeader(json, "whsec_someone_else", now)),
            ("tampered body", json.Replace($"\"amount\":{amount}", "\"amount\":1"), good),
            ("stale: signed 301 s ago", json, Stripe.EventUtility.GenerateSignatureHeader(json, Secret, now - 301)),
            ("from the future", json, Stripe.EventUtility.GenerateSignatureHeader(json, Secret, now + 360)), // the server's clock may be a second ahead of ours
            ("missing header", json, null),
            ("empty header", json, ""),
            ("garbage header", json, "not-a-signature"),
            ("no v1", json, $"t={now}"),
            ("bad timestamp", json, good.Replace($"t={now}", "t=yesterday")),
            ("a timestamp past 2038, validly signed", json, Stripe.EventUtility.GenerateSignatureHeader(json, Secret, 1L << 31)),
            ("a timestamp past long", json, good.Replace($"t={now}", "t=99999999999999999999999")),
            ("signed, but not JSON", "{not json", Stripe.EventUtility.GenerateSignatureHeader("{not json", Secret, now)),
            ("signed, but no id", "{\"object\":\"event\"}", Stripe.EventUtility.GenerateSignatureHeader("{\"object\":\"event\"}", Secret, now)),
        };
        // Signed, valid JSON, but not an object.
        refused = [.. refused, .. new[] { "[]", "[{}]", "\"text\"", "42", "null", "true", "{\"id\":[],\"type\":{}}", "{\"id\":\"evt_x\",\"type\":\"payment_intent.succeeded\",\"data\":[]}" }
            .Select(body => ($"signed {body}", body, (string?)Stripe.EventUtility.GenerateSignatureHeader(body, Secret, now)))];
        foreach (var (why, body, signature) in refused)
        {
            var response = await SendAsync(body, signature);
            Assert.True(response.StatusCode == HttpStatusCode.BadRequest, $"{why}: {response.StatusCode} {await response.Content.ReadAsStringAsync()}");
            Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        }

        Assert.Equal(before, await StoredEventsAsync());
        Assert.Equal(("pendingPayment", "initiated"), await StatesAsync(shopper, orderId, paymentId));
        // Within the tolerance an older signature is fine.
        Assert.Equal(HttpStatusCode.OK, (await SendSignedAsync(json, now - 250)).StatusCode);
    }

    [Fact]
    public async Task SucceededForLessThanTheOrderCosts_IsHeldForReview_AndTheOrderIsNeverPaid()
    {
        var (shopper, orderId, paymentId, intent, amount) = await PaymentAsync(84);
        var oneCent = Intent(intent, "succeeded", amount);
        oneCent["amount_received"] = 1;

        var answer = await ApiShopper.JsonAsync(await SendSignedAsync(EventJson("payment_intent.succeeded", oneCent)), HttpStatusCode.OK);

        Assert.Equal("HeldForReview", answer.GetProperty("outcome").GetString());
        Assert.Equal(("pendingPayment", "initiated"), await StatesAsync(shopper, orderId, paymentId));
        var id = int.Parse(paymentId[4..], System.Globalization.CultureInfo.InvariantCulture);
        await using (var db = app.Database.CreateContext())
        {
            var payment = await db.Payments.SingleAsync(p => p.Id == id);
            Assert.Equal(0, payment.CapturedMinor);
            Assert.Contains($"asked for {amount} USD", payment.ReviewNote);
            Assert.Equal(PspEventOutcome.HeldForReview, (await db.PspEvents.SingleAsync(e => e.PaymentId == id)).Outcome);
        }
        // Another currency is no better; the true event still pays the order.
        var euros = Intent(intent, "succeeded", amount);
        euros["currency"] = "eur";
        Assert.Equal("HeldForReview", (await ApiShopper.JsonAsync(await SendSignedAsync(EventJson("payment_intent.succeeded", euros)), HttpStatusCode.OK))
            .GetProperty("outcome").GetString());
        await ApiShopper.JsonAsync(await SendSignedAsync(Event("payment_intent.succeeded", intent, amount)), HttpStatusCode.OK);
        await Eventually.Async(() => StatesAsync(shopper, orderId, paymentId), s => s == ("paid", "captured"), "the order to be paid");
    }

    [Fact]
    public async Task EachEventThreeTimes_IsStoredOnce_AndTakesEffectOnce()
    {
        var (shopper, orderId, paymentId, intent, amount) = await PaymentAsync(66);
        var requiresAction = Event("payment_intent.requires_action", intent, amount);
        var succeeded = Event("payment_intent.succeeded", intent, amount);

        var outcomes = new List<string>();
        foreach (var json in new[] { requiresAction, requiresAction, requiresAction, succeeded, succeeded, succeeded })
            outcomes.Add((await ApiShopper.JsonAsync(await SendSignedAsync(json), HttpStatusCode.OK)).GetProperty("outcome").GetString()!);
        // The same event at the same moment, too.
        var parallel = await Task.WhenAll(Enumerable.Range(0, 5).Select(_ => SendSignedAsync(succeeded)));
        Assert.All(parallel, r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));

        Assert.Equal(["Applied", "Duplicate", "Duplicate", "Applied", "Duplicate", "Duplicate"], outcomes);
        await Eventually.Async(() => StatesAsync(shopper, orderId, paymentId), s => s == ("paid", "captured"), "the order to be paid");
        await using var db = app.Database.CreateContext();
        var id = int.Parse(paymentId[4..], System.Globalization.CultureInfo.InvariantCulture);
        Assert.Equal(2, await db.PspEvents.CountAsync(e => e.PaymentId == id));
        var timeline = (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("timeline").EnumerateArray().ToList();
        Assert.Single(timeline, e => e.GetProperty("to").GetString() == "paid");
        Assert.Single(timeline, e => e.GetProperty("reason").GetString()!.Contains("3-D Secure"));
    }

    [Fact]
    public async Task ShuffledEvents_EndWhereInOrderDeliveryEnds()
    {
        async Task<(string, string)> DeliverAsync(int skuOffset, params string[] types)
        {
            var (shopper, orderId, paymentId, intent, amount) = await PaymentAsync(skuOffset);
            foreach (var type in types) await ApiShopper.JsonAsync(await SendSignedAsync(Event(type, intent, amount)), HttpStatusCode.OK);
            var final = types.Contains("payment_intent.succeeded") ? ("paid", "captured") : ("paymentFailed", "failed");
            return await Eventually.Async(() => StatesAsync(shopper, orderId, paymentId), s => s == final, $"{string.Join(", ", types)} to settle");
        }

        var inOrder = await DeliverAsync(69, "payment_intent.requires_action", "payment_intent.succeeded");
        var shuffled = await DeliverAsync(72, "payment_intent.succeeded", "payment_intent.requires_action");
        Assert.Equal(inOrder, shuffled);

        var failedInOrder = await DeliverAsync(75, "payment_intent.requires_action", "payment_intent.payment_failed");
        var failedShuffled = await DeliverAsync(78, "payment_intent.payment_failed", "payment_intent.requires_action");
        Assert.Equal(failedInOrder, failedShuffled);
    }

    [Fact]
    public async Task UnknownIntent_Gets200_AndIsStoredForTheRecord()
    {
        var eventId = $"evt_test_{Guid.NewGuid():N}";
        var answer = await ApiShopper.JsonAsync(await SendSignedAsync(Event("payment_intent.succeeded", "pi_nobody_knows", 1234, eventId)), HttpStatusCode.OK);
        Assert.Equal("UnknownIntent", answer.GetProperty("outcome").GetString());
        var other = EventJson("customer.created", new JsonObject { ["id"] = "cus_1", ["object"] = "customer" });
        Assert.Equal("Ignored", (await ApiShopper.JsonAsync(await SendSignedAsync(other), HttpStatusCode.OK)).GetProperty("outcome").GetString());
        await using var db = app.Database.CreateContext();
        Assert.Equal(PspEventOutcome.UnknownIntent, (await db.PspEvents.SingleAsync(e => e.EventId == eventId)).Outcome);
    }

    [Fact]
    public async Task RefundEvent_ForARefundMadeAtThePsp_IsRecorded()
    {
        var (shopper, orderId, paymentId, intent, amount) = await PaymentAsync(81);
        await ApiShopper.JsonAsync(await SendSignedAsync(Event("payment_intent.succeeded", intent, amount)), HttpStatusCode.OK);
        await Eventually.Async(() => StatesAsync(shopper, orderId, paymentId), s => s == ("paid", "captured"), "the order to be paid");

        var refund = new JsonObject
        {
            ["id"] = "re_dashboard_" + Guid.NewGuid().ToString("N")[..8], ["object"] = "refund", ["amount"] = 150, ["currency"] = "usd",
            ["payment_intent"] = intent, ["status"] = "succeeded", ["metadata"] = new JsonObject(),
        };
        var json = EventJson("refund.updated", refund);
        Assert.Equal("Applied", (await ApiShopper.JsonAsync(await SendSignedAsync(json), HttpStatusCode.OK)).GetProperty("outcome").GetString());
        Assert.Equal("Duplicate", (await ApiShopper.JsonAsync(await SendSignedAsync(json), HttpStatusCode.OK)).GetProperty("outcome").GetString());

        var payment = await shopper.GetAsync($"/v1/payments/{paymentId}");
        Assert.Equal("captured", payment.GetProperty("status").GetString());
        Assert.Equal(150, payment.GetProperty("refunded").GetProperty("value").GetInt64());
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("timeline").ToString(),
            t => t.Contains("$1.50 was refunded to your card"), "the partial refund on the timeline");
        Assert.Equal("paid", (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task APaidOrderRefundedInFullAtThePsp_ClosesAsRefunded_WithItsStockBack_AndIsNotRefundedAgain()
    {
        var (shopper, orderId, paymentId, intent, amount) = await PaymentAsync(87);
        await ApiShopper.JsonAsync(await SendSignedAsync(Event("payment_intent.succeeded", intent, amount)), HttpStatusCode.OK);
        await Eventually.Async(() => StatesAsync(shopper, orderId, paymentId), s => s == ("paid", "captured"), "the order to be paid");
        var refund = new JsonObject
        {
            ["id"] = "re_full_" + Guid.NewGuid().ToString("N")[..8], ["object"] = "refund", ["amount"] = amount, ["currency"] = "usd",
            ["payment_intent"] = intent, ["status"] = "succeeded", ["metadata"] = new JsonObject(),
        };
        await ApiShopper.JsonAsync(await SendSignedAsync(EventJson("refund.updated", refund)), HttpStatusCode.OK);

        // Nobody will be charged for it, so nobody picks it: it closes, its stock back on the shelf, and a person is asked to look.
        await Eventually.Async(() => StatesAsync(shopper, orderId, paymentId), s => s == ("refunded", "refunded"), "the order to close as refunded");
        await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/orders/{orderId}/cancel", null, null), HttpStatusCode.Conflict);
        Assert.Single((await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("refunds").EnumerateArray()); // no second refund asked
        await using var db = app.Database.CreateContext();
        var order = await db.Orders.AsNoTracking().SingleAsync(o => o.Id == Fulfillment.FulfillmentServiceTests.Number(orderId));
        Assert.Equal((amount, amount, ReservationStatus.Released), (order.RefundedMinor, order.GoodwillMinor, order.ReservationStatus));
        Assert.NotNull(order.MoneyReviewNote);
    }

    /// <summary>A Checkout Session as Stripe sends it in an event: the payment's page, in some state.</summary>
    private async Task<JsonObject> PageAsync(string paymentId, string status, string? intentId)
    {
        await using var db = app.Database.CreateContext();
        var number = int.Parse(paymentId[4..], System.Globalization.CultureInfo.InvariantCulture);
        var page = await db.PaymentAttempts.Where(a => a.PaymentId == number && a.Number == 1).Select(a => a.PspCheckoutId).SingleAsync();
        return new JsonObject
        {
            ["id"] = page, ["object"] = "checkout.session", ["mode"] = "payment", ["status"] = status, ["currency"] = "usd",
            ["payment_status"] = status == "complete" ? "paid" : "unpaid", ["payment_intent"] = intentId,
            ["expires_at"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            ["metadata"] = new JsonObject { ["payment_id"] = paymentId, ["attempt"] = "1" },
        };
    }

    [Fact]
    public async Task APageThatClosedUnpaid_FailsTheAttemptOnce_AndARetryOpensANewPage()
    {
        var (shopper, orderId, paymentId, _, _) = await PaymentAsync(54);
        var expired = EventJson("checkout.session.expired", await PageAsync(paymentId, "expired", null));

        Assert.Equal("Applied", (await ApiShopper.JsonAsync(await SendSignedAsync(expired), HttpStatusCode.OK)).GetProperty("outcome").GetString());
        Assert.Equal("Duplicate", (await ApiShopper.JsonAsync(await SendSignedAsync(expired), HttpStatusCode.OK)).GetProperty("outcome").GetString());
        await Eventually.Async(() => StatesAsync(shopper, orderId, paymentId), s => s == ("paymentFailed", "failed"), "the attempt to fail");
        Assert.Contains("page closed", (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("failureMessage").GetString());

        var retried = await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/payments/{paymentId}/retry", null, Guid.NewGuid().ToString()), HttpStatusCode.Created);
        Assert.Equal(2, retried.GetProperty("attempt").GetInt32());
        Assert.Equal("pendingPayment", (await StatesAsync(shopper, orderId, paymentId)).Order);
        // A page no payment here knows is stored and answered 200.
        var stranger = (await PageAsync(paymentId, "expired", null));
        stranger["id"] = "cs_test_stranger" + Guid.NewGuid().ToString("N");
        Assert.Equal("UnknownIntent", (await ApiShopper.JsonAsync(await SendSignedAsync(EventJson("checkout.session.expired", stranger)), HttpStatusCode.OK))
            .GetProperty("outcome").GetString());
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public async Task ThePagesCompletion_AndItsPaymentIntentsSuccess_PayTheOrderOnce_InEitherOrder(bool pageFirst)
    {
        var (shopper, orderId, paymentId, intent, amount) = await PaymentAsync(pageFirst ? 48 : 51);
        var completed = EventJson("checkout.session.completed", await PageAsync(paymentId, "complete", intent));
        var succeeded = Event("payment_intent.succeeded", intent, amount);

        foreach (var json in pageFirst ? new[] { completed, succeeded } : [succeeded, completed])
            await ApiShopper.JsonAsync(await SendSignedAsync(json), HttpStatusCode.OK);

        await Eventually.Async(() => StatesAsync(shopper, orderId, paymentId), s => s == ("paid", "captured"), "the order to be paid");
        var payment = await shopper.GetAsync($"/v1/payments/{paymentId}");
        Assert.Equal(intent, payment.GetProperty("pspReference").GetString());
        Assert.Equal(amount, payment.GetProperty("captured").GetProperty("value").GetInt64());
    }
}

public sealed class SqlitePspWebhookTests(SqliteApp app) : PspWebhookTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresPspWebhookTests(PostgresApp app) : PspWebhookTests(app), IClassFixture<PostgresApp>;
