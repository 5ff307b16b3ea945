using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Inventory;
using QCommerce.Core.Webhooks;

namespace QCommerce.Tests.Webhooks;

/// <summary>
/// Deliveries from the outbox to a real receiver on Kestrel, under a clock the test moves: signed as the Standard Webhooks
/// library signs, retried on the schedule with jitter, in order per subject, a slow receiver slowing only itself, given up
/// after about a day with the endpoint disabled, and sent again from the log.
/// </summary>
public abstract class WebhookDeliveryTests(DatabaseProvider provider) : IAsyncLifetime
{
    private const int MaxInFlight = 2;
    private ServiceHarness _h = null!;
    private WebhookReceiver _receiver = null!;

    private WebhookService Hooks => _h.Get<WebhookService>();
    private WebhookSender Sender => _h.Get<WebhookSender>();
    private DateTime Now => _h.Clock.GetUtcNow().UtcDateTime;

    public async Task InitializeAsync()
    {
        _receiver = await WebhookReceiver.StartAsync();
        _h = await ServiceHarness.CreateAsync(provider, services => services.Configure<WebhookOptions>(o =>
        {
            o.AllowPrivateTargets = true;
            o.RequireHttps = false;
            o.Timeout = TimeSpan.FromSeconds(1);
            o.MaxInFlightPerEndpoint = MaxInFlight;
        }));
    }

    public async Task DisposeAsync()
    {
        await Sender.WhenIdleAsync();
        await _h.DisposeAsync();
        await _receiver.DisposeAsync();
    }

    private async Task<(int Id, string Secret)> RegisterAsync(string name, params string[] types)
    {
        var made = await Hooks.CreateAsync(TestStaff.Admin, new WebhookInput(_receiver.Url(name).ToString(), $"{name} receiver", types.Length == 0 ? [WebhookEvents.StockLow] : types));
        Assert.True(PublicId.TryParse(PublicId.Webhook, made.Endpoint.Id, out var id));
        return (id, made.Secret);
    }

    /// <summary>A low-stock event of one subject (a store's SKU), as the stock use cases write it.</summary>
    private async Task EmitAsync(int skuId, int available = 1)
    {
        await using var db = _h.Database.CreateContext();
        Outbox.Enqueue(db, EventTypes.StockLow, LowStock.Aggregate(2, skuId), new StockLowEvent("st_2", $"sku_{skuId}", available, 5, Now), Now);
        await db.SaveChangesAsync();
    }

    /// <summary>Delivers the outbox, then sends whatever falls due now until nothing more does.</summary>
    private async Task PumpAsync()
    {
        while (await _h.Get<OutboxDispatcher>().DispatchDueAsync() > 0) { }
        while (await Sender.SendDueAsync(wait: true) > 0) { }
    }

    private async Task<List<WebhookDelivery>> DeliveriesAsync(int endpointId)
    {
        await using var db = _h.Database.CreateContext();
        return await db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.EndpointId == endpointId).OrderBy(d => d.Id).ToListAsync();
    }

    private async Task<List<WebhookAttempt>> AttemptsAsync(long deliveryId)
    {
        await using var db = _h.Database.CreateContext();
        return await db.Set<WebhookAttempt>().AsNoTracking().Where(a => a.DeliveryId == deliveryId).OrderBy(a => a.Number).ToListAsync();
    }

    [Fact]
    public async Task EachDelivery_IsSignedAsTheStandardWebhooksLibrarySigns_WithAVersionedPayloadOfPublicIds()
    {
        var (id, secret) = await RegisterAsync("ok");
        await RegisterAsync("prices-only", WebhookEvents.PriceChanged);
        await EmitAsync(7, available: 2);
        await PumpAsync();

        var got = Assert.Single(_receiver.At("ok"));
        Assert.Empty(_receiver.At("prices-only")); // it did not subscribe to stock.low
        Assert.StartsWith("msg_", got.Id);
        Assert.True(got.SignedWith(secret), "the library's own signature for this id, timestamp and body");
        Assert.False(got.SignedWith(WebhookSecrets.NewSecret()));
        Assert.Equal(_h.Clock.GetUtcNow().ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture), got.Timestamp);
        Assert.Equal("stock.low", got.Type);
        Assert.Equal(1, got.Json.GetProperty("version").GetInt32());
        Assert.Equal(("st_2", "sku_7", 2, 5), (got.Data.GetProperty("store").GetString(), got.Data.GetProperty("sku").GetString(),
            got.Data.GetProperty("available").GetInt32(), got.Data.GetProperty("threshold").GetInt32()));

        var delivery = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal((WebhookDeliveryState.Delivered, got.Id, 1), (delivery.State, delivery.MessageId, delivery.Attempts));
        var attempt = Assert.Single(await AttemptsAsync(delivery.Id));
        Assert.Equal(200, attempt.StatusCode);
        Assert.Contains("received", attempt.ResponseExcerpt);

        // The outbox delivers at least once: the same event handed over again queues nothing more.
        await using (var db = _h.Database.CreateContext())
            await db.OutboxMessages.ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAtUtc, (DateTime?)null));
        await PumpAsync();
        Assert.Single(await DeliveriesAsync(id));
        Assert.Single(_receiver.At("ok"));
    }

    [Fact]
    public async Task A500_IsTriedAgainOnTheSchedule_WithJitter_UnderTheSameWebhookId()
    {
        var (id, secret) = await RegisterAsync("flaky");
        var answers = 0;
        _receiver.Answer("flaky", _ => Task.FromResult(Interlocked.Increment(ref answers) <= 2 ? Results.StatusCode(500) : Results.Ok()));
        await EmitAsync(8);
        await PumpAsync();

        var first = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal(WebhookDeliveryState.Retrying, first.State);
        Assert.InRange(first.NextAttemptAtUtc - Now, TimeSpan.FromSeconds(4), TimeSpan.FromSeconds(6)); // 5 s ± 20 %
        await PumpAsync();
        Assert.Single(_receiver.At("flaky")); // not before its time

        _h.Clock.Advance(TimeSpan.FromSeconds(6));
        await PumpAsync();
        var second = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal(2, second.Attempts);
        Assert.InRange(second.NextAttemptAtUtc - Now, TimeSpan.FromMinutes(4), TimeSpan.FromMinutes(6)); // 5 min ± 20 %

        _h.Clock.Advance(TimeSpan.FromMinutes(6));
        await PumpAsync();
        var done = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal((WebhookDeliveryState.Delivered, 3), (done.State, done.Attempts));
        Assert.Equal([500, 500, 200], (await AttemptsAsync(done.Id)).Select(a => a.StatusCode ?? 0));
        var tries = _receiver.At("flaky");
        Assert.Equal(3, tries.Count);
        Assert.All(tries, t => Assert.Equal(done.MessageId, t.Id));
        Assert.All(tries, t => Assert.True(t.SignedWith(secret)));
    }

    [Fact]
    public async Task NoAnswerWithinTheTimeout_IsAFailedTry_AndARedirectIsNotFollowed()
    {
        var (slow, _) = await RegisterAsync("hangs");
        var (moved, _) = await RegisterAsync("moved");
        _receiver.Answer("hangs", async _ =>
        {
            await Task.Delay(TimeSpan.FromSeconds(5));
            return Results.Ok();
        });
        _receiver.Answer("moved", _ => Task.FromResult(Results.Redirect(_receiver.Url("elsewhere").ToString())));
        await EmitAsync(9);
        await PumpAsync();

        var hung = Assert.Single(await AttemptsAsync(Assert.Single(await DeliveriesAsync(slow)).Id));
        Assert.Null(hung.StatusCode);
        Assert.Equal("No answer within 1 s.", hung.Error);
        Assert.InRange(hung.LatencyMs, 900, 4000);
        var redirected = Assert.Single(await AttemptsAsync(Assert.Single(await DeliveriesAsync(moved)).Id));
        Assert.Equal(302, redirected.StatusCode);
        Assert.Contains("not followed", redirected.Error);
        Assert.Empty(_receiver.At("elsewhere"));
        Assert.All(await DeliveriesAsync(moved), d => Assert.Equal(WebhookDeliveryState.Retrying, d.State));
    }

    [Fact]
    public async Task ALongAnswer_IsReadOnlyUpToTheExcerptLimit()
    {
        var (id, _) = await RegisterAsync("chatty");
        _receiver.Answer("chatty", _ => Task.FromResult(Results.Text(new string('x', 200_000))));
        await EmitAsync(10);
        await PumpAsync();
        var attempt = Assert.Single(await AttemptsAsync(Assert.Single(await DeliveriesAsync(id)).Id));
        Assert.Equal(200, attempt.StatusCode);
        Assert.Equal(WebhookAttempt.MaxExcerptLength, attempt.ResponseExcerpt!.Length);
    }

    [Fact]
    public async Task ASubjectsDeliveries_ArriveInOrder_WhileAnEarlierOneRetries_AndOtherSubjectsGoOn()
    {
        var (id, _) = await RegisterAsync("ordered");
        var failed = 0;
        _receiver.Answer("ordered", got => Task.FromResult(got.Data.GetProperty("sku").GetString() == "sku_11" && Interlocked.Exchange(ref failed, 1) == 0
            ? Results.StatusCode(503)
            : Results.Ok()));
        await EmitAsync(11, available: 3);
        await EmitAsync(11, available: 2);
        await EmitAsync(12, available: 4);
        await PumpAsync();

        // The first of sku 11 failed: the second waits behind it; sku 12 is another subject and went.
        var got = _receiver.At("ordered");
        Assert.Equal(["sku_11", "sku_12"], got.Select(g => g.Data.GetProperty("sku").GetString()).Order());
        var waiting = (await DeliveriesAsync(id)).Where(d => d.State == WebhookDeliveryState.Pending).ToList();
        Assert.Single(waiting);

        _h.Clock.Advance(TimeSpan.FromSeconds(6));
        await PumpAsync();
        var eleven = _receiver.At("ordered").Where(g => g.Data.GetProperty("sku").GetString() == "sku_11").ToList();
        Assert.Equal([3, 3, 2], eleven.Select(g => g.Data.GetProperty("available").GetInt32()));
        Assert.True(eleven[1].Sequence < eleven[2].Sequence, "the sequence grows with each event of a subject");
        Assert.All(await DeliveriesAsync(id), d => Assert.Equal(WebhookDeliveryState.Delivered, d.State));
    }

    [Fact]
    public async Task ASlowReceiver_SlowsOnlyItself_WithAtMostNDeliveriesInFlight()
    {
        await RegisterAsync("slow");
        await RegisterAsync("fast");
        var gate = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _receiver.Answer("slow", async _ =>
        {
            await gate.Task;
            return Results.Ok();
        });
        using var timeout = new CancellationTokenSource();
        for (var sku = 20; sku < 25; sku++) await EmitAsync(sku); // five subjects: nothing waits for order
        while (await _h.Get<OutboxDispatcher>().DispatchDueAsync() > 0) { }

        // Passes without waiting for the sends, as the background service runs them, until the fast receiver has all five.
        await Eventually.Async(async () =>
        {
            await Sender.SendDueAsync();
            return _receiver.At("fast").Count;
        }, n => n == 5, "the fast receiver to get all five while the slow one hangs");
        Assert.Equal(MaxInFlight, _receiver.At("slow").Count);
        Assert.Equal(MaxInFlight, _receiver.MostInFlight["slow"]);

        gate.SetResult();
        await Eventually.Async(async () =>
        {
            await Sender.SendDueAsync();
            return _receiver.At("slow").Count;
        }, n => n == 5, "the slow receiver to get the rest once it answers");
        Assert.True(_receiver.MostInFlight["slow"] <= MaxInFlight, $"at most {MaxInFlight} in flight, saw {_receiver.MostInFlight["slow"]}");
    }

    [Fact]
    public async Task AnEndpointFailingForADay_GivesUpAndIsDisabled_ThenWhatFailedIsSentAgainFromTheLog()
    {
        var (id, secret) = await RegisterAsync("down");
        var (other, _) = await RegisterAsync("up");
        _receiver.Answer("down", 500);
        var start = Now;
        await EmitAsync(30);
        await PumpAsync();
        for (var round = 0; round < 10 && (await DeliveriesAsync(id)).Single().State == WebhookDeliveryState.Retrying; round++)
        {
            _h.Clock.SetUtcNow((await DeliveriesAsync(id)).Single().NextAttemptAtUtc);
            await PumpAsync();
        }

        var given = Assert.Single(await DeliveriesAsync(id));
        Assert.Equal((WebhookDeliveryState.Failed, 8), (given.State, given.Attempts)); // the first try and the seven of the schedule
        Assert.InRange(Now - start, TimeSpan.FromHours(22), TimeSpan.FromHours(34)); // about a day, jitter included
        var endpoint = await Hooks.FindAsync(TestStaff.Admin, id);
        Assert.False(endpoint.Enabled);
        Assert.Contains("failed for 24 hours", endpoint.DisabledReason);
        Assert.Contains(await _h.Get<WebhookLog>().DisabledAsync(), d => d.Id == endpoint.Id);
        Assert.True((await Hooks.FindAsync(TestStaff.Admin, other)).Enabled, "the other endpoint answered: it stays on");
        await using (var db = _h.Database.CreateContext())
            Assert.True(await db.AuditLog.AnyAsync(a => a.Action == AuditActions.WebhookDisable && a.EntityId == endpoint.Id && a.StaffUserId == "system"));

        // Disabled is paused, not deaf: what happens meanwhile waits for it.
        await EmitAsync(31);
        await PumpAsync();
        Assert.Equal(WebhookDeliveryState.Pending, (await DeliveriesAsync(id))[^1].State);

        // Their server is back: the admin enables the endpoint and sends again what failed since it went down.
        _receiver.Answer("down", 200);
        await Hooks.SetEnabledAsync(TestStaff.Admin, id, enabled: true);
        Assert.Equal(0, await Hooks.SendAgainFailedAsync(TestStaff.Admin, id, Now.AddMinutes(1)));
        Assert.Equal(1, await Hooks.SendAgainFailedAsync(TestStaff.Admin, id, start));
        await PumpAsync();
        var back = (await DeliveriesAsync(id))[0];
        Assert.Equal((WebhookDeliveryState.Delivered, 9), (back.State, back.Attempts));
        Assert.All(await DeliveriesAsync(id), d => Assert.Equal(WebhookDeliveryState.Delivered, d.State));
        var last = _receiver.At("down").Last(r => r.Id == given.MessageId); // the same webhook-id: a receiver that saw it before dedupes it
        Assert.True(last.SignedWith(secret));

        // One delivery sent again by hand, though it was delivered: once more, same id and body.
        var before = _receiver.At("down").Count;
        await Hooks.SendAgainAsync(TestStaff.Admin, id, back.Id);
        await PumpAsync();
        Assert.Equal(before + 1, _receiver.At("down").Count);
        Assert.Equal(last.Body, _receiver.At("down")[^1].Body);
        await Assert.ThrowsAsync<NotFoundException>(() => Hooks.SendAgainAsync(TestStaff.Admin, other, back.Id)); // another endpoint's delivery
    }

    [Fact]
    public async Task ARotatedSecret_SignsBesideTheNewOne_DuringTheOverlapOnly()
    {
        var (id, old) = await RegisterAsync("rotating");
        var rotated = await Hooks.RotateAsync(TestStaff.Admin, id, TimeSpan.FromHours(1));
        Assert.NotEqual(old, rotated.Secret);
        await EmitAsync(40);
        await PumpAsync();
        var during = Assert.Single(_receiver.At("rotating"));
        Assert.Equal(2, during.Signature.Split(' ').Distinct().Count());
        Assert.True(during.SignedWith(old) && during.SignedWith(rotated.Secret), "both secrets sign during the overlap");

        _h.Clock.Advance(TimeSpan.FromHours(1) + TimeSpan.FromSeconds(1));
        await EmitAsync(41);
        await PumpAsync();
        var after = _receiver.At("rotating")[^1];
        Assert.True(after.SignedWith(rotated.Secret));
        Assert.False(after.SignedWith(old));
        await Assert.ThrowsAsync<RequestRejectedException>(() => Hooks.RotateAsync(TestStaff.Admin, id, TimeSpan.FromDays(8)));

        // A second rotation inside the first's overlap would cut off a receiver still on the first secret: refused, unless it
        // ends every old secret at once (a secret that leaked).
        var second = await Hooks.RotateAsync(TestStaff.Admin, id, TimeSpan.FromHours(1));
        await Assert.ThrowsAsync<ConflictException>(() => Hooks.RotateAsync(TestStaff.Admin, id, TimeSpan.FromHours(1)));
        var leaked = await Hooks.RotateAsync(TestStaff.Admin, id, TimeSpan.Zero);
        await EmitAsync(42);
        await PumpAsync();
        var last = _receiver.At("rotating")[^1];
        Assert.True(last.SignedWith(leaked.Secret));
        Assert.False(last.SignedWith(second.Secret));
    }

    [Fact]
    public async Task OnlyAnAdmin_LooksAfterEndpoints_AndBadInputIsRefusedFieldByField()
    {
        await Assert.ThrowsAsync<AccessDeniedException>(() => Hooks.ListAsync(TestStaff.ScopedTo(2)));
        await Assert.ThrowsAsync<AccessDeniedException>(() => _h.Get<WebhookLog>().DeliveriesAsync(TestStaff.ScopedTo(2), 1, null, 1, 10));
        var bad = await Assert.ThrowsAsync<RequestRejectedException>(() =>
            Hooks.CreateAsync(TestStaff.Admin, new WebhookInput("ftp://example.com/x", "bell\u0007", ["order.shipped", null])));
        Assert.Equal(["description", "eventTypes", "url"], bad.Errors.Keys.Order());
        await Assert.ThrowsAsync<NotFoundException>(() => Hooks.FindAsync(TestStaff.Admin, 99_999));
    }
}

public sealed class SqliteWebhookDeliveryTests() : WebhookDeliveryTests(DatabaseProvider.Sqlite);

public sealed class PostgresWebhookDeliveryTests() : WebhookDeliveryTests(DatabaseProvider.Postgres);
