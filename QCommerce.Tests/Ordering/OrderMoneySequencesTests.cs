using System.Net;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Tests.Fulfillment;
using QCommerce.Web.Payments.Sandbox;

namespace QCommerce.Tests.Ordering;

/// <summary>
/// The sequences a probe of the money found wrong (issue 21), and the hold before the capture (issue 22), each as staff and the PSP would play it over /v1/ops and the
/// webhook, on the real app, each provider and the sandbox PSP: every one must end with money that adds up (nothing given
/// back twice, refunded never above captured, the PSP's refunds ours) and a shopper's timeline that says exactly what went back.
/// </summary>
public abstract class OrderMoneySequencesTests(QCommerceApp app)
{
    private Task<ApiShopper> AdminAsync() => ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);

    private string Secret => app.Services.GetRequiredService<IOptions<PaymentsOptions>>().Value.Stripe.WebhookSecret;

    private static async Task<JsonElement> OkAsync(Task<HttpResponseMessage> call, HttpStatusCode expected = HttpStatusCode.OK) =>
        await ApiShopper.JsonAsync(await call, expected);

    private static Task<HttpResponseMessage> RefundAsync(ApiShopper admin, int orderId, object body) =>
        admin.PostAsync($"/v1/ops/orders/o_{orderId}/refunds", body, Guid.NewGuid().ToString());

    private async Task<(Order Order, Payment Payment)> ReadAsync(int orderId)
    {
        await using var db = app.Database.CreateContext();
        return (await db.Orders.AsNoTracking().Include(o => o.Lines).Include(o => o.Events).AsSplitQuery().SingleAsync(o => o.Id == orderId),
            await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == orderId));
    }

    /// <summary>Waits until every refund of the order is settled at the PSP and here, then checks that the money adds up.</summary>
    private async Task<(Order Order, Payment Payment)> SettledAsync(int orderId)
    {
        await Eventually.Async(() => ReadAsync(orderId), s => s.Order.RefundPendingMinor == 0 && s.Payment.Refunds.All(r => r.Status != RefundStatus.Pending),
            "the order's refunds to settle");
        var (order, payment) = await ReadAsync(orderId);
        Assert.True(order.RefundedMinor <= order.CapturedMinor);
        Assert.Equal(payment.Refunds.Where(r => r.Status == RefundStatus.Succeeded).Sum(r => r.AmountMinor), order.RefundedMinor);
        Assert.Equal(order.RefundedMinor, payment.RefundedMinor);
        Assert.Equal(order.RefundedMinor, order.Events.Where(e => !e.StaffOnly).Sum(e => e.RefundMinor ?? 0)); // the timeline tells it all, no more
        await using var psp = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync();
        var intent = payment.CapturedAttempt!.PspReference!;
        Assert.Equal(order.RefundedMinor, await psp.Refunds.Where(r => r.PaymentIntentId == intent && r.Status == "succeeded").SumAsync(r => r.Amount));
        Assert.All(order.Lines, l => Assert.True(l.RefundedMinor <= l.ShareMinor));
        return (order, payment);
    }

    [Fact]
    public async Task ARefundBeforeTheCapture_Is409_AndAShortPickIsChargedLess_NeverRefunded()
    {
        var (shopper, id, skus) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 130);
        var admin = await AdminAsync();
        await OkAsync(admin.PostAsync($"/v1/ops/orders/o_{id}/start-picking", null, null));
        var (placed, _) = await ReadAsync(id);
        var lineA = placed.Lines.Single(l => l.SkuId == skus[0]);

        // Nothing was charged yet: there is nothing to give back, and nothing moves.
        var early = await OkAsync(RefundAsync(admin, id, new { lines = new[] { new { skuId = $"sku_{skus[0]}", qty = 2 } }, restock = false, reason = "Bruised" }),
            HttpStatusCode.Conflict);
        Assert.Contains("only held on the card", early.GetProperty("detail").GetString());
        Assert.All((await ReadAsync(id)).Order.Lines, l => Assert.Equal(0, l.RefundedQuantity));

        var picked = await OkAsync(admin.PostAsync($"/v1/ops/orders/o_{id}/pick",
            new { lines = new[] { new { skuId = $"sku_{skus[0]}", pickedQty = 0 }, new { skuId = $"sku_{skus[1]}", pickedQty = 1 } } }, null));

        Assert.Equal(0, picked.GetProperty("refund").GetProperty("value").GetInt64());
        Assert.Equal(placed.TotalMinor - lineA.ShareMinor, picked.GetProperty("charge").GetProperty("value").GetInt64()); // A's goods, discount and tax never charged
        var charged = await FulfillmentServiceTests.ChargedAsync(app, id);
        var (order, payment) = await SettledAsync(id);
        Assert.Equal((placed.TotalMinor - lineA.ShareMinor, lineA.ShareMinor, 0L), (order.CapturedMinor, order.HoldReleasedMinor, order.RefundedMinor));
        Assert.Equal(order.CapturedMinor, order.TotalMinor); // what ships costs what was taken
        Assert.Empty(payment.Refunds);
        Assert.Equal(2, order.Lines.Single(l => l.SkuId == skus[0]).ShortQuantity);
        var seen = await shopper.GetAsync($"/v1/orders/o_{id}"); // what the shopper's app reads
        Assert.Equal(0L, seen.GetProperty("refunded").GetProperty("value").GetInt64());
        Assert.Equal(charged.TotalMinor, seen.GetProperty("totals").GetProperty("total").GetProperty("value").GetInt64());
    }

    [Fact]
    public async Task AnAmountRefunded_ThenUnitsRefunded_GivesBackOnlyWhatIsLeft_AndTheTimelineSaysSo()
    {
        var (shopper, id, skus) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 132);
        var admin = await AdminAsync();
        var captured = (await ReadAsync(id)).Order.CapturedMinor;
        await OkAsync(RefundAsync(admin, id, new { amount = captured - 100, reason = "Very late" }), HttpStatusCode.Created);
        await SettledAsync(id);

        var units = await OkAsync(RefundAsync(admin, id, new { lines = new[] { new { skuId = $"sku_{skus[0]}", qty = 2 } }, restock = false, reason = "Bruised" }),
            HttpStatusCode.Created);

        Assert.Equal(100, units.GetProperty("amount").GetProperty("value").GetInt64()); // the $1.00 left, not the units' worth
        var (order, _) = await SettledAsync(id);
        Assert.Equal(captured, order.RefundedMinor);
        var timeline = (await shopper.GetAsync($"/v1/orders/o_{id}")).GetProperty("timeline").ToString();
        Assert.Contains("Refunding $1.00 for 2 ", timeline);
        Assert.Contains("(the rest of what they cost was given back before)", timeline);
        Assert.DoesNotContain("the difference is refunded", timeline);
    }

    [Fact]
    public async Task ARefundAboveWhatIsLeft_Is422_AndNothingMoves()
    {
        var (_, id, _) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 134);
        var admin = await AdminAsync();
        var captured = (await ReadAsync(id)).Order.CapturedMinor;

        var problem = await OkAsync(RefundAsync(admin, id, new { amount = captured + 1, reason = "Too much" }), HttpStatusCode.UnprocessableEntity);

        Assert.True(problem.GetProperty("errors").TryGetProperty("amount", out _));
        var (order, payment) = await ReadAsync(id);
        Assert.Equal((0L, 0L), (order.RefundedMinor, order.RefundPendingMinor));
        Assert.Empty(payment.Refunds);
    }

    private async Task SendAsync(string type, JsonObject data, HttpStatusCode expected = HttpStatusCode.OK)
    {
        var json = new JsonObject
        {
            ["id"] = $"evt_seq_{Guid.NewGuid():N}", ["object"] = "event", ["api_version"] = "2026-10-28.endive",
            ["created"] = DateTimeOffset.UtcNow.ToUnixTimeSeconds(), ["livemode"] = false, ["type"] = type, ["data"] = new JsonObject { ["object"] = data },
        }.ToJsonString();
        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/webhooks/psp") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        request.Headers.TryAddWithoutValidation("Stripe-Signature", Stripe.EventUtility.GenerateSignatureHeader(json, Secret, DateTimeOffset.UtcNow.ToUnixTimeSeconds()));
        using var http = app.CreateClient();
        Assert.Equal(expected, (await http.SendAsync(request)).StatusCode);
    }

    private static JsonObject Refund(string id, string intent, long amount, string status) => new()
    {
        ["id"] = id, ["object"] = "refund", ["amount"] = amount, ["currency"] = "usd", ["payment_intent"] = intent, ["status"] = status, ["metadata"] = new JsonObject(),
    };

    /// <summary>A succeeded PaymentIntent paying <paramref name="paymentId"/>, named in its metadata as ours are.</summary>
    private static JsonObject Intent(string id, long amount, string paymentId) => new()
    {
        ["id"] = id, ["object"] = "payment_intent", ["amount"] = amount, ["amount_received"] = amount, ["currency"] = "usd", ["status"] = "succeeded",
        ["metadata"] = new JsonObject { ["payment_id"] = paymentId, ["attempt"] = "1" },
    };

    [Fact]
    public async Task ARefundEvent_BeforeTheSuccessEvent_IsRefusedUntilTheCapture_AndEndsWhereInOrderWould()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: 136);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        var paymentId = started.GetProperty("paymentId").GetString()!;
        var intent = $"pi_early{Guid.NewGuid():N}";
        var amount = started.GetProperty("amount").GetProperty("value").GetInt64();
        int OnHand() { using var db = app.Database.CreateContext(); return db.Stock.Single(s => s.StoreId == Demo.Midtown && s.SkuId == skus[0]).OnHand; }
        var before = OnHand();

        // The PSP refunded it in full (its dashboard) and the refund's event overtook the payment's: refused for now, nothing
        // stored, as it could be a forgery; the PSP sends it again (Stripe retries for days), and after the capture it counts.
        var refund = Refund($"re_early_{Guid.NewGuid():N}"[..24], intent, amount, "succeeded");
        await SendAsync("refund.updated", refund, HttpStatusCode.BadRequest);
        await SendAsync("payment_intent.succeeded", Intent(intent, amount, paymentId));
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paid", "the capture");
        await SendAsync("refund.updated", refund.DeepClone().AsObject());

        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "refunded",
            "the order to end refunded, as if the events had come in order");
        var id = FulfillmentServiceTests.Number(orderId);
        var (order, payment) = await ReadAsync(id);
        Assert.Equal((amount, amount, PaymentStatus.Refunded), (order.CapturedMinor, order.RefundedMinor, payment.Status));
        Assert.Equal(before, OnHand()); // taken at the capture, back at the close: never picked
        Assert.Equal(ReservationStatus.Released, order.ReservationStatus);
        Assert.NotNull(order.MoneyReviewNote);
    }

    [Fact]
    public async Task ARefundWeNeverAskedFor_Pending_IsNoPromise_StaffCanStillRefund_AndImpossibleAmountsAre400_TheirSumIncluded()
    {
        var (_, id, _) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 138);
        var (order, payment) = await ReadAsync(id);
        var intent = payment.CapturedAttempt!.PspReference!;
        var stored = await StoredEventsAsync();

        await SendAsync("refund.updated", Refund($"re_pend_{Guid.NewGuid():N}"[..24], intent, order.CapturedMinor, "pending"));
        await SendAsync("refund.updated", Refund($"re_huge_{Guid.NewGuid():N}"[..24], intent, order.CapturedMinor * 10, "succeeded"), HttpStatusCode.BadRequest);
        await SendAsync("refund.updated", Refund($"re_neg_{Guid.NewGuid():N}"[..24], intent, -500, "succeeded"), HttpStatusCode.BadRequest);
        await SendAsync("refund.updated", Refund($"re_zero_{Guid.NewGuid():N}"[..24], intent, 0, "succeeded"), HttpStatusCode.BadRequest);
        await SendAsync("payment_intent.succeeded", new JsonObject
        {
            ["id"] = intent, ["object"] = "payment_intent", ["amount"] = -1, ["amount_received"] = -1, ["currency"] = "usd", ["status"] = "succeeded",
        }, HttpStatusCode.BadRequest);

        // Refunds made at the PSP that add up to more than the charge, each below it: the one that would go over is refused.
        var part = order.CapturedMinor * 2 / 3;
        await SendAsync("refund.updated", Refund($"re_one_{Guid.NewGuid():N}"[..24], intent, part, "succeeded"));
        await SendAsync("refund.updated", Refund($"re_two_{Guid.NewGuid():N}"[..24], intent, part, "succeeded"), HttpStatusCode.BadRequest);
        Assert.Equal(stored + 2, await StoredEventsAsync()); // the pending one for the record, and the first of the two
        (order, payment) = await Eventually.Async(() => ReadAsync(id), s => s.Order.RefundedMinor == part, "the PSP's refund on the order");
        Assert.Single(payment.Refunds, r => r.Unasked); // a pending refund nobody here asked for is no promise of ours: only the settled one
        Assert.Equal(0L, order.RefundPendingMinor);
        var admin = await AdminAsync();
        await OkAsync(RefundAsync(admin, id, new { amount = 250, reason = "Late" }), HttpStatusCode.Created); // staff refunds still work
        await Eventually.Async(() => ReadAsync(id), s => s.Order.RefundPendingMinor == 0 && s.Payment.Refunds.All(r => r.Status != RefundStatus.Pending), "our refund to settle");
        (order, payment) = await ReadAsync(id);
        Assert.Equal(part + 250, order.RefundedMinor);
        Assert.Equal(payment.Refunds.Where(r => r.Status == RefundStatus.Succeeded).Sum(r => r.AmountMinor), order.RefundedMinor);
    }

    [Fact]
    public async Task ARefundOfAPaymentIntentThatFailed_IsRefused_AndCountsNowhere()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 140);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, "4000 0000 0000 0002");
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paymentFailed", "the decline");
        var intent = (await shopper.GetAsync($"/v1/payments/{started.GetProperty("paymentId").GetString()}")).GetProperty("pspReference").GetString()!;

        await SendAsync("refund.updated", Refund($"re_dead_{Guid.NewGuid():N}"[..24], intent, 300, "succeeded"), HttpStatusCode.BadRequest);

        var (order, payment) = await ReadAsync(FulfillmentServiceTests.Number(orderId));
        Assert.Empty(payment.Refunds);
        Assert.Equal(0, order.RefundedMinor);
    }

    [Fact]
    public async Task AStaffRefundThePspRefuses_IsOwedAgain_AndTheDashboardsRefundCountsOnce()
    {
        var (_, id, _) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 142);
        var (order, payment) = await ReadAsync(id);
        var faults = app.Services.GetRequiredService<SandboxFaults>();
        string dashboard;
        // Refunded in full at the PSP's dashboard, its news lost on the way: the shop does not know yet.
        faults.LoseWebhooks = true;
        try
        {
            dashboard = await app.Services.GetRequiredService<SandboxPsp>().RefundFromDashboardAsync(payment.CapturedAttempt!.PspReference!, order.CapturedMinor, default);
            var admin = await AdminAsync();
            await OkAsync(RefundAsync(admin, id, new { amount = 500, reason = "Late" }), HttpStatusCode.Created);

            // The PSP refuses ours (nothing is left there): it fails, is owed again, and a person is asked to look.
            (order, payment) = await Eventually.Async(() => ReadAsync(id), s => s.Payment.Refunds.Any(r => r.Status == RefundStatus.Failed) && s.Order.RefundPendingMinor == 0,
                "the PSP to refuse our refund");
            Assert.Equal(0, order.RefundedMinor);
            Assert.NotNull(order.MoneyReviewNote);
        }
        finally
        {
            faults.LoseWebhooks = false;
        }

        // Reconciliation reads the PSP's event log: the dashboard's refund arrives, counts once, and closes the order. It
        // reads it once the PSP settled it (its event log has only "pending" before, which is no money yet).
        await Eventually.Async(() => app.Services.GetRequiredService<IPaymentGateway>().GetRefundAsync(dashboard, default), r => r.Status == RefundStatus.Succeeded,
            "the dashboard's refund to settle at the PSP");
        await app.Services.GetRequiredService<PaymentReconciliation>().RunOnceAsync();
        await Eventually.Async(() => ReadAsync(id), s => s.Order.Status == OrderStatus.Refunded, "the dashboard's refund to reach the order");
        (order, _) = await SettledAsync(id);
        Assert.Equal((order.CapturedMinor, OrderStatus.Refunded), (order.RefundedMinor, order.Status));
    }

    private async Task<int> StoredEventsAsync()
    {
        await using var db = app.Database.CreateContext();
        return await db.PspEvents.CountAsync();
    }
}

public sealed class SqliteOrderMoneySequencesTests(SqliteApp app) : OrderMoneySequencesTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresOrderMoneySequencesTests(PostgresApp app) : OrderMoneySequencesTests(app), IClassFixture<PostgresApp>;
