using System.Net;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Primitives;
using Microsoft.Extensions.Time.Testing;
using QCommerce.Core.Payments;
using QCommerce.Web.Payments.Sandbox;

namespace QCommerce.Tests.Payments;

/// <summary>
/// The sandbox's Checkout Sessions and manual capture, in Stripe's wire format and with Stripe's rules: what Stripe.net
/// reads, what it refuses, and what time does to pages, holds and refunds (a sandbox over its own file and a fake clock).
/// </summary>
public sealed class SandboxCheckoutTests(SqliteApp app) : IClassFixture<SqliteApp>, IAsyncLifetime
{
    private static readonly DateTimeOffset Start = new(2026, 12, 7, 9, 0, 0, TimeSpan.Zero);
    private readonly FakeTimeProvider _clock = new(Start);
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("qcommerce-sandbox-");
    private PooledDbContextFactory<PspSandboxDbContext> _contexts = null!;

    private IPaymentGateway Gateway => app.Services.GetRequiredService<IPaymentGateway>();

    public async Task InitializeAsync()
    {
        _contexts = new(new DbContextOptionsBuilder<PspSandboxDbContext>().UseSqlite($"Data Source={Path.Combine(_folder.FullName, "psp.db")};Pooling=false").Options);
        await using var db = await _contexts.CreateDbContextAsync();
        await db.Database.EnsureCreatedAsync();
    }

    public Task DisposeAsync()
    {
        _folder.Delete(recursive: true);
        return Task.CompletedTask;
    }

    private SandboxPsp Sandbox(SandboxSettings? settings = null) =>
        new(_contexts, new SandboxWebhookSignal(), new SandboxDueSignal(), new SandboxFaults(), settings ?? new SandboxSettings(), _clock);

    private static FormCollection Form(params (string Key, string Value)[] fields) =>
        new(fields.ToDictionary(f => f.Key, f => new StringValues(f.Value)));

    private (string, string)[] Session(string captureMethod = "manual", TimeSpan? life = null) =>
    [
        ("mode", "payment"), ("success_url", "http://127.0.0.1:5000/payments/pay_1/return?session_id={CHECKOUT_SESSION_ID}"),
        ("cancel_url", "http://127.0.0.1:5000/payments/pay_1/return?redirect_status=canceled"),
        ("line_items[0][quantity]", "2"), ("line_items[0][price_data][currency]", "usd"), ("line_items[0][price_data][unit_amount]", "1000"),
        ("line_items[0][price_data][product_data][name]", "Coffee beans"),
        ("payment_intent_data[capture_method]", captureMethod), ("payment_intent_data[metadata][payment_id]", "pay_1"),
        ("payment_intent_data[metadata][attempt]", "1"),
        ("expires_at", (Start + (life ?? TimeSpan.FromMinutes(45))).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture)),
    ];

    private static CheckoutRequest Request(long total = 2599) =>
        new("USD", [new CheckoutLine("Groceries", total - 399, 1)], 399, 0, total, "o_1", "pay_1", 1,
            "http://127.0.0.1:5000/payments/pay_1/return?session_id={CHECKOUT_SESSION_ID}", "http://127.0.0.1:5000/payments/pay_1/return",
            DateTime.UtcNow.AddMinutes(45));

    /// <summary>A session paid with the test card whose money is held; its PaymentIntent's id.</summary>
    private async Task<string> HeldAsync(SandboxPsp psp) => (await HeldSessionAsync(psp)).IntentId;

    private async Task<(string SessionId, string IntentId)> HeldSessionAsync(SandboxPsp psp)
    {
        var created = await psp.CreateSessionAsync(Form(Session()), "http://127.0.0.1:5000", default);
        Assert.Equal(200, created.Status);
        var id = created.Body["id"]!.GetValue<string>();
        Assert.Equal(SandboxCardOutcome.Succeeded, await psp.PayAsync(id, SandboxPsp.SucceedsCard, default));
        return (id, (await psp.FindSessionAsync(id, default))!.Value.Session.PaymentIntentId!);
    }

    private async Task<List<string>> EventsAsync()
    {
        await using var db = await _contexts.CreateDbContextAsync();
        return await db.Webhooks.OrderBy(w => w.Id).Select(w => w.Type).ToListAsync();
    }

    [Fact]
    public async Task SessionsAndIntents_RoundTripThroughStripeNetsModels_Unchanged()
    {
        var psp = Sandbox();
        var (sessionId, intentId) = await HeldSessionAsync(psp);
        foreach (var json in new[] { (await psp.GetSessionAsync(sessionId, default)).Body, (await psp.GetIntentAsync(intentId, default)).Body })
        {
            var model = json["object"]!.GetValue<string>() == "checkout.session"
                ? (Stripe.StripeEntity)Stripe.StripeEntity.FromJson<Stripe.Checkout.Session>(json.ToJsonString())
                : Stripe.StripeEntity.FromJson<Stripe.PaymentIntent>(json.ToJsonString());
            Assert.True(JsonNode.DeepEquals(json, JsonNode.Parse(model.ToJson())), json.ToJsonString());
        }
        var intent = Stripe.StripeEntity.FromJson<Stripe.PaymentIntent>((await psp.GetIntentAsync(intentId, default)).Body.ToJsonString());
        Assert.Equal(("requires_capture", "manual", 2000L, 0L), (intent.Status, intent.CaptureMethod, intent.AmountCapturable, intent.AmountReceived));
        var session = Stripe.StripeEntity.FromJson<Stripe.Checkout.Session>((await psp.GetSessionAsync(sessionId, default)).Body.ToJsonString());
        // Like Stripe: money only held leaves the session complete but unpaid.
        Assert.Equal(("complete", "unpaid", intentId), (session.Status, session.PaymentStatus, session.PaymentIntentId));
        Assert.Equal(["payment_intent.amount_capturable_updated", "checkout.session.completed"], await EventsAsync());
    }

    public static TheoryData<string, string?, string> BadSessions => new()
    {
        { "mode", "subscription", "mode" },
        { "success_url", "javascript:alert(1)", "success_url" },
        { "line_items[0][quantity]", null, "line_items" },
        { "line_items[0][quantity]", "0", "line_items[0][quantity]" },
        { "line_items[0][price_data][unit_amount]", "-5", "line_items[0][price_data][unit_amount]" },
        { "line_items[0][price_data][unit_amount]", "20", "line_items" },
        { "line_items[0][price_data][product_data][name]", "", "line_items[0][price_data][product_data][name]" },
        { "expires_at", Start.AddMinutes(29).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "expires_at" },
        { "expires_at", Start.AddHours(25).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), "expires_at" },
        { "payment_intent_data[capture_method]", "later", "payment_intent_data[capture_method]" },
        { "expires_at", "99999999999999", "expires_at" },
        { "shipping_options[0][shipping_rate_data][fixed_amount][amount]", "9223372036854775000", "shipping_options[0][shipping_rate_data][fixed_amount][amount]" },
        { "currency", "€€€", "currency" },
        { "discounts[0][coupon]", "co_nope", "id" },
    };

    [Theory]
    [MemberData(nameof(BadSessions))]
    public async Task ABadSession_IsRefusedAsStripeRefusesIt_AndMakesNothing(string field, string? value, string param)
    {
        var fields = Session().Where(f => f.Item1 != field).ToList();
        if (value is not null) fields.Add((field, value));
        var answer = await Sandbox().CreateSessionAsync(Form([.. fields]), "http://127.0.0.1:5000", default);
        Assert.True(answer.Status is 400 or 404, answer.Body.ToJsonString());
        Assert.Equal(param, answer.Body["error"]!["param"]!.GetValue<string>());
        await using var db = await _contexts.CreateDbContextAsync();
        Assert.False(await db.Sessions.AnyAsync());
    }

    [Fact]
    public async Task Capture_TakesAtMostWhatIsHeld_ReleasesTheRest_AndOnlyOnce()
    {
        var psp = Sandbox();
        var intentId = await HeldAsync(psp);
        Assert.Equal("amount_too_large", (await psp.CaptureIntentAsync(intentId, Form(("amount_to_capture", "2001")), default)).Body["error"]!["code"]!.GetValue<string>());
        Assert.Equal(400, (await psp.CaptureIntentAsync(intentId, Form(("amount_to_capture", "0")), default)).Status);

        var captured = await psp.CaptureIntentAsync(intentId, Form(("amount_to_capture", "1500")), default);
        Assert.Equal(("succeeded", 1500L, 0L), (captured.Body["status"]!.GetValue<string>(), captured.Body["amount_received"]!.GetValue<long>(),
            captured.Body["amount_capturable"]!.GetValue<long>()));
        var again = await psp.CaptureIntentAsync(intentId, Form(("amount_to_capture", "500")), default);
        Assert.Equal("payment_intent_unexpected_state", again.Body["error"]!["code"]!.GetValue<string>());
        Assert.Equal("payment_intent.succeeded", (await EventsAsync())[^1]);
        await using var db = await _contexts.CreateDbContextAsync();
        Assert.Equal("paid", (await db.Sessions.SingleAsync()).PaymentStatus);
    }

    [Fact]
    public async Task CancellingAHold_ReleasesAllOfIt()
    {
        var psp = Sandbox();
        var intentId = await HeldAsync(psp);
        var cancelled = await psp.CancelIntentAsync(intentId, "requested_by_customer", default);
        Assert.Equal(("canceled", 0L, "requested_by_customer"), (cancelled.Body["status"]!.GetValue<string>(), cancelled.Body["amount_capturable"]!.GetValue<long>(),
            cancelled.Body["cancellation_reason"]!.GetValue<string>()));
        Assert.Equal(400, (await psp.CaptureIntentAsync(intentId, Form(), default)).Status);
    }

    [Fact]
    public async Task Time_ClosesPages_LapsesHolds_AndSettlesRefunds_FromWhatIsStored()
    {
        var settings = new SandboxSettings { AuthorizationValidity = TimeSpan.FromHours(2), RefundSettlesAfter = TimeSpan.FromSeconds(1) };
        var psp = Sandbox(settings);
        var open = (await psp.CreateSessionAsync(Form(Session(life: TimeSpan.FromMinutes(40))), "http://127.0.0.1:5000", default)).Body["id"]!.GetValue<string>();
        var held = await HeldAsync(psp);
        var paid = await HeldAsync(psp);
        await psp.CaptureIntentAsync(paid, Form(), default);
        var refund = await psp.CreateRefundAsync(Form(("payment_intent", paid), ("amount", "700")), default);
        Assert.Equal("pending", refund.Body["status"]!.GetValue<string>());

        // The process stops; later a new one starts over the same file and finds everything still due.
        _clock.Advance(TimeSpan.FromMinutes(41));
        var restarted = Sandbox(settings);
        Assert.NotNull(await restarted.RunDueAsync(default));
        Assert.Equal("expired", (await restarted.FindSessionAsync(open, default))!.Value.Session.Status);
        Assert.Equal("succeeded", (await restarted.GetRefundAsync(refund.Body["id"]!.GetValue<string>(), default)).Body["status"]!.GetValue<string>());
        Assert.Equal("requires_capture", (await restarted.GetIntentAsync(held, default)).Body["status"]!.GetValue<string>());

        _clock.Advance(TimeSpan.FromHours(2));
        Assert.Null(await restarted.RunDueAsync(default)); // nothing waits any more
        var lapsed = (await restarted.GetIntentAsync(held, default)).Body;
        Assert.Equal(("canceled", "automatic", 0L), (lapsed["status"]!.GetValue<string>(), lapsed["cancellation_reason"]!.GetValue<string>(), lapsed["amount_capturable"]!.GetValue<long>()));
        var events = await EventsAsync();
        Assert.Contains("checkout.session.expired", events);
        Assert.Contains("refund.updated", events);
        Assert.Equal("payment_intent.canceled", events[^1]);
    }

    [Fact]
    public async Task ThroughTheGateway_AHoldIsCapturedForLess_AndAPageClosedOnTimeFailsNothingPaid()
    {
        var page = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        await using (var db = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync())
            await db.Sessions.Where(s => s.Id == page.Id).ExecuteUpdateAsync(s => s.SetProperty(x => x.CaptureMethod, "manual"));
        await ApiShopper.PayOnPspPageAsync(app, page.Url!, SandboxPsp.SucceedsCard);
        var intentId = (await Gateway.GetCheckoutAsync(page.Id, default)).IntentId!;
        var held = await Gateway.GetIntentAsync(intentId, default);
        Assert.Equal((PspIntentStatus.Authorized, 2599L, 0L), (held.Status, held.AmountCapturableMinor, held.AmountReceivedMinor));

        var captured = await Gateway.CaptureAsync(intentId, 1800, "capture-" + intentId, default);
        Assert.Equal((PspIntentStatus.Succeeded, 1800L, 0L), (captured.Status, captured.AmountReceivedMinor, captured.AmountCapturableMinor));
        // The same key again is the same capture, not a second one.
        Assert.Equal(1800, (await Gateway.CaptureAsync(intentId, 1800, "capture-" + intentId, default)).AmountReceivedMinor);
    }

    [Fact]
    public async Task ForARealKey_StripeNetAsksApiStripeComForACheckoutSession_WithTheOrdersLinesAndMetadata()
    {
        var recorder = new RecordingHandler();
        var options = Microsoft.Extensions.Options.Options.Create(new PaymentsOptions());
        var gateway = new StripePaymentGateway(new RealKey(), options, new PspResilience(options, TimeProvider.System, NullLogger<PspResilience>.Instance),
            NullLogger<StripePaymentGateway>.Instance, recorder);
        var request = Request() with { DiscountMinor = 100, TotalMinor = 2499 };

        var page = await gateway.CreateCheckoutAsync(request, "qc-pay-key", default);

        Assert.Equal("cs_test_recorded", page.Id);
        Assert.Equal(2, recorder.Requests.Count);
        var (couponCall, sessionCall) = (recorder.Requests[0], recorder.Requests[1]);
        Assert.Equal("https://api.stripe.com/v1/coupons", couponCall.Uri);
        Assert.Equal("qc-pay-key-discount", couponCall.IdempotencyKey);
        Assert.Equal("100", couponCall.Form["amount_off"]);
        Assert.Equal("https://api.stripe.com/v1/checkout/sessions", sessionCall.Uri);
        Assert.Equal("Bearer sk_test_recorded", sessionCall.Authorization);
        Assert.Equal("qc-pay-key", sessionCall.IdempotencyKey);
        var form = sessionCall.Form;
        Assert.Equal("payment", form["mode"]);
        Assert.Equal("Groceries", form["line_items[0][price_data][product_data][name]"]);
        Assert.Equal("2200", form["line_items[0][price_data][unit_amount]"]);
        Assert.Equal("399", form["shipping_options[0][shipping_rate_data][fixed_amount][amount]"]);
        Assert.Equal("co_recorded", form["discounts[0][coupon]"]);
        Assert.Equal("pay_1", form["payment_intent_data[metadata][payment_id]"]);
        Assert.Equal("manual", form["payment_intent_data[capture_method]"]); // held at checkout, captured for what is picked
        Assert.Equal("1", form["metadata[attempt]"]);
        Assert.Equal(new DateTimeOffset(request.ExpiresAtUtc).ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), form["expires_at"]);
        Assert.Contains("{CHECKOUT_SESSION_ID}", form["success_url"]);
    }

    [Theory]
    [InlineData("amount_off", "0", "amount_off")]
    [InlineData("amount_off", "100000000", "amount_off")]
    [InlineData("currency", "€€€", "currency")]
    [InlineData("max_redemptions", "99999999999", "max_redemptions")]
    [InlineData("duration", "forever", "duration")]
    public async Task ABadCoupon_IsRefused_AndMakesNothing(string field, string value, string param)
    {
        var fields = new List<(string, string)> { ("amount_off", "100"), ("currency", "usd"), ("duration", "once"), ("max_redemptions", "1") };
        fields.RemoveAll(f => f.Item1 == field);
        fields.Add((field, value));
        var answer = await Sandbox().CreateCouponAsync(Form([.. fields]), default);
        Assert.Equal(400, answer.Status);
        Assert.Equal(param, answer.Body["error"]!["param"]!.GetValue<string>());
        await using var db = await _contexts.CreateDbContextAsync();
        Assert.False(await db.Coupons.AnyAsync());
    }

    [Fact]
    public async Task TheSandboxApi_TakesAPostWithoutParameters_AndRefusesABodyThatIsNoForm_NeverA500()
    {
        var page = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        var key = app.Services.GetRequiredService<SandboxApiLocation>().ApiKey;
        using var http = app.CreateClient();
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);

        var expired = await http.PostAsync($"/psp-sandbox/v1/checkout/sessions/{page.Id}/expire", null);
        Assert.Equal(HttpStatusCode.OK, expired.StatusCode);
        Assert.Contains("\"expired\"", await expired.Content.ReadAsStringAsync());
        var json = await http.PostAsync("/psp-sandbox/v1/coupons", new StringContent("{\"amount_off\":100}", System.Text.Encoding.UTF8, "application/json"));
        Assert.Equal(HttpStatusCode.BadRequest, json.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/psp-sandbox/v1/events?created[gte]=999999999999999")).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/psp-sandbox/v1/events?created[gte]=-999999999999999")).StatusCode);
    }

    [Fact]
    public async Task TheChallengeAddress_WithNoChallengeWaiting_LeadsBackToTheOpenPage()
    {
        var page = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        using var browser = app.CreateClient();
        var get = await browser.GetAsync($"/psp-sandbox/pay/{page.Id}/challenge");
        Assert.Equal(HttpStatusCode.Redirect, get.StatusCode);
        Assert.Equal($"/psp-sandbox/pay/{page.Id}", get.Headers.Location!.OriginalString);

        // A failed challenge: the page stays open, and a reload of the challenge's address leads back to it.
        Assert.EndsWith("/challenge", (await ApiShopper.PayOnPspPageAsync(app, page.Url!, SandboxPsp.ChallengeCard)).OriginalString);
        await ApiShopper.AnswerChallengeAsync(app, page.Id, approve: false);
        Assert.Equal($"/psp-sandbox/pay/{page.Id}", (await browser.GetAsync($"/psp-sandbox/pay/{page.Id}/challenge")).Headers.Location!.OriginalString);
        Assert.Contains("could not authenticate", await (await browser.GetAsync($"/psp-sandbox/pay/{page.Id}")).Content.ReadAsStringAsync());
    }

    [Fact]
    public async Task AFileOfAnOlderSandbox_IsStartedAfresh_AndAFileOfThisOneIsKept()
    {
        var path = Path.Combine(_folder.FullName, "old.db");
        await using (var old = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false"))
        {
            await old.OpenAsync();
            await using var create = old.CreateCommand();
            create.CommandText = "CREATE TABLE Intents (Id TEXT PRIMARY KEY, Amount INTEGER); INSERT INTO Intents VALUES ('pi_old', 100);";
            await create.ExecuteNonQueryAsync();
        }
        var services = new ServiceCollection().AddLogging()
            .AddDbContextFactory<PspSandboxDbContext>(o => o.UseSqlite($"Data Source={path};Pooling=false")).BuildServiceProvider();

        await services.InitializePspSandboxAsync();
        var contexts = services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>();
        await using (var db = await contexts.CreateDbContextAsync())
        {
            Assert.False(await db.Intents.AnyAsync());
            db.Coupons.Add(new SandboxCoupon { Id = "co_kept", AmountOff = 100, Currency = "usd" });
            await db.SaveChangesAsync();
        }
        await services.InitializePspSandboxAsync();
        await using (var db = await contexts.CreateDbContextAsync())
            Assert.True(await db.Coupons.AnyAsync(c => c.Id == "co_kept"));
    }

    private sealed class RealKey : IStripeApiLocation
    {
        public string ApiKey => "sk_test_recorded";
        public string? ApiBase => null;
    }

    /// <summary>Stands in for api.stripe.com: keeps what Stripe.net sends and answers as Stripe would.</summary>
    private sealed class RecordingHandler : HttpMessageHandler
    {
        public sealed record Recorded(string Uri, string? Authorization, string? IdempotencyKey, Dictionary<string, string> Form);

        public List<Recorded> Requests { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var body = request.Content is null ? "" : await request.Content.ReadAsStringAsync(cancellationToken);
            var form = Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(body).ToDictionary(p => p.Key, p => p.Value.ToString());
            Requests.Add(new Recorded(request.RequestUri!.GetLeftPart(UriPartial.Path), request.Headers.Authorization?.ToString(),
                request.Headers.TryGetValues("Idempotency-Key", out var keys) ? keys.Single() : null, form));
            var json = request.RequestUri.AbsolutePath.EndsWith("/coupons", StringComparison.Ordinal)
                ? """{"id":"co_recorded","object":"coupon","amount_off":100,"currency":"usd","duration":"once"}"""
                : """{"id":"cs_test_recorded","object":"checkout.session","status":"open","amount_total":2499,"currency":"usd","expires_at":1900000000,"url":"https://checkout.stripe.com/c/pay/cs_test_recorded","metadata":{"payment_id":"pay_1","attempt":"1"}}""";
            return new HttpResponseMessage(HttpStatusCode.OK) { Content = new StringContent(json, System.Text.Encoding.UTF8, "application/json") };
        }
    }
}
