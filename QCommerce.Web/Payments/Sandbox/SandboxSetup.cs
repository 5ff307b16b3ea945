using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using QCommerce.Core.Payments;
using QCommerce.Web.Common;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>
/// The app's own address as seen from inside the app: the Stripe.net adapter calls the sandbox
/// there and the sandbox posts its webhooks there. Known once Kestrel listens (a port may be 0 in tests).
/// </summary>
public sealed class SandboxAddress(IServer server, IConfiguration configuration)
{
    private string? _self;

    public bool IsKnown => Resolve() is not null;

    public string Self => Resolve() ?? throw new InvalidOperationException("The sandbox PSP's address is not known until the server listens.");

    private string? Resolve()
    {
        if (_self is not null) return _self;
        var configured = configuration["Payments:Sandbox:BaseUrl"];
        var address = !string.IsNullOrWhiteSpace(configured) ? configured
            : server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault(a => a.StartsWith("http://", StringComparison.Ordinal))
              ?? server.Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault();
        if (address is null) return null;
        // A wildcard listen address is not somewhere to send a request to; loopback is.
        var uri = new UriBuilder(address.Replace("://+", "://localhost").Replace("://*", "://localhost"));
        if (uri.Host is "0.0.0.0" or "[::]" or "::" or "localhost" or "[::1]") uri.Host = "127.0.0.1";
        return _self = uri.Uri.GetLeftPart(UriPartial.Authority);
    }
}

/// <summary>
/// The Stripe.net adapter's API base while no Stripe key is configured: the sandbox in this very app.
/// Its API key is made up at start (or <c>Payments:Sandbox:ApiKey</c>), so nobody but this app can
/// ask the sandbox for refunds of the shop's payments.
/// </summary>
public sealed class SandboxApiLocation(SandboxAddress address, IConfiguration configuration) : IStripeApiLocation
{
    public string ApiKey { get; } = configuration["Payments:Sandbox:ApiKey"] is { Length: > 0 } key
        ? key
        : "sk_test_sandbox_" + Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(16)).ToLowerInvariant();

    public string? ApiBase => address.Self + "/psp-sandbox";
}

public static class SandboxSetup
{
    /// <summary>Registers the embedded PSP when no Stripe secret key is configured (architecture §5).</summary>
    public static IServiceCollection AddPspSandbox(this IServiceCollection services, IConfiguration configuration, string contentRoot)
    {
        if (!string.IsNullOrWhiteSpace(configuration["Payments:Stripe:SecretKey"])) return services;
        var path = configuration["Payments:Sandbox:DataPath"] is { Length: > 0 } p ? p : "data/psp-sandbox.db";
        if (!Path.IsPathRooted(path)) path = Path.Combine(contentRoot, path);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        services.AddDbContextFactory<PspSandboxDbContext>(o => o.UseSqlite($"Data Source={path}"));
        var faults = new SandboxFaults();
        configuration.GetSection("Payments:Sandbox:Faults").Bind(faults);
        services.AddSingleton(faults);
        var settings = new SandboxSettings();
        configuration.GetSection("Payments:Sandbox").Bind(settings);
        services.AddSingleton(settings);
        services.AddSingleton<SandboxDueSignal>();
        services.AddHostedService<SandboxDueRunner>();
        services.AddSingleton<SandboxAddress>();
        services.AddSingleton<SandboxApiLocation>();
        services.AddSingleton<IStripeApiLocation>(sp => sp.GetRequiredService<SandboxApiLocation>());
        services.AddSingleton<SandboxWebhookSignal>();
        services.AddSingleton<SandboxPsp>();
        services.AddHostedService<SandboxWebhookSender>();
        return services;
    }

    public static async Task InitializePspSandboxAsync(this IServiceProvider services)
    {
        var contexts = services.GetService<IDbContextFactory<PspSandboxDbContext>>();
        if (contexts is null) return;
        await using var db = await contexts.CreateDbContextAsync();
        var stamp = await StampOfAsync(db);
        if (stamp != PspSandboxDbContext.SchemaVersion && await HasTablesAsync(db))
        {
            // A file of an older sandbox: its payments are test data of a sandbox, so it starts afresh rather than half-fit.
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SandboxSetup)).LogWarning(
                "Sandbox PSP: its data file is of an older shape (version {Old}, now {New}); starting it afresh", stamp, PspSandboxDbContext.SchemaVersion);
            await db.Database.EnsureDeletedAsync();
        }
        await db.Database.EnsureCreatedAsync();
        await db.Database.ExecuteSqlRawAsync("PRAGMA journal_mode=WAL;");
        await db.Database.ExecuteSqlRawAsync($"PRAGMA user_version={PspSandboxDbContext.SchemaVersion};");
        await AdoptDemoPaymentsAsync(services, db);
    }

    /// <summary>
    /// The demo history's card payments were written without a PSP (their ids <c>pi_demo_…</c>, <c>cs_demo_…</c>): the
    /// sandbox learns those whose money is still held or taken, so picking (the capture), cancelling (the release) and
    /// refunding a demo order work as they do for a shopper's own; else each would be refused as unknown to the PSP.
    /// </summary>
    private static async Task AdoptDemoPaymentsAsync(IServiceProvider services, PspSandboxDbContext psp)
    {
        if (services.GetService<IDbContextFactory<QCommerce.Core.Data.QCommerceDbContext>>() is not { } contexts) return;
        await using var db = await contexts.CreateDbContextAsync();
        var demo = await (from a in db.PaymentAttempts.AsNoTracking()
                          join p in db.Payments.AsNoTracking().IgnoreAutoIncludes() on a.PaymentId equals p.Id
                          where a.PspReference != null && a.PspReference.StartsWith("pi_demo_")
                              && (a.Status == Core.Payments.PaymentStatus.Authorized || a.Status == Core.Payments.PaymentStatus.Captured)
                          select new { Intent = a.PspReference!, Session = a.PspCheckoutId, a.AmountMinor, a.Status, a.CreatedAtUtc, p.Id, p.OrderId, p.Currency, p.CapturedMinor, p.AuthorizedAtUtc })
            .ToListAsync();
        if (demo.Count == 0) return;
        var ids = demo.Select(d => d.Intent).ToList();
        var known = (await psp.Intents.AsNoTracking().Where(i => ids.Contains(i.Id)).Select(i => i.Id).ToListAsync()).ToHashSet();
        foreach (var d in demo.Where(d => !known.Contains(d.Intent)))
        {
            var held = d.Status == Core.Payments.PaymentStatus.Authorized;
            var metadata = System.Text.Json.JsonSerializer.Serialize(new Dictionary<string, string>
            {
                ["order_id"] = Core.Common.PublicId.Format(Core.Common.PublicId.Order, d.OrderId), ["payment_id"] = Core.Common.PublicId.Format(Core.Common.PublicId.Payment, d.Id), ["attempt"] = "1",
            });
            psp.Intents.Add(new SandboxIntent
            {
                Id = d.Intent, Amount = d.AmountMinor, AmountReceived = held ? 0 : d.CapturedMinor, AmountCapturable = held ? d.AmountMinor : 0,
                CaptureMethod = "manual", Status = held ? "requires_capture" : "succeeded", CheckoutSessionId = d.Session,
                AuthorizedAtUtc = d.AuthorizedAtUtc ?? d.CreatedAtUtc, Currency = d.Currency.ToLowerInvariant(), MetadataJson = metadata, CreatedAtUtc = d.CreatedAtUtc,
            });
            if (d.Session is { } session)
                psp.Sessions.Add(new SandboxSession
                {
                    Id = session, Status = "complete", PaymentStatus = held ? "unpaid" : "paid", Currency = d.Currency.ToLowerInvariant(),
                    AmountSubtotal = d.AmountMinor, AmountTotal = d.AmountMinor, CaptureMethod = "manual", MetadataJson = metadata, IntentMetadataJson = metadata,
                    PaymentIntentId = d.Intent, ExpiresAtUtc = d.CreatedAtUtc.AddMinutes(31), CreatedAtUtc = d.CreatedAtUtc,
                });
        }
        await psp.SaveChangesAsync();
    }

    private static async Task<int> StampOfAsync(PspSandboxDbContext db) =>
        (await db.Database.SqlQueryRaw<int>("SELECT user_version AS \"Value\" FROM pragma_user_version").ToListAsync()).FirstOrDefault();

    private static async Task<bool> HasTablesAsync(PspSandboxDbContext db) =>
        (await db.Database.SqlQueryRaw<int>("SELECT count(*) AS \"Value\" FROM sqlite_master WHERE type = 'table'").ToListAsync()).FirstOrDefault() > 0;

    /// <summary>Stripe's REST routes (the ones the adapter calls) and the payment pages, under /psp-sandbox.</summary>
    public static WebApplication MapPspSandbox(this WebApplication app)
    {
        if (app.Services.GetService<SandboxPsp>() is null) return app;
        var api = app.MapGroup("/psp-sandbox/v1").DisableAntiforgery().ExcludeFromDescription().AddEndpointFilter(StripeApiFilter);

        api.MapPost("/coupons", async (HttpContext http, SandboxPsp psp, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormOrRejectAsync(ct);
            return await psp.IdempotentAsync(IdempotencyKey(http), SandboxPsp.Fingerprint(http.Request, form), () => psp.CreateCouponAsync(form, ct), ct);
        });
        api.MapPost("/checkout/sessions", async (HttpContext http, SandboxPsp psp, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormOrRejectAsync(ct);
            // Like Stripe's hosted pages, the page lives where the shopper's browser is sent back to.
            var payPageBase = Uri.TryCreate(form["success_url"], UriKind.Absolute, out var back) ? back.GetLeftPart(UriPartial.Authority) : $"{http.Request.Scheme}://{http.Request.Host}";
            return await psp.IdempotentAsync(IdempotencyKey(http), SandboxPsp.Fingerprint(http.Request, form), () => psp.CreateSessionAsync(form, payPageBase, ct), ct);
        });
        api.MapGet("/checkout/sessions/{id}", (string id, SandboxPsp psp, CancellationToken ct) => psp.GetSessionAsync(id, ct));
        api.MapPost("/checkout/sessions/{id}/expire", async (string id, HttpContext http, SandboxPsp psp, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormOrRejectAsync(ct);
            return await psp.IdempotentAsync(IdempotencyKey(http), SandboxPsp.Fingerprint(http.Request, form), () => psp.ExpireSessionAsync(id, ct), ct);
        });
        api.MapPost("/payment_intents/{id}/capture", async (string id, HttpContext http, SandboxPsp psp, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormOrRejectAsync(ct);
            return await psp.IdempotentAsync(IdempotencyKey(http), SandboxPsp.Fingerprint(http.Request, form), () => psp.CaptureIntentAsync(id, form, ct), ct);
        });
        api.MapGet("/payment_intents/{id}", (string id, SandboxPsp psp, CancellationToken ct) => psp.GetIntentAsync(id, ct));
        api.MapPost("/payment_intents/{id}/cancel", async (string id, HttpContext http, SandboxPsp psp, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormOrRejectAsync(ct);
            return await psp.IdempotentAsync(IdempotencyKey(http), SandboxPsp.Fingerprint(http.Request, form), () => psp.CancelIntentAsync(id, form["cancellation_reason"].FirstOrDefault(), ct), ct);
        });
        api.MapPost("/refunds", async (HttpContext http, SandboxPsp psp, CancellationToken ct) =>
        {
            var form = await http.Request.ReadFormOrRejectAsync(ct);
            return await psp.IdempotentAsync(IdempotencyKey(http), SandboxPsp.Fingerprint(http.Request, form), () => psp.CreateRefundAsync(form, ct), ct);
        });
        api.MapGet("/refunds/{id}", (string id, SandboxPsp psp, CancellationToken ct) => psp.GetRefundAsync(id, ct));
        api.MapGet("/refunds", (HttpContext http, SandboxPsp psp, CancellationToken ct) => psp.ListRefundsAsync(http.Request.Query["payment_intent"].FirstOrDefault(), ct));
        api.MapGet("/events", (HttpContext http, SandboxPsp psp, CancellationToken ct) =>
        {
            var query = http.Request.Query;
            // Stripe's timestamps are Unix seconds; anything outside the calendar is no filter at all.
            return psp.ListEventsAsync(long.TryParse(query["created[gte]"], out var since) && since is >= 0 and <= MaxUnixSeconds ? since : null,
                int.TryParse(query["limit"], out var limit) ? limit : 10, query["starting_after"].FirstOrDefault(), ct);
        });

        app.MapSandboxPaymentPages();
        return app;
    }

    /// <summary>The last second DateTimeOffset can hold (9999-12-31).</summary>
    internal const long MaxUnixSeconds = 253_402_300_799;

    private static string? IdempotencyKey(HttpContext http) => http.Request.Headers["Idempotency-Key"].FirstOrDefault();

    /// <summary>Authentication and injected faults in front of every API route; answers are Stripe-shaped JSON.</summary>
    private static async ValueTask<object?> StripeApiFilter(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        var faults = http.RequestServices.GetRequiredService<SandboxFaults>();
        var auth = http.Request.Headers.Authorization.ToString();
        var expected = "Bearer " + http.RequestServices.GetRequiredService<SandboxApiLocation>().ApiKey;
        if (!System.Security.Cryptography.CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(auth), Encoding.UTF8.GetBytes(expected)))
            return Write(SandboxAnswer.Error(401, "invalid_request_error", null, "Invalid API Key provided.", null));
        if (faults.Latency > TimeSpan.Zero) await Task.Delay(faults.Latency, http.RequestAborted);
        if (faults.TakeFailure())
        {
            http.Response.Headers["Stripe-Should-Retry"] = "true";
            return Write(SandboxAnswer.Error(500, "api_error", null, "Sandbox: an injected failure. Please retry.", null));
        }
        var slow = faults.TakeSlow();
        var result = await next(context);
        // A slow answer still takes effect, as at a real PSP whose client gave up waiting.
        if (slow) await Task.Delay(faults.SlowBy, CancellationToken.None);
        return result is SandboxAnswer answer ? Write(answer) : result;
    }

    private static IResult Write(SandboxAnswer answer) => new StripeJsonResult(answer);

    private sealed class StripeJsonResult(SandboxAnswer answer) : IResult
    {
        public async Task ExecuteAsync(HttpContext http)
        {
            http.Response.StatusCode = answer.Status;
            http.Response.ContentType = "application/json";
            http.Response.Headers["Request-Id"] = "req_sandbox_" + http.TraceIdentifier.Replace(":", "");
            if (answer.Replayed) http.Response.Headers["Idempotent-Replayed"] = "true";
            await http.Response.WriteAsync(answer.Body.ToJsonString());
        }
    }
}
