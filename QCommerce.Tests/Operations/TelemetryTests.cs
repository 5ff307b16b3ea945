using System.Diagnostics;
using System.Net;
using System.Text.RegularExpressions;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Fulfillment;
using QCommerce.Tests.Fulfillment;

namespace QCommerce.Tests.Operations;

/// <summary>
/// What an operator sees of a running instance: <c>/metrics</c> in Prometheus's text format (checked by Prometheus's own
/// <c>promtool</c>), only for who may scrape it; a shopper's <c>traceparent</c> continued through the request, the outbox
/// and the call to the PSP; and logs at Information level that name no shopper and no colleague, through a whole card
/// order from checkout to the door.
/// </summary>
[Collection(MetricsCollection.Name)]
public sealed class TelemetryTests : IAsyncLifetime
{
    private readonly QCommerceApp _app = new(DatabaseProvider.Sqlite, new Dictionary<string, string?>
    {
        // Everything an operator could turn on, so the log test sees every line the app can write.
        ["Logging:LogLevel:Default"] = "Information",
        ["Logging:LogLevel:Microsoft.AspNetCore"] = "Information",
        ["Logging:LogLevel:Microsoft.EntityFrameworkCore"] = "Information",
        ["Logging:Console:LogLevel:Default"] = "Warning", // all of it is captured; the test run's own output need not show it
        ["Operations:SampleInterval"] = "00:00:00.200",
        ["Telemetry:MetricsToken"] = "scrape-token-for-tests",
    });

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    private async Task<string> ScrapeAsync()
    {
        using var http = _app.CreateClient();
        var response = await http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The sum of the samples of <paramref name="name"/> that carry every one of <paramref name="labels"/> (<c>to="paid"</c>).</summary>
    private static double Sample(string metrics, string name, params string[] labels) => metrics.Split('\n')
        .Where(l => l.StartsWith(name + "{", StringComparison.Ordinal) && labels.All(label => l.Contains(label, StringComparison.Ordinal)))
        .Sum(l => double.Parse(l[(l.LastIndexOf(' ') + 1)..], System.Globalization.CultureInfo.InvariantCulture));

    [Fact]
    public async Task AWholeCardOrder_IsCountedInMetrics_ThatPromtoolAccepts()
    {
        var (_, id, _) = await FulfillmentServiceTests.ChargedCardOrderAsync(_app, skuOffset: 60);
        var fulfil = _app.Services.GetRequiredService<FulfillmentService>();
        await fulfil.DispatchAsync(TestStaff.Admin, id, "Sam");
        await fulfil.DeliverAsync(TestStaff.Admin, id, null);

        var metrics = await Eventually.Async(ScrapeAsync, m => Sample(m, "qcommerce_order_transitions_total", "from=\"out_for_delivery\"", "to=\"delivered\"") >= 1
            && Sample(m, "qcommerce_payments_total", "outcome=\"captured\"") >= 1, "the delivery and the capture to be counted");

        Assert.True(Sample(metrics, "qcommerce_orders_placed_total", "payment_method=\"card\"", "store_id=\"2\"") >= 1, "orders placed by store and method");
        Assert.True(Sample(metrics, "qcommerce_payments_total", "outcome=\"held\"") >= 1, "money held at checkout");
        Assert.True(Sample(metrics, "qcommerce_order_transitions_total", "from=\"pending_payment\"", "to=\"paid\"") >= 1);
        Assert.True(Sample(metrics, "qcommerce_webhook_lag_seconds_count", "type=\"payment_intent.amount_capturable_updated\"") >= 1
            || Sample(metrics, "qcommerce_webhook_lag_seconds_count", "type=\"checkout.session.completed\"") >= 1, "the webhooks' lag");
        // The class's other tests deliver orders of their own into the same app: at least this one is counted.
        Assert.True(Sample(metrics, "qcommerce_pick_duration_seconds_count", "store_id=\"2\"") >= 1, "pick time");
        Assert.True(Sample(metrics, "qcommerce_order_delivery_time_seconds_count", "store_id=\"2\"") >= 1, "order-to-door time");
        Assert.Contains("qcommerce_outbox_backlog", metrics);
        Assert.Contains("qcommerce_outbox_oldest_age_seconds", metrics);
        Assert.Contains("qcommerce_stock_low_skus", metrics);
        Assert.Matches(new Regex("http_server_request_duration_seconds_count\\{[^}]*http_route=\"/v1/orders/?\""), metrics);

        var check = await Promtool.CheckMetricsAsync(metrics);
        Assert.True(check.ExitCode == 0, $"promtool check metrics said: {check.Output}");
    }

    [Fact]
    public async Task Metrics_AreServedToThisMachine_OrWithTheToken_AndToNobodyElse()
    {
        using var http = _app.CreateClient();
        Assert.Equal(HttpStatusCode.OK, (await http.GetAsync("/metrics")).StatusCode);

        // A stranger, as a trusted proxy on this machine reports them.
        async Task<HttpStatusCode> FromOutsideAsync(string? token)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, "/metrics");
            request.Headers.Add("X-Forwarded-For", "203.0.113.9");
            if (token is not null) request.Headers.Authorization = new("Bearer", token);
            return (await http.SendAsync(request)).StatusCode;
        }
        Assert.Equal(HttpStatusCode.Forbidden, await FromOutsideAsync(null));
        // The exporter answers every path below /metrics: so does the gate.
        foreach (var path in new[] { "/metrics/", "/METRICS/", "/metrics/x", "/metrics/?x=1", "/Metrics/a/b" })
        {
            using var below = new HttpRequestMessage(HttpMethod.Get, path);
            below.Headers.Add("X-Forwarded-For", "203.0.113.9");
            Assert.Equal((path, HttpStatusCode.Forbidden), (path, (await http.SendAsync(below)).StatusCode));
        }
        Assert.Equal(HttpStatusCode.Forbidden, await FromOutsideAsync("scrape-token-for-test"));
        Assert.Equal(HttpStatusCode.Forbidden, await FromOutsideAsync(""));
        Assert.Equal(HttpStatusCode.OK, await FromOutsideAsync("scrape-token-for-tests"));
    }

    [Fact]
    public async Task AShoppersTraceparent_IsContinued_ByTheRequest_AndByTheCallToThePsp()
    {
        var traceId = ActivityTraceId.CreateRandom();
        var parent = ActivitySpanId.CreateRandom();
        var seen = new System.Collections.Concurrent.ConcurrentBag<Activity>();
        using var listener = new ActivityListener
        {
            ShouldListenTo = source => source.Name is "Microsoft.AspNetCore" or "System.Net.Http",
            Sample = (ref ActivityCreationOptions<ActivityContext> o) => ActivitySamplingResult.AllDataAndRecorded,
            ActivityStopped = a => { if (a.TraceId == traceId) seen.Add(a); },
        };
        ActivitySource.AddActivityListener(listener);
        var shopper = await ApiShopper.SignUpAsync(_app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 64);

        using var request = new HttpRequestMessage(HttpMethod.Post, "/v1/payments") { Content = System.Net.Http.Json.JsonContent.Create(new { orderId }) };
        request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
        request.Headers.Add("traceparent", $"00-{traceId}-{parent}-01");
        // As a phone app would send it: this test process's own HttpClient must not replace the header with a trace of its own.
        using var phone = new HttpClient(new SocketsHttpHandler { ActivityHeadersPropagator = null })
        {
            BaseAddress = _app.BaseAddress,
        };
        phone.DefaultRequestHeaders.Authorization = shopper.Http.DefaultRequestHeaders.Authorization;
        Assert.Equal(HttpStatusCode.Created, (await phone.SendAsync(request)).StatusCode);

        // The request continues the phone's trace; its call to the PSP is a client span of it, and the PSP (the sandbox, on
        // this same server) receives that call as a child of the client span: one trace from the phone to the PSP.
        var spans = await Eventually.Async(() => Task.FromResult(seen.ToArray()),
            s => s.Any(a => a.Kind == ActivityKind.Server && a.ParentSpanId == parent)
                && s.Any(client => client.Kind == ActivityKind.Client && s.Any(a => a.Kind == ActivityKind.Server && a.ParentSpanId == client.SpanId)),
            "the request's span, its PSP call's and the PSP's");
        var request0 = spans.Single(a => a.Kind == ActivityKind.Server && a.ParentSpanId == parent);
        var call = spans.First(client => client.Kind == ActivityKind.Client && spans.Any(a => a.ParentSpanId == client.SpanId));
        Assert.Equal(traceId, call.TraceId);
        Assert.True(call.StartTimeUtc >= request0.StartTimeUtc && call.StartTimeUtc + call.Duration <= request0.StartTimeUtc + request0.Duration,
            "the PSP call happened inside the request");
    }

    [Fact]
    public async Task AWholeCardOrder_FromSignUpToTheDoor_LeavesNoPersonalDataInTheLogs()
    {
        // The admin account made at start-up is logged with its address redacted: the line is there, the address is not.
        Assert.Contains(_app.Logs.Entries, e => e.Message.StartsWith("Created the admin account", StringComparison.Ordinal));
        var mark = _app.Logs.Mark;
        var (shopper, id, _) = await FulfillmentServiceTests.ChargedCardOrderAsync(_app, skuOffset: 70);
        var fulfil = _app.Services.GetRequiredService<FulfillmentService>();
        await fulfil.DispatchAsync(TestStaff.Admin, id, "Sam Rider");
        await fulfil.DeliverAsync(TestStaff.Admin, id, null);
        using (var http = _app.CreateClient())
            await http.PostAsync("/v1/auth/forgotPassword", System.Net.Http.Json.JsonContent.Create(new { email = shopper.Email }));
        // A colleague looks the shopper up by e-mail: the address is in the request's query string.
        var admin = await ApiShopper.SignInAsync(_app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync($"/v1/ops/orders?email={Uri.EscapeDataString(shopper.Email)}")).StatusCode);
        await Eventually.Async(() => Task.FromResult(_app.Logs.Since(mark).Count(e => e.Message.Contains("-> Delivered", StringComparison.Ordinal))), n => n == 1, "the delivery's log line");

        string[] personal = [shopper.Email, shopper.Email.Split('@')[0], "5550142", "555-0142", "401 W 42nd", "Buzz 4B", QCommerceApp.AdminEmail, TestStaff.Admin.Email, "Sam Rider"];
        var lines = _app.Logs.Entries.Select(e => $"{e.Category}: {e.Message} [{e.Values}] {e.Exception}").ToList();
        Assert.True(lines.Count > 50, $"only {lines.Count} lines logged: the test would prove nothing");
        Assert.Contains(lines, l => l.Contains("out for delivery with", StringComparison.Ordinal)); // the rider's line is there, their name is not
        foreach (var value in personal)
        {
            var leak = lines.FirstOrDefault(l => l.Contains(value, StringComparison.OrdinalIgnoreCase));
            Assert.True(leak is null, $"'{value}' is in a log line: {leak}");
        }
    }
}

/// <summary>
/// Tests that read the numbers of /metrics run alone. Every test host in this process makes its own meters under the same
/// names, and OpenTelemetry listens by name: a host stopping beside the test (another class done) retires the metric
/// streams the test's host shares with it. One host per process, as in production, never meets this.
/// </summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MetricsCollection
{
    public const string Name = "Metrics, alone";
}
