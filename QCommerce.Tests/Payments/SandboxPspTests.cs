using System.Net;
using Microsoft.EntityFrameworkCore.Infrastructure;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Payments;
using QCommerce.Web.Payments.Sandbox;

namespace QCommerce.Tests.Payments;

/// <summary>
/// The Stripe.net adapter against the embedded sandbox over real HTTP (no mock), and what QCommerce
/// does when the sandbox misbehaves on purpose: failed and slow answers, lost webhooks.
/// </summary>
public sealed class SandboxPspTests(SqliteApp app) : IClassFixture<SqliteApp>, IDisposable
{
    private IPaymentGateway Gateway => app.Services.GetRequiredService<IPaymentGateway>();
    private SandboxFaults Faults => app.Services.GetRequiredService<SandboxFaults>();

    public void Dispose() => Faults.Reset();

    private CheckoutRequest Request(long fee = 399, long discount = 0, DateTime? expires = null) =>
        new("USD", [new CheckoutLine("Oat milk (1 l)", 450, 2), new CheckoutLine("Bananas", 199, 1), new CheckoutLine("Tax", 88, 1)], fee, discount,
            450 * 2 + 199 + 88 + fee - discount, "o_1", "pay_1", 1, app.BaseAddress + "payments/pay_1/return?redirect_status=succeeded&session_id={CHECKOUT_SESSION_ID}",
            app.BaseAddress + "payments/pay_1/return?redirect_status=canceled", expires ?? DateTime.UtcNow.AddMinutes(45));

    private static long Total(CheckoutRequest r) => r.TotalMinor;

    private async Task<int> IdempotentAnswersAsync(string key)
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync();
        return await db.IdempotentResponses.CountAsync(r => r.Key == key);
    }

    private async Task<int> SessionCountAsync()
    {
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync();
        return await db.Sessions.CountAsync();
    }

    [Fact]
    public async Task CreateCheckout_OpensAPageForTheOrdersTotal_AndTheTestCardPaysIt()
    {
        var request = Request(discount: 150);
        var page = await Gateway.CreateCheckoutAsync(request, "key-" + Guid.NewGuid(), default);
        Assert.StartsWith("cs_test_", page.Id);
        Assert.Equal(PspCheckoutStatus.Open, page.Status);
        Assert.Equal(Total(request), page.AmountTotalMinor);
        Assert.Equal("USD", page.Currency);
        Assert.Null(page.IntentId);
        Assert.Equal(new PspPaymentRef("pay_1", 1), page.For);
        Assert.Equal($"{app.BaseAddress}psp-sandbox/pay/{page.Id}", page.Url);
        Assert.Equal(request.ExpiresAtUtc, page.ExpiresAtUtc, TimeSpan.FromSeconds(1));

        // The page lists what the order is made of, as Stripe's does.
        using var browser = app.CreateClient();
        var html = await (await browser.GetAsync(new Uri(page.Url!).PathAndQuery)).Content.ReadAsStringAsync();
        foreach (var text in new[] { "Oat milk (1 l)", "$9.00", "Bananas", "Tax", "Delivery", "$3.99", "Discount", "−$1.50", "$14.36" })
            Assert.Contains(text, html);

        var back = await ApiShopper.PayOnPspPageAsync(app, page.Url!, "4242424242424242");
        Assert.Equal($"{app.BaseAddress}payments/pay_1/return?redirect_status=succeeded&session_id={page.Id}", back.ToString());
        var paid = await Gateway.GetCheckoutAsync(page.Id, default);
        Assert.Equal(PspCheckoutStatus.Complete, paid.Status);
        var intent = await Gateway.GetIntentAsync(paid.IntentId!, default);
        Assert.Equal((PspIntentStatus.Authorized, Total(request), 0L), (intent.Status, intent.AmountCapturableMinor, intent.AmountReceivedMinor)); // held, not taken
        Assert.Equal(new PspPaymentRef("pay_1", 1), intent.For);

        // The pick takes less than is held: the rest is released at once; what was taken cannot be taken again.
        var taken = await Gateway.CaptureAsync(intent.Id, Total(request) - 500, "capture-" + Guid.NewGuid(), default);
        Assert.Equal((PspIntentStatus.Succeeded, Total(request) - 500, 0L), (taken.Status, taken.AmountReceivedMinor, taken.AmountCapturableMinor));
        var again = await Assert.ThrowsAsync<PaymentRefusedException>(() => Gateway.CaptureAsync(intent.Id, 100, "capture-" + Guid.NewGuid(), default));
        Assert.Contains("status of succeeded", again.Message);
    }

    [Fact]
    public async Task ACapture_AboveWhatIsHeld_IsRefused_AndTheSameKeyTwiceIsOneCapture()
    {
        var page = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        await ApiShopper.PayOnPspPageAsync(app, page.Url!, "4242424242424242");
        var intentId = (await Gateway.GetCheckoutAsync(page.Id, default)).IntentId!;

        var tooMuch = await Assert.ThrowsAsync<PaymentRefusedException>(() => Gateway.CaptureAsync(intentId, Total(Request()) + 1, "capture-" + Guid.NewGuid(), default));
        Assert.Contains("greater than the amount capturable", tooMuch.Message);
        var key = "capture-" + Guid.NewGuid();
        var first = await Gateway.CaptureAsync(intentId, 700, key, default);
        var repeat = await Gateway.CaptureAsync(intentId, 700, key, default); // a retry after a lost answer: the same capture
        Assert.Equal((PspIntentStatus.Succeeded, 700L), (repeat.Status, repeat.AmountReceivedMinor));
        Assert.Equal(first.AmountReceivedMinor, repeat.AmountReceivedMinor);

        // A hold released before the capture cannot be taken any more.
        var released = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        await ApiShopper.PayOnPspPageAsync(app, released.Url!, "4242424242424242");
        var releasedIntent = (await Gateway.GetCheckoutAsync(released.Id, default)).IntentId!;
        Assert.Equal(PspIntentStatus.Canceled, (await Gateway.CancelIntentAsync(releasedIntent, default)).Status);
        await Assert.ThrowsAsync<PaymentRefusedException>(() => Gateway.CaptureAsync(releasedIntent, 100, "capture-" + Guid.NewGuid(), default));
    }

    [Fact]
    public async Task ADeclinedCard_IsShownOnThePage_WhichStaysOpenForAnotherCard()
    {
        var page = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        using var browser = app.CreateClient();
        var path = new Uri(page.Url!).PathAndQuery;
        var declined = await Forms.PostAsync(browser, path, path, new Dictionary<string, string> { ["number"] = "4000000000000002", ["expiry"] = "12/34", ["cvc"] = "123" });
        Assert.Equal(HttpStatusCode.PaymentRequired, declined.StatusCode);
        Assert.Contains("Your card was declined.", await declined.Content.ReadAsStringAsync());
        var open = await Gateway.GetCheckoutAsync(page.Id, default);
        Assert.Equal(PspCheckoutStatus.Open, open.Status);
        var intentId = (await app.Services.GetRequiredService<SandboxPsp>().FindSessionAsync(page.Id, default))!.Value.Session.PaymentIntentId!;
        var failed = await Gateway.GetIntentAsync(intentId, default);
        Assert.Equal(PspIntentStatus.Failed, failed.Status);
        Assert.Equal("Your card was declined.", failed.FailureMessage);

        await ApiShopper.PayOnPspPageAsync(app, page.Url!, "4242424242424242");
        var paid = await Gateway.GetCheckoutAsync(page.Id, default);
        Assert.Equal(intentId, paid.IntentId);
        Assert.Equal(PspIntentStatus.Authorized, (await Gateway.GetIntentAsync(intentId, default)).Status);
    }

    [Fact]
    public async Task ThreeDSecureCard_RequiresAction_ThenApprovalSucceeds()
    {
        var page = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        var challenge = await ApiShopper.PayOnPspPageAsync(app, page.Url!, "4000002500003155");
        Assert.Equal($"/psp-sandbox/pay/{page.Id}/challenge", challenge.OriginalString);
        var intentId = (await app.Services.GetRequiredService<SandboxPsp>().FindSessionAsync(page.Id, default))!.Value.Session.PaymentIntentId!;
        var waiting = await Gateway.GetIntentAsync(intentId, default);
        Assert.Equal(PspIntentStatus.RequiresAction, waiting.Status);
        Assert.EndsWith("/challenge", waiting.RedirectUrl);

        await ApiShopper.AnswerChallengeAsync(app, page.Id, approve: true);
        Assert.Equal(PspIntentStatus.Authorized, (await Gateway.GetIntentAsync(intentId, default)).Status);
        Assert.Equal(PspCheckoutStatus.Complete, (await Gateway.GetCheckoutAsync(page.Id, default)).Status);
    }

    [Fact]
    public async Task PaymentPage_RefusesBadCardInput_WithoutTouchingTheSession()
    {
        var page = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        using var browser = app.CreateClient();
        foreach (var (number, expiry, cvc, message) in new[]
        {
            ("4242424242424241", "12/34", "123", "invalid"),
            ("4242424242424242", "01/20", "123", "expired"),
            ("4242424242424242", "13/34", "123", "MM/YY"),
            ("4242424242424242", "12/9999", "123", "MM/YY"),
            ("4242424242424242", "1/-2000", "123", "MM/YY"),
            ("4242424242424242", "12/34", "12", "security code"),
            ("5555555555554444", "12/34", "123", "test cards"),
        })
        {
            var path = new Uri(page.Url!).PathAndQuery;
            var answer = await Forms.PostAsync(browser, path, path, new Dictionary<string, string> { ["number"] = number, ["expiry"] = expiry, ["cvc"] = cvc });
            Assert.Equal(HttpStatusCode.BadRequest, answer.StatusCode);
            Assert.Contains(message, await answer.Content.ReadAsStringAsync());
        }
        var still = await Gateway.GetCheckoutAsync(page.Id, default);
        Assert.Equal(PspCheckoutStatus.Open, still.Status);
        Assert.Null(still.IntentId);
        Assert.Equal(HttpStatusCode.NotFound, (await browser.GetAsync("/psp-sandbox/pay/cs_unknown")).StatusCode);
    }

    [Fact]
    public async Task Refund_IsPendingThenSucceeds_AndCarriesOurKeyBack()
    {
        var page = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        await ApiShopper.PayOnPspPageAsync(app, page.Url!, "4242424242424242");
        var intentId = (await Gateway.GetCheckoutAsync(page.Id, default)).IntentId!;
        await Gateway.CaptureAsync(intentId, Total(Request()), "capture-" + Guid.NewGuid(), default); // only money taken can go back
        var ours = Guid.NewGuid();

        var refund = await Gateway.CreateRefundAsync(intentId, 1000, ours, "refund-" + ours, default);
        Assert.StartsWith("re_", refund.Id);
        Assert.Equal(ours, refund.LocalKey);
        Assert.Equal(intentId, refund.IntentId);
        await Eventually.Async(() => Gateway.GetRefundAsync(refund.Id, default), r => r.Status == RefundStatus.Succeeded, "the refund to settle");
        Assert.Single(await Gateway.ListRefundsAsync(intentId, default), r => r.Id == refund.Id && r.AmountMinor == 1000);

        // More than the charge has left: refused for good, which the gateway reports as a failed refund (owed again, looked at).
        var tooMuch = await Gateway.CreateRefundAsync(intentId, Total(Request()), Guid.NewGuid(), "refund-" + Guid.NewGuid(), default);
        Assert.Equal(RefundStatus.Failed, tooMuch.Status);
        Assert.Contains("greater than unrefunded amount", tooMuch.FailureReason);
    }

    [Fact]
    public async Task SandboxApi_WithoutTheAppsKey_Is401AndCreatesNothing()
    {
        var before = await SessionCountAsync();
        foreach (var auth in new[] { null, "Bearer sk_test_qcommerce_sandbox", "Bearer sk_live_guess" })
        {
            using var request = new HttpRequestMessage(HttpMethod.Post, "/psp-sandbox/v1/checkout/sessions")
            {
                Content = new FormUrlEncodedContent(new Dictionary<string, string>
                {
                    ["mode"] = "payment", ["success_url"] = "http://127.0.0.1/ok", ["line_items[0][quantity]"] = "1",
                    ["line_items[0][price_data][currency]"] = "usd", ["line_items[0][price_data][unit_amount]"] = "1000",
                    ["line_items[0][price_data][product_data][name]"] = "Milk",
                }),
            };
            if (auth is not null) request.Headers.TryAddWithoutValidation("Authorization", auth);
            var response = await app.CreateClient().SendAsync(request);
            Assert.Equal(HttpStatusCode.Unauthorized, response.StatusCode);
            Assert.Contains("\"error\"", await response.Content.ReadAsStringAsync());
        }
        Assert.Equal(before, await SessionCountAsync());
    }

    [Fact]
    public async Task IdempotencyKey_TheSameKeyIsTheSamePage_AnotherBodyIsRefused()
    {
        var key = "key-" + Guid.NewGuid();
        var first = await Gateway.CreateCheckoutAsync(Request(), key, default);
        var again = await Gateway.CreateCheckoutAsync(Request(), key, default);
        var other = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        Assert.Equal(first.Id, again.Id);
        Assert.NotEqual(first.Id, other.Id);
        var mismatch = await Assert.ThrowsAsync<Stripe.StripeException>(() => Gateway.CreateCheckoutAsync(Request(fee: 0), key, default));
        Assert.Equal("idempotency_error", mismatch.StripeError.Type);
    }

    [Fact]
    public async Task AFailedAnswer_IsRetriedWithTheSameKey_AndMakesOnePage()
    {
        var key = "key-" + Guid.NewGuid();
        var before = await SessionCountAsync();
        Faults.FailRequests = 1;
        var page = await Gateway.CreateCheckoutAsync(Request(), key, default);
        Assert.StartsWith("cs_", page.Id);
        Assert.Equal(before + 1, await SessionCountAsync());
        Assert.Equal(1, await IdempotentAnswersAsync(key));
    }

    [Fact]
    public async Task ATimeout_IsRetriedWithTheSameKey_AndGetsThePageTheFirstCallMade()
    {
        var key = "key-" + Guid.NewGuid();
        var request = Request(discount: 100);
        var before = await SessionCountAsync();
        Faults.SlowBy = TimeSpan.FromSeconds(3); // the adapter gives up after 2 s in tests
        Faults.SlowRequests = 1;
        var page = await Gateway.CreateCheckoutAsync(request, key, default);
        Assert.Equal(before + 1, await SessionCountAsync());
        Assert.Equal(page.Id, (await Gateway.CreateCheckoutAsync(request, key, default)).Id);
        // The discount's coupon rides on a key of its own: one coupon, however often it is asked for.
        await using var db = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync();
        Assert.Equal(1, await db.IdempotentResponses.CountAsync(r => r.Key == key + "-discount"));
    }

    [Fact]
    public async Task AnOutage_BecomesPaymentProviderUnavailable()
    {
        Faults.FailRequests = 10;
        await Assert.ThrowsAsync<PaymentProviderUnavailableException>(() => Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default));
    }

    [Fact]
    public async Task Expire_ClosesAnOpenPage_AndReportsAPaidOneAsItIs()
    {
        var waiting = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        Assert.Equal(PspCheckoutStatus.Expired, (await Gateway.ExpireCheckoutAsync(waiting.Id, default)).Status);
        using var browser = app.CreateClient();
        Assert.Contains("expired", await (await browser.GetAsync(new Uri(waiting.Url!).PathAndQuery)).Content.ReadAsStringAsync());

        var paid = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        await ApiShopper.PayOnPspPageAsync(app, paid.Url!, "4242424242424242");
        var stillPaid = await Gateway.ExpireCheckoutAsync(paid.Id, default);
        Assert.Equal(PspCheckoutStatus.Complete, stillPaid.Status);
        Assert.Equal(PspIntentStatus.Canceled, (await Gateway.CancelIntentAsync(stillPaid.IntentId!, default)).Status); // a hold is released
        Assert.Equal(PspIntentStatus.Canceled, (await Gateway.CancelIntentAsync(stillPaid.IntentId!, default)).Status); // and stays so
        await Assert.ThrowsAsync<PspObjectMissingException>(() => Gateway.GetIntentAsync("pi_unknown", default));
        await Assert.ThrowsAsync<PspObjectMissingException>(() => Gateway.GetCheckoutAsync("cs_unknown", default));
    }

    [Fact]
    public async Task PspOutage_Answers503_AndTheOrderStaysPayable()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync();
        Faults.FailRequests = 10;
        var outage = await shopper.StartPaymentAsync(orderId);
        var problem = await ApiShopper.JsonAsync(outage, HttpStatusCode.ServiceUnavailable);
        Assert.Contains("try again", problem.GetProperty("detail").GetString());
        Assert.NotNull(outage.Headers.RetryAfter);
        Assert.Equal("pendingPayment", (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString());

        Faults.Reset();
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        Assert.Equal(1, started.GetProperty("attempt").GetInt32());
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, "4242424242424242");
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paid", "the order to be paid");
    }

    [Fact]
    public async Task LostWebhooks_ReconciliationStillEndsHeldAndPaid()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 33);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        var paymentId = started.GetProperty("paymentId").GetString();
        Faults.LoseWebhooks = true;
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, "4242424242424242");
        Assert.Equal("initiated", (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("status").GetString());

        Assert.True(await app.Services.GetRequiredService<PaymentReconciliation>().RunOnceAsync() >= 1);

        Assert.Equal("authorized", (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("status").GetString());
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paid", "the order to be paid");

        // Picked and charged with its webhooks still lost (the capture's own answer says so), then cancelled: a refund whose
        // webhooks are lost too is settled by the next reconciliation.
        var id = int.Parse(orderId[2..], System.Globalization.CultureInfo.InvariantCulture);
        await Fulfillment.FulfillmentServiceTests.PickAndChargeAsync(app, id);
        await app.Services.GetRequiredService<Core.Ordering.StaffOrderService>().CancelAsync(TestStaff.Admin, id, "the rider never came");
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("refunds").GetArrayLength(), n => n == 1, "the refund to be asked for");
        var intent = (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("pspReference").GetString()!;
        await Eventually.Async(() => Gateway.ListRefundsAsync(intent, default), r => r.Count == 1 && r[0].Status == RefundStatus.Succeeded, "the PSP to make and settle the refund");
        await app.Services.GetRequiredService<PaymentReconciliation>().RunOnceAsync();
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "refunded", "the order to be refunded");
    }

    [Fact]
    public async Task AChangeAskedAsTheShopperPays_IsRefused_AndTheMoneyHeldStaysHeld()
    {
        // The shopper pays on the page while their webhook is still on its way (here: lost), and changes the order from
        // another tab: the change finds the PaymentIntent paid, records it, and leaves it alone (cancelling it would release
        // the money the order is now paid with).
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 36);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        var paymentId = started.GetProperty("paymentId").GetString();
        Faults.LoseWebhooks = true;
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, "4242424242424242");
        Assert.Equal("initiated", (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("status").GetString());

        var change = await shopper.Http.PutAsync($"/v1/orders/{orderId}", System.Net.Http.Json.JsonContent.Create(new
        {
            items = new object[] { new { skuId = $"sku_{skus[0]}", qty = 5 } },
        }));
        var problem = await ApiShopper.JsonAsync(change, HttpStatusCode.Conflict);
        Assert.Contains("paid", problem.GetProperty("detail").GetString());
        Assert.Equal("authorized", (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("status").GetString());
        var intent = (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("pspReference").GetString()!;
        Assert.Equal(PspIntentStatus.Authorized, (await Gateway.GetIntentAsync(intent, default)).Status);
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paid", "the order to be paid");
        Assert.Equal(2, (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("items").GetArrayLength()); // unchanged
    }

    [Fact]
    public async Task Reconciliation_APaymentThePspDoesNotKnow_IsSkippedAndLogged_AndTheOthersAreStillSettled()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        // One payment whose PaymentIntent the PSP has never heard of (another account, a deleted test object)...
        var (unknownOrder, _) = await shopper.PlaceOrderAsync(skuOffset: 90);
        var unknown = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(unknownOrder), HttpStatusCode.Created);
        var unknownId = int.Parse(unknown.GetProperty("paymentId").GetString()![4..], System.Globalization.CultureInfo.InvariantCulture);
        await using (var db = app.Database.CreateContext())
            await db.PaymentAttempts.Where(a => a.PaymentId == unknownId).ExecuteUpdateAsync(a => a.SetProperty(x => x.PspReference, "pi_gone_" + unknownId));
        // ...and one paid at the PSP whose webhooks were lost, asked about after it.
        var (paidOrder, _) = await shopper.PlaceOrderAsync(skuOffset: 93);
        var paid = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(paidOrder), HttpStatusCode.Created);
        Faults.LoseWebhooks = true;
        await ApiShopper.PayOnPspPageAsync(app, paid.GetProperty("nextAction").GetProperty("url").GetString()!, "4242424242424242");
        var mark = app.Logs.Mark;

        await app.Services.GetRequiredService<PaymentReconciliation>().RunOnceAsync();

        Assert.Equal("authorized", (await shopper.GetAsync($"/v1/payments/{paid.GetProperty("paymentId").GetString()}")).GetProperty("status").GetString());
        Assert.Equal("initiated", (await shopper.GetAsync($"/v1/payments/{unknown.GetProperty("paymentId").GetString()}")).GetProperty("status").GetString());
        Assert.Contains(app.Logs.Since(mark), e => e.Level == Microsoft.Extensions.Logging.LogLevel.Warning && e.Message.Contains($"pay_{unknownId}")
            && e.Message.Contains("does not know"));
    }

    [Fact]
    public async Task Reconciliation_APaymentTheShopperHasNotFinished_LogsNoLostWebhookWarning()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 96);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        var paymentId = started.GetProperty("paymentId").GetString()!;
        var mark = app.Logs.Mark;

        await app.Services.GetRequiredService<PaymentReconciliation>().RunOnceAsync();

        // The PSP says "waiting for the shopper" (requires action): news, not a lost webhook.
        Assert.DoesNotContain(app.Logs.Since(mark), e => e.Message.Contains(paymentId) && e.Message.Contains("lost"));
        Assert.NotEqual("captured", (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ARefundMadeAtThePsp_WithItsWebhooksLost_IsRecordedByReconciliation()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 36);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        var paymentId = started.GetProperty("paymentId").GetString();
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, "4242424242424242");
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paid", "the order to be paid");
        await Fulfillment.FulfillmentServiceTests.PickAndChargeAsync(app, int.Parse(orderId[2..], System.Globalization.CultureInfo.InvariantCulture));

        Faults.LoseWebhooks = true;
        var intent = (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("pspReference").GetString()!;
        var refundId = await app.Services.GetRequiredService<SandboxPsp>().RefundFromDashboardAsync(intent, 300, default);
        await Eventually.Async(() => Gateway.GetRefundAsync(refundId, default), r => r.Status == RefundStatus.Succeeded, "the PSP to settle the refund");
        Assert.Equal(0, (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("refunds").GetArrayLength());

        Assert.True(await app.Services.GetRequiredService<PaymentReconciliation>().RunOnceAsync() >= 1);

        var payment = await shopper.GetAsync($"/v1/payments/{paymentId}");
        Assert.Equal(300, payment.GetProperty("refunded").GetProperty("value").GetInt64());
        Assert.Equal("succeeded", Assert.Single(payment.GetProperty("refunds").EnumerateArray()).GetProperty("status").GetString());
        Assert.Equal("captured", payment.GetProperty("status").GetString());
        // A second run finds nothing new.
        await app.Services.GetRequiredService<PaymentReconciliation>().RunOnceAsync();
        Assert.Equal(300, (await shopper.GetAsync($"/v1/payments/{paymentId}")).GetProperty("refunded").GetProperty("value").GetInt64());
    }

    [Fact]
    public async Task SandboxState_IsInItsFile_SoAnotherProcessSeesIt()
    {
        var page = await Gateway.CreateCheckoutAsync(Request(), "key-" + Guid.NewGuid(), default);
        await ApiShopper.PayOnPspPageAsync(app, page.Url!, "4242424242424242");

        // A sandbox built afresh over the same file, as after a restart.
        var path = app.Services.GetRequiredService<Microsoft.Extensions.Configuration.IConfiguration>()["Payments:Sandbox:DataPath"];
        var contexts = new PooledDbContextFactory<PspSandboxDbContext>(new DbContextOptionsBuilder<PspSandboxDbContext>().UseSqlite($"Data Source={path}").Options);
        var restarted = new SandboxPsp(contexts, new SandboxWebhookSignal(), new SandboxDueSignal(), new SandboxFaults(), new SandboxSettings(), TimeProvider.System);
        var found = await restarted.FindSessionAsync(page.Id, default);
        Assert.Equal("complete", found!.Value.Session.Status);
        Assert.Equal("requires_capture", found.Value.Intent!.Status);
        await using var db = await contexts.CreateDbContextAsync();
        Assert.True(await db.Webhooks.AnyAsync(w => w.Payload.Contains(page.Id) && w.Type == "checkout.session.completed"));
    }

    [Fact]
    public async Task ARefusedWebhook_IsRetriedWithBackoff_UntilTheShopAnswers2xx()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 39);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        var page = new Uri(started.GetProperty("nextAction").GetProperty("url").GetString()!).Segments[^1];
        Faults.SignWebhooksWrongly = true;
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, "4242424242424242");

        var sandbox = app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>();
        async Task<SandboxWebhook> WebhookAsync()
        {
            await using var db = await sandbox.CreateDbContextAsync();
            return await db.Webhooks.AsNoTracking().SingleAsync(w => w.Type == "checkout.session.completed" && w.Payload.Contains(page));
        }
        var refused = await Eventually.Async(WebhookAsync, w => w.Attempts >= 1, "the first delivery");
        Assert.Equal(400, refused.LastStatus);
        Assert.Null(refused.DeliveredAtUtc);
        Assert.True(refused.NextAttemptAtUtc > DateTime.UtcNow.AddMilliseconds(-200), "the retry waits");
        Assert.Equal("pendingPayment", (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString());

        Faults.SignWebhooksWrongly = false;
        var delivered = await Eventually.Async(WebhookAsync, w => w.DeliveredAtUtc is not null, "a later delivery to succeed");
        Assert.Equal(200, delivered.LastStatus);
        Assert.True(delivered.Attempts >= 2);
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paid", "the order to be paid");
    }
}
