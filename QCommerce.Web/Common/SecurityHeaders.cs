using System.Net;
using System.Security.Cryptography;
using Microsoft.AspNetCore.HttpOverrides;
using Microsoft.Extensions.Primitives;

namespace QCommerce.Web.Common;

/// <summary>
/// The headers every answer carries (architecture §7), and what makes the app right behind a TLS proxy:
/// forwarded headers from the proxies an operator names, HSTS on HTTPS, cookies marked Secure.
/// </summary>
public static class SecurityHeaders
{
    private const string NonceItem = "qc.csp-nonce";

    /// <summary>This response's script nonce: the one inline script a page may carry must bear it.</summary>
    public static string Nonce(HttpContext? http) => http?.Items[NonceItem] as string ?? "";

    /// <summary>
    /// Pages: scripts only from this origin or with this response's nonce (no eval: Blazor Server and MudBlazor
    /// need none); styles from this origin and inline, because Blazor and MudBlazor set style attributes
    /// and MudBlazor writes its theme as a style element; nothing may frame us, forms post only here.
    /// </summary>
    public static string PagePolicy(string nonce) =>
        "default-src 'self'; "
        + $"script-src 'self' 'nonce-{nonce}'; "
        + "style-src 'self' 'unsafe-inline'; "
        + "img-src 'self' data:; "
        + "font-src 'self' data:; "
        + "connect-src 'self'; "
        + "object-src 'none'; "
        + "base-uri 'self'; "
        + "form-action 'self'; "
        + "frame-ancestors 'none'";

    /// <summary>JSON is never a document: nothing in it may load, run or be framed.</summary>
    public const string ApiPolicy = "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

    /// <summary>
    /// The API reference (Scalar) renders its page with an inline configuration script and inline styles
    /// of its own; it is documentation, served from this host, reading only this host's OpenAPI document.
    /// </summary>
    public const string ApiReferencePolicy =
        "default-src 'self'; script-src 'self' 'unsafe-inline'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; font-src 'self' data:; "
        + "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'";

    public static IServiceCollection AddQCommerceSecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.Configure<ForwardedHeadersOptions>(o =>
        {
            o.ForwardedHeaders = ForwardedHeaders.XForwardedFor | ForwardedHeaders.XForwardedProto;
            // Trusted by default: a proxy on this machine (loopback). Naming proxies or networks replaces that.
            var proxies = configuration.GetSection("ForwardedHeaders:KnownProxies").Get<string[]>() ?? [];
            var networks = configuration.GetSection("ForwardedHeaders:KnownNetworks").Get<string[]>() ?? [];
            if (proxies.Length + networks.Length == 0) return;
            o.KnownProxies.Clear();
            o.KnownIPNetworks.Clear();
            foreach (var proxy in proxies) o.KnownProxies.Add(IPAddress.Parse(proxy));
            foreach (var network in networks) o.KnownIPNetworks.Add(System.Net.IPNetwork.Parse(network));
        });
        services.AddHsts(o =>
        {
            o.MaxAge = TimeSpan.FromDays(365);
            o.IncludeSubDomains = configuration.GetValue("Hsts:IncludeSubDomains", false);
        });
        services.AddAntiforgery(o =>
        {
            o.Cookie.SecurePolicy = CookieSecurePolicy.SameAsRequest;
            o.Cookie.SameSite = SameSiteMode.Strict;
        });
        return services;
    }

    /// <summary>First in the pipeline: the client's address and scheme as the trusted proxy saw them.</summary>
    public static WebApplication UseQCommerceProxySupport(this WebApplication app)
    {
        app.UseForwardedHeaders();
        // Only on HTTPS (directly or through the proxy), and not for localhost: a browser would remember it for a year.
        if (!app.Environment.IsDevelopment()) app.UseHsts();
        return app;
    }

    private static readonly StringValues NoSniff = "nosniff", Deny = "DENY", Referrer = "strict-origin-when-cross-origin",
        Permissions = "camera=(), microphone=(), geolocation=()", Api = ApiPolicy, ApiReference = ApiReferencePolicy;

    /// <summary>
    /// Set as the response starts, so an error answer (whose headers the exception handler clears) carries them too.
    /// Only pages get a nonce: the API and the health checks, most of the traffic, pay for nothing they do not use.
    /// </summary>
    public static IApplicationBuilder UseSecurityHeaders(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        var path = context.Request.Path;
        if (!ApiPaths.IsApi(path) && !path.StartsWithSegments("/openapi") && !path.StartsWithSegments("/health") && !path.StartsWithSegments("/api-docs"))
        {
            Span<byte> random = stackalloc byte[16];
            RandomNumberGenerator.Fill(random);
            context.Items[NonceItem] = Convert.ToHexString(random); // hex: a valid nonce that no HTML or header encoding alters
        }
        context.Response.OnStarting(SetHeadersAsync, context);
        return next(context);
    });

    private static Task SetHeadersAsync(object state)
    {
        var context = (HttpContext)state;
        var headers = context.Response.Headers;
        headers.XContentTypeOptions = NoSniff;
        // One framing rule, said twice: frame-ancestors for today's browsers, X-Frame-Options for old ones.
        headers.XFrameOptions = Deny;
        headers["Referrer-Policy"] = Referrer;
        headers["Permissions-Policy"] = Permissions;
        headers.ContentSecurityPolicy = context.Items[NonceItem] is string nonce ? PagePolicy(nonce)
            : context.Request.Path.StartsWithSegments("/api-docs") ? ApiReference
            : Api;
        return Task.CompletedTask;
    }
}
