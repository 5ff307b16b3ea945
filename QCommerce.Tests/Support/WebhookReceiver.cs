using System.Collections.Concurrent;
using System.Net;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace QCommerce.Tests.Support;

/// <summary>One delivery as a receiver got it: which of its paths, the Standard Webhooks headers, and the body.</summary>
public sealed record ReceivedWebhook(string Path, string Id, string Timestamp, string Signature, string Body, DateTime AtUtc)
{
    public JsonElement Json => JsonDocument.Parse(Body).RootElement;
    public string Type => Json.GetProperty("type").GetString()!;
    public JsonElement Data => Json.GetProperty("data");
    public long Sequence => Json.GetProperty("sequence").GetInt64();

    public HeaderDictionary Headers => new()
    {
        ["webhook-id"] = Id,
        ["webhook-timestamp"] = Timestamp,
        ["webhook-signature"] = Signature,
    };

    /// <summary>True when the Standard Webhooks library accepts the delivery with <paramref name="secret"/> (signature and timestamp).</summary>
    public bool VerifiesWith(string secret)
    {
        try
        {
            new StandardWebhooks.StandardWebhook(secret).Verify(Body, Headers);
            return true;
        }
        catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
        {
            return false;
        }
    }

    /// <summary>
    /// For deliveries signed under a test's clock (days ahead of the wall clock, which the library's timestamp check reads):
    /// true when one of the header's signatures is the one the Standard Webhooks library makes for this id, timestamp and body.
    /// </summary>
    public bool SignedWith(string secret)
    {
        var expected = new StandardWebhooks.StandardWebhook(secret).Sign(Id, DateTimeOffset.FromUnixTimeSeconds(long.Parse(Timestamp, System.Globalization.CultureInfo.InvariantCulture)), Body);
        return Signature.Split(' ').Contains(expected);
    }
}

/// <summary>
/// An integrator's receiver on a real Kestrel port: every POST to <c>/{name}</c> is recorded, then answered as the test says
/// for that name (200 unless told otherwise: a status, a delay, a redirect, a long body). Deliveries can be awaited.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<ReceivedWebhook> _received = new();
    private readonly ConcurrentDictionary<string, Func<ReceivedWebhook, Task<IResult>>> _answers = new();

    private WebhookReceiver(WebApplication app) => _app = app;

    public Uri BaseAddress { get; private set; } = null!;

    /// <summary>The most requests in flight at once so far, per path.</summary>
    public ConcurrentDictionary<string, int> MostInFlight { get; } = new();

    public IReadOnlyList<ReceivedWebhook> Received => _received.ToArray();

    public IReadOnlyList<ReceivedWebhook> At(string name) => _received.Where(r => r.Path == name).ToList();

    public Uri Url(string name) => new(BaseAddress, name);

    public static async Task<WebhookReceiver> StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        builder.Logging.ClearProviders();
        var app = builder.Build();
        var receiver = new WebhookReceiver(app);
        var inFlight = new ConcurrentDictionary<string, int>();
        app.MapPost("/{name}", async (string name, HttpRequest request) =>
        {
            using var reader = new StreamReader(request.Body);
            var body = await reader.ReadToEndAsync();
            var got = new ReceivedWebhook(name, request.Headers["webhook-id"].ToString(), request.Headers["webhook-timestamp"].ToString(),
                request.Headers["webhook-signature"].ToString(), body, DateTime.UtcNow);
            receiver._received.Enqueue(got);
            var now = inFlight.AddOrUpdate(name, 1, (_, n) => n + 1);
            receiver.MostInFlight.AddOrUpdate(name, now, (_, most) => Math.Max(most, now));
            try
            {
                return receiver._answers.TryGetValue(name, out var answer) ? await answer(got) : Results.Ok(new { received = true });
            }
            finally
            {
                inFlight.AddOrUpdate(name, 0, (_, n) => n - 1);
            }
        });
        app.MapPost("/elsewhere", () => Results.Ok()); // a redirect's target: never reached, since redirects are not followed
        await app.StartAsync();
        receiver.BaseAddress = new Uri(app.Urls.First().Replace("[::1]", "127.0.0.1") + "/");
        return receiver;
    }

    /// <summary>From now on, <c>/{name}</c> answers with <paramref name="answer"/>.</summary>
    public void Answer(string name, Func<ReceivedWebhook, Task<IResult>> answer) => _answers[name] = answer;

    public void Answer(string name, int status) => Answer(name, _ => Task.FromResult(Results.StatusCode(status)));

    /// <summary>Waits until <c>/{name}</c> has received deliveries that satisfy <paramref name="done"/>.</summary>
    public Task<IReadOnlyList<ReceivedWebhook>> WaitAsync(string name, Func<IReadOnlyList<ReceivedWebhook>, bool> done, string what, TimeSpan? timeout = null) =>
        Eventually.Async(() => Task.FromResult(At(name)), done, what, timeout);

    public async ValueTask DisposeAsync()
    {
        await _app.StopAsync();
        await _app.DisposeAsync();
    }
}
