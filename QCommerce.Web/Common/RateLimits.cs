using System.Globalization;
using System.Security.Claims;
using System.Threading.RateLimiting;
using Microsoft.AspNetCore.RateLimiting;
using QCommerce.Core.Common;

namespace QCommerce.Web.Common;

/// <summary>The named limits of <c>RateLimits</c> in appsettings.json (architecture §7).</summary>
public static class RateLimitPolicies
{
    /// <summary>Sign-in attempts per client address (the API's login and the storefront's form).</summary>
    public const string SignInPerClient = "SignInPerClient";

    /// <summary>Sign-in attempts per account, whatever address they come from (lockout counts only wrong passwords).</summary>
    public const string SignInPerAccount = "SignInPerAccount";

    public const string RegistrationPerClient = "RegistrationPerClient";
    public const string RegistrationPerAccount = "RegistrationPerAccount";

    /// <summary>Orders placed per signed-in user.</summary>
    public const string OrdersPerUser = "OrdersPerUser";

    /// <summary>Payments started or retried per signed-in user.</summary>
    public const string PaymentsPerUser = "PaymentsPerUser";

    /// <summary>Requests that give money back (a paid order's cancellation, a refund) per signed-in user.</summary>
    public const string RefundsPerUser = "RefundsPerUser";

    /// <summary>Account messages asked (a password reset, a confirmation sent again, a new address) per client address.</summary>
    public const string AccountMailPerClient = "AccountMailPerClient";

    /// <summary>Account messages asked per account, whatever address they come from: nobody's inbox is flooded through us.</summary>
    public const string AccountMailPerAccount = "AccountMailPerAccount";
}

/// <summary>One limit: at most <see cref="PermitLimit"/> requests per <see cref="Window"/> and key.</summary>
public sealed class RateLimitSettings
{
    public int PermitLimit { get; set; } = 10;
    public TimeSpan Window { get; set; } = TimeSpan.FromMinutes(1);
}

/// <summary>
/// Too many requests of one kind from one client or user: nothing was done. The storefront shows the
/// message (it is a <see cref="DomainException"/>, like every refusal a page already shows); the API answers 429.
/// </summary>
public sealed class TooManyRequestsException(TimeSpan retryAfter)
    : DomainException($"That was a lot of tries in a short time. Wait {Wait(retryAfter)} and try again; nothing was changed.")
{
    public TimeSpan RetryAfter { get; } = retryAfter;

    public static int Seconds(TimeSpan retryAfter) => Math.Max(1, (int)Math.Ceiling(retryAfter.TotalSeconds));

    /// <summary>The wait as people say it: "40 seconds", "15 minutes".</summary>
    public static string Wait(TimeSpan retryAfter)
    {
        var seconds = Seconds(retryAfter);
        if (seconds < 90) return seconds == 1 ? "a second" : $"{seconds} seconds";
        var minutes = (int)Math.Ceiling(seconds / 60.0);
        return $"{minutes} minutes";
    }
}

/// <summary>
/// The counters behind every limit, one fixed window per key. The API's rate-limiter middleware and the
/// storefront's interactive pages (whose clicks never pass the middleware) draw on the same counters, so
/// a user's orders count once whether they come from the app or the browser. Counters live in this
/// instance's memory: behind a load balancer each instance counts on its own.
/// </summary>
public sealed class RateLimits : IAsyncDisposable
{
    private readonly Dictionary<string, PartitionedRateLimiter<string>> _limiters;
    private readonly ILogger _logger;

    public RateLimits(IConfiguration configuration, ILogger<RateLimits>? logger = null)
    {
        _logger = logger ?? (ILogger)Microsoft.Extensions.Logging.Abstractions.NullLogger.Instance;
        var section = configuration.GetSection("RateLimits");
        _limiters = new[]
        {
            RateLimitPolicies.SignInPerClient, RateLimitPolicies.SignInPerAccount, RateLimitPolicies.RegistrationPerClient,
            RateLimitPolicies.RegistrationPerAccount, RateLimitPolicies.OrdersPerUser, RateLimitPolicies.PaymentsPerUser, RateLimitPolicies.RefundsPerUser,
            RateLimitPolicies.AccountMailPerClient, RateLimitPolicies.AccountMailPerAccount,
        }.ToDictionary(name => name, name =>
        {
            var settings = section.GetSection(name).Get<RateLimitSettings>() ?? new RateLimitSettings();
            if (settings.PermitLimit < 1 || settings.Window <= TimeSpan.Zero)
                throw new InvalidOperationException($"RateLimits:{name} needs a PermitLimit of at least 1 and a positive Window.");
            return PartitionedRateLimiter.Create<string, string>(key => RateLimitPartition.GetFixedWindowLimiter(key, _ => new FixedWindowRateLimiterOptions
            {
                PermitLimit = settings.PermitLimit,
                Window = settings.Window,
                QueueLimit = 0,
                AutoReplenishment = true,
            }));
        }, StringComparer.Ordinal);
    }

    public PartitionedRateLimiter<string> For(string policy) => _limiters[policy];

    /// <summary>
    /// The account an email names, as a counter's key: normalised as Identity finds accounts (Unicode NFC, upper case),
    /// so "K" and the Kelvin sign "K" are one account here as they are there; bounded, so a megabyte "email" is not a
    /// megabyte key.
    /// </summary>
    public static string AccountKey(Microsoft.AspNetCore.Identity.ILookupNormalizer normalizer, string email)
    {
        var trimmed = email.Trim();
        return normalizer.NormalizeName(trimmed.Length > 254 ? trimmed[..254] : trimmed) ?? "";
    }

    /// <summary>Counts one request; throws <see cref="TooManyRequestsException"/> when the key is over its limit.</summary>
    public void Enforce(string policy, string key)
    {
        using var lease = For(policy).AttemptAcquire(key);
        if (lease.IsAcquired) return;
        var retryAfter = RetryAfterOf(lease);
        // The key (an email, a user id) stays out of the log: which limit, and for how long, is what an operator acts on.
        _logger.LogWarning("Rate limit {Policy} reached; refused for {Seconds} s", policy, TooManyRequestsException.Seconds(retryAfter));
        throw new TooManyRequestsException(retryAfter);
    }

    internal static TimeSpan RetryAfterOf(RateLimitLease lease) =>
        lease.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : TimeSpan.FromSeconds(1);

    public async ValueTask DisposeAsync()
    {
        foreach (var limiter in _limiters.Values) await limiter.DisposeAsync();
    }
}

public static class RateLimitingSetup
{
    public static IServiceCollection AddQCommerceRateLimits(this IServiceCollection services)
    {
        services.AddSingleton<RateLimits>();
        services.AddRateLimiter(o =>
        {
            o.AddPolicy<string>(RateLimitPolicies.SignInPerClient, new SharedPolicy(RateLimitPolicies.SignInPerClient, PostsFromClient));
            o.AddPolicy<string>(RateLimitPolicies.RegistrationPerClient, new SharedPolicy(RateLimitPolicies.RegistrationPerClient, PostsFromClient));
            o.AddPolicy<string>(RateLimitPolicies.AccountMailPerClient, new SharedPolicy(RateLimitPolicies.AccountMailPerClient, PostsFromClient));
            o.AddPolicy<string>(RateLimitPolicies.OrdersPerUser, new SharedPolicy(RateLimitPolicies.OrdersPerUser, SignedInUser));
            o.AddPolicy<string>(RateLimitPolicies.PaymentsPerUser, new SharedPolicy(RateLimitPolicies.PaymentsPerUser, SignedInUser));
            o.AddPolicy<string>(RateLimitPolicies.RefundsPerUser, new SharedPolicy(RateLimitPolicies.RefundsPerUser, SignedInUser));
            o.OnRejected = OnRejectedAsync;
        });
        return services;
    }

    /// <summary>The client's address as the trusted proxy chain reports it (forwarded headers run first).</summary>
    public static string ClientKey(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";

    /// <summary>Only a submitted form or API call counts: showing the sign-in page is free.</summary>
    private static string? PostsFromClient(HttpContext http) => HttpMethods.IsPost(http.Request.Method) ? ClientKey(http) : null;

    /// <summary>Anonymous calls are answered 401 by authorization; they count nothing here.</summary>
    private static string? SignedInUser(HttpContext http) => http.User.FindFirstValue(ClaimTypes.NameIdentifier);

    /// <summary>Where the storefront's status page finds how long to ask the shopper to wait.</summary>
    public const string RetryAfterItem = "qc.retry-after-seconds";

    private static async ValueTask OnRejectedAsync(OnRejectedContext context, CancellationToken ct)
    {
        var http = context.HttpContext;
        var retryAfter = RateLimits.RetryAfterOf(context.Lease);
        http.RequestServices.GetRequiredService<ILogger<RateLimits>>().LogWarning("Rate limit reached on {Method} {Route}; answered 429, retry after {Seconds} s",
            http.Request.Method, http.GetEndpoint()?.DisplayName, TooManyRequestsException.Seconds(retryAfter));
        await WriteTooManyAsync(http, retryAfter);
    }

    /// <summary>429 with Retry-After: problem details for the API, the storefront's status page for a browser.</summary>
    public static async Task WriteTooManyAsync(HttpContext http, TimeSpan retryAfter)
    {
        var seconds = TooManyRequestsException.Seconds(retryAfter);
        http.Response.StatusCode = StatusCodes.Status429TooManyRequests;
        http.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        http.Items[RetryAfterItem] = seconds;
        if (!ApiPaths.IsApi(http.Request.Path)) return; // the status-code page re-executes and explains
        await http.RequestServices.GetRequiredService<IProblemDetailsService>().WriteAsync(new ProblemDetailsContext
        {
            HttpContext = http,
            ProblemDetails =
            {
                Status = StatusCodes.Status429TooManyRequests,
                Title = "Too many requests",
                Detail = $"Too many requests of this kind in a short time; nothing was done. Try again in {seconds} s.",
            },
        });
    }

    /// <summary>
    /// A middleware policy whose counters are the shared <see cref="RateLimits"/>: the partition's limiter is a
    /// thin view of one key of the shared limiter, cheap to create and to throw away when the middleware idles it out.
    /// </summary>
    private sealed class SharedPolicy(string policy, Func<HttpContext, string?> keyOf) : IRateLimiterPolicy<string>
    {
        public Func<OnRejectedContext, CancellationToken, ValueTask>? OnRejected => null;

        public RateLimitPartition<string> GetPartition(HttpContext httpContext)
        {
            if (keyOf(httpContext) is not { } key) return RateLimitPartition.GetNoLimiter("");
            var shared = httpContext.RequestServices.GetRequiredService<RateLimits>().For(policy);
            return RateLimitPartition.Get(key, k => new KeyView(shared, k));
        }
    }

    private sealed class KeyView(PartitionedRateLimiter<string> shared, string key) : RateLimiter
    {
        // Never idle for long: the middleware drops the view, and the shared limiter keeps the count.
        public override TimeSpan? IdleDuration => TimeSpan.MaxValue;

        public override RateLimiterStatistics? GetStatistics() => shared.GetStatistics(key);

        protected override RateLimitLease AttemptAcquireCore(int permitCount) => shared.AttemptAcquire(key, permitCount);

        protected override ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken) =>
            shared.AcquireAsync(key, permitCount, cancellationToken);
    }
}
