using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Http;
using QCommerce.Core.Webhooks;
using QCommerce.Tests.Fulfillment;

namespace QCommerce.Tests.Webhooks;

/// <summary>
/// An integrator's day on the running app, over HTTP, on the wall clock (so the Standard Webhooks library's own
/// <c>Verify</c>, timestamp check included, judges every delivery): register through <c>/v1/ops/webhooks</c>, hear every step
/// of an order in order, rotate the secret, replay what failed while their server was down, and be refused where they should.
/// </summary>
public sealed class WebhooksApiTests(WebhooksApiTests.App app) : IClassFixture<WebhooksApiTests.App>, IAsyncLifetime
{
    /// <summary>The app with its first retry an hour away: what is sent again here is sent by the test's replay, never by the schedule.</summary>
    public sealed class App() : QCommerceApp(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Webhooks:RetrySchedule:0"] = "01:00:00" });

    private WebhookReceiver _receiver = null!;

    public async Task InitializeAsync() => _receiver = await WebhookReceiver.StartAsync();

    public async Task DisposeAsync() => await _receiver.DisposeAsync();

    private Task<ApiShopper> AdminAsync() => ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);

    private async Task<(string Id, string Secret)> RegisterAsync(ApiShopper admin, string name, params string[] types)
    {
        var made = await ApiShopper.JsonAsync(await admin.PostAsync("/v1/ops/webhooks",
            new { url = _receiver.Url(name).ToString(), description = $"{name} (rider fleet)", eventTypes = types.Length == 0 ? WebhookEvents.All.Select(e => e.Type).ToArray() : types },
            null), HttpStatusCode.Created);
        return (made.GetProperty("endpoint").GetProperty("id").GetString()!, made.GetProperty("secret").GetString()!);
    }

    private IReadOnlyList<ReceivedWebhook> OfOrder(string name, int orderId) =>
        _receiver.At(name).Where(r => r.Data.TryGetProperty("order", out var o) && o.GetString() == $"o_{orderId}").ToList();

    [Fact]
    public async Task AnIntegrator_HearsEveryStepOfAnOrder_InOrder_EachVerifiedByTheStandardWebhooksLibrary()
    {
        var admin = await AdminAsync();
        var (endpoint, secret) = await RegisterAsync(admin, "fleet");
        Assert.StartsWith("whsec_", secret);
        var shown = await admin.GetAsync($"/v1/ops/webhooks/{endpoint}");
        Assert.DoesNotContain(secret, shown.GetRawText()); // shown once: never again
        Assert.False(shown.TryGetProperty("secret", out _));

        var (_, id, skus) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 140);
        var path = $"/v1/ops/orders/o_{id}";
        await ApiShopper.JsonAsync(await admin.PostAsync($"{path}/start-picking", null, null), HttpStatusCode.OK);
        await ApiShopper.JsonAsync(await admin.PostAsync($"{path}/pick",
            new { lines = new object[] { new { skuId = $"sku_{skus[0]}", pickedQty = 1 }, new { skuId = $"sku_{skus[1]}", pickedQty = 1 } } }, null), HttpStatusCode.OK);
        await FulfillmentServiceTests.ChargedAsync(app, id);
        await ApiShopper.JsonAsync(await admin.PostAsync($"{path}/dispatch", new { riderName = "Sam" }, null), HttpStatusCode.OK);
        await ApiShopper.JsonAsync(await admin.PostAsync($"{path}/deliver", new { }, null), HttpStatusCode.OK);

        var steps = await Eventually.Async(() => Task.FromResult(OfOrder("fleet", id)), s => s.Any(r => r.Type == "order.delivered"), "the order's delivery to be told");
        Assert.Equal(["order.placed", "payment.held", "order.status_changed", "order.status_changed", "order.picked", "payment.captured", "order.changed",
            "order.dispatched", "order.delivered"],
            steps.Select(s => s.Type));
        Assert.All(steps, s => Assert.True(s.VerifiesWith(secret), $"{s.Type} {s.Id} verifies"));
        Assert.Equal(steps.Select(s => s.Sequence).Order(), steps.Select(s => s.Sequence)); // in order, and the sequence says so
        Assert.Equal(steps.Count, steps.Select(s => s.Id).Distinct().Count());
        Assert.Equal(("paid", "pendingPayment"), (steps[2].Data.GetProperty("status").GetString(), steps[2].Data.GetProperty("previousStatus").GetString()));
        Assert.Equal("picking", steps[3].Data.GetProperty("status").GetString());
        var lines = steps[4].Data.GetProperty("lines").EnumerateArray().ToList();
        var shortLine = lines.Single(l => l.GetProperty("sku").GetString() == $"sku_{skus[0]}");
        Assert.Equal((2, 1, 1), (shortLine.GetProperty("ordered").GetInt32(), shortLine.GetProperty("picked").GetInt32(), shortLine.GetProperty("short").GetInt32()));
        Assert.Equal("USD", steps[5].Data.GetProperty("amount").GetProperty("currency").GetString());
        // No personal data leaves with a webhook.
        Assert.All(steps, s => Assert.DoesNotContain("42nd", s.Body));
        Assert.All(steps, s => Assert.DoesNotContain("@", s.Body));

        var log = await admin.GetAsync($"/v1/ops/webhooks/{endpoint}/deliveries?pageSize=100");
        var items = log.GetProperty("items").EnumerateArray().Where(d => d.GetProperty("subject").GetString() == $"o_{id}").ToList();
        Assert.Equal(9, items.Count);
        Assert.All(items, d => Assert.Equal(("delivered", 200), (d.GetProperty("state").GetString(), d.GetProperty("lastStatus").GetInt32())));
        Assert.All(items, d => Assert.True(d.GetProperty("lastLatencyMs").GetInt32() >= 0));
        var detail = await admin.GetAsync($"/v1/ops/webhooks/{endpoint}/deliveries/{items[0].GetProperty("id").GetInt64()}");
        Assert.Equal(steps[^1].Body, detail.GetProperty("payload").GetString());
        Assert.Equal(1, detail.GetProperty("attempts").GetArrayLength());
    }

    [Fact]
    public async Task WhatFailedWhileTheReceiverWasDown_IsSentAgainFromTheLog_AndARotatedSecretVerifiesDuringItsOverlap()
    {
        var admin = await AdminAsync();
        var (endpoint, secret) = await RegisterAsync(admin, "erp", WebhookEvents.PriceChanged);
        _receiver.Answer("erp", 503);
        var sku = "sku_31";
        var down = DateTime.UtcNow.AddSeconds(-1);
        await ApiShopper.JsonAsync(await admin.PostAsync("/v1/ops/prices", new { skuId = sku, region = "metro-north", amount = new { currency = "USD", value = 1234 },
            effectiveFrom = DateTime.UtcNow.AddDays(2) }, null), HttpStatusCode.Created);
        var failed = await _receiver.WaitAsync("erp", r => r.Count >= 1, "the first try, refused");
        Assert.True(failed[0].VerifiesWith(secret));
        var waiting = await Eventually.Async(() => admin.GetAsync($"/v1/ops/webhooks/{endpoint}/deliveries?state=retrying"),
            p => p.GetProperty("total").GetInt32() == 1, "the delivery to wait for its next try");
        Assert.Equal("HTTP 503", waiting.GetProperty("items")[0].GetProperty("lastError").GetString());

        // Back up; the integrator rotates the secret (an hour's overlap) and sends again all that failed since it went down.
        _receiver.Answer("erp", 200);
        var rotated = await ApiShopper.JsonAsync(await admin.PostAsync($"/v1/ops/webhooks/{endpoint}/rotate-secret", new { overlapHours = 1 }, null), HttpStatusCode.OK);
        var secret2 = rotated.GetProperty("secret").GetString()!;
        var again = await ApiShopper.JsonAsync(await admin.PostAsync($"/v1/ops/webhooks/{endpoint}/send-again", new { failedSince = down }, null), HttpStatusCode.OK);
        Assert.Equal(1, again.GetProperty("requeued").GetInt32());
        var replayed = (await _receiver.WaitAsync("erp", r => r.Count >= 2, "the replay"))[1];
        Assert.Equal(failed[0].Id, replayed.Id);
        Assert.True(replayed.VerifiesWith(secret) && replayed.VerifiesWith(secret2), "both secrets verify during the overlap");
        Assert.Equal(sku, replayed.Data.GetProperty("prices")[0].GetProperty("sku").GetString());

        // A rotation with no overlap: only the newest secret verifies from then on.
        var third = (await ApiShopper.JsonAsync(await admin.PostAsync($"/v1/ops/webhooks/{endpoint}/rotate-secret", new { overlapHours = 0 }, null), HttpStatusCode.OK))
            .GetProperty("secret").GetString()!;
        var deliveryId = waiting.GetProperty("items")[0].GetProperty("id").GetInt64();
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/v1/ops/webhooks/{endpoint}/deliveries/{deliveryId}/send-again", null, null)).StatusCode);
        var last = (await _receiver.WaitAsync("erp", r => r.Count >= 3, "the single replay"))[2];
        Assert.True(last.VerifiesWith(third));
        Assert.False(last.VerifiesWith(secret2));
        Assert.False(last.VerifiesWith(secret));
    }

    [Fact]
    public async Task BadRequests_AreProblems_AndOnlyAdminsMayLookAfterEndpoints()
    {
        var admin = await AdminAsync();
        var bad = await admin.PostAsync("/v1/ops/webhooks", new { url = "gopher://x", description = new string('d', 201), eventTypes = new[] { "order.shipped" } }, null);
        Assert.True(bad.StatusCode == HttpStatusCode.UnprocessableEntity, await bad.Content.ReadAsStringAsync());
        var errors = JsonDocument.Parse(await bad.Content.ReadAsStringAsync()).RootElement.GetProperty("errors");
        foreach (var field in new[] { "url", "description", "eventTypes" }) Assert.True(errors.TryGetProperty(field, out _), field);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.PostAsync("/v1/ops/webhooks", null, null)).StatusCode);
        var many = await admin.PostAsync("/v1/ops/webhooks", new { url = "http://127.0.0.1:9/x", eventTypes = Enumerable.Range(0, 5000).Select(i => $"nope.{i}").ToArray() }, null);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, many.StatusCode);
        Assert.True((await many.Content.ReadAsStringAsync()).Length < 2_000, "thousands of wrong types get a short answer");
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/ops/webhooks/wh_999999")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync("/v1/ops/webhooks/o_1")).StatusCode);
        var (endpoint, _) = await RegisterAsync(admin, "checks", WebhookEvents.StockLow);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.GetAsync($"/v1/ops/webhooks/{endpoint}/deliveries?state=lost&pageSize=0")).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PostAsync($"/v1/ops/webhooks/{endpoint}/rotate-secret", new { overlapHours = 500 }, null)).StatusCode);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, (await admin.PostAsync($"/v1/ops/webhooks/{endpoint}/send-again", new { }, null)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PostAsync($"/v1/ops/webhooks/{endpoint}/deliveries/424242/send-again", null, null)).StatusCode);
        var types = await admin.GetAsync("/v1/ops/webhooks/event-types");
        Assert.Equal(WebhookEvents.All.Count, types.GetArrayLength());

        var (colleague, _) = await TestStaff.ColleagueAsync(app, 2);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.Http.GetAsync("/v1/ops/webhooks")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await colleague.PostAsync("/v1/ops/webhooks", new { url = "http://127.0.0.1/x", eventTypes = new[] { "stock.low" } }, null)).StatusCode);
        var shopper = await ApiShopper.SignUpAsync(app);
        Assert.Equal(HttpStatusCode.Forbidden, (await shopper.Http.GetAsync($"/v1/ops/webhooks/{endpoint}/deliveries")).StatusCode);

        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/v1/ops/webhooks/{endpoint}/disable", null, null)).StatusCode);
        Assert.False((await admin.GetAsync($"/v1/ops/webhooks/{endpoint}")).GetProperty("enabled").GetBoolean());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.Http.DeleteAsync($"/v1/ops/webhooks/{endpoint}")).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.Http.GetAsync($"/v1/ops/webhooks/{endpoint}")).StatusCode);
    }
}
