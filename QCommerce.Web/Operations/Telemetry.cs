using System.Diagnostics.Metrics;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;
using Microsoft.Extensions.Options;
using QCommerce.Core.Common;

namespace QCommerce.Web.Operations;

/// <summary>
/// The <c>Telemetry</c> section of appsettings.json. Traces and metrics are on unless <see cref="Enabled"/> is false;
/// they leave the process at <c>/metrics</c> (Prometheus's text format) and, when an OTLP endpoint is configured
/// (<see cref="OtlpEndpoint"/> or the standard <c>OTEL_EXPORTER_OTLP_ENDPOINT</c>), to a collector.
/// </summary>
public sealed class TelemetryOptions
{
    public bool Enabled { get; set; } = true;

    /// <summary>An OpenTelemetry collector (http://collector:4317, gRPC); empty sends nothing.</summary>
    public string OtlpEndpoint { get; set; } = "";

    /// <summary>
    /// <c>/metrics</c> answers a request from this machine (loopback, after a trusted proxy's X-Forwarded-For) or one that
    /// brings this token as <c>Authorization: Bearer …</c> (Prometheus's <c>authorization.credentials</c>). Empty: loopback only.
    /// </summary>
    public string MetricsToken { get; set; } = "";

    public string ServiceName { get; set; } = "qcommerce";
}

public static class Telemetry
{
    public const string MetricsPath = "/metrics";

    public static WebApplicationBuilder AddQCommerceTelemetry(this WebApplicationBuilder builder)
    {
        var options = builder.Configuration.GetSection("Telemetry").Get<TelemetryOptions>() ?? new();
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration("Telemetry");
        if (!options.Enabled) return builder;

        var otlp = !string.IsNullOrWhiteSpace(options.OtlpEndpoint) || !string.IsNullOrWhiteSpace(builder.Configuration["OTEL_EXPORTER_OTLP_ENDPOINT"]);
        var telemetry = builder.Services.AddOpenTelemetry()
            .ConfigureResource(r => r.AddService(options.ServiceName, serviceInstanceId: $"{Environment.MachineName}:{Environment.ProcessId}"));
        // Spans are recorded only when a collector takes them: recorded for nobody they cost the cheapest reads a
        // measurable share (bench/telemetry.sh, docs/performance.md). The trace itself lives on without them: ASP.NET Core
        // continues the caller's traceparent, the logs carry its ids, and HttpClient passes it to the PSP.
        if (otlp)
            telemetry.WithTracing(t => t
                .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsPlumbing(context.Request.Path))
                .AddHttpClientInstrumentation()
                .AddEntityFrameworkCoreInstrumentation()
                .AddNpgsql()
                .AddOtlpExporter(o => Point(o, options)));
        telemetry
            .WithMetrics(m =>
            {
                // ASP.NET Core's request, connection and error meters; not its per-request routing, rate-limiting and
                // Blazor rendering meters, which every request would pay for and no dashboard reads.
                m.AddMeter("Microsoft.AspNetCore.Hosting", "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.Diagnostics")
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation()
                    // Gauges named *.count (the runtime's assemblies, CPUs, threads and timers; Npgsql's connections) would be
                    // *_count in Prometheus, which promtool's lint reserves for histograms: they lose the suffix
                    // (dotnet_thread_pool_thread, db_client_connection).
                    .AddView(i => i.Name.EndsWith(".count", StringComparison.Ordinal) && !IsHistogram(i)
                        ? new MetricStreamConfiguration { Name = i.Name[..^".count".Length] }
                        : null)
                    .AddMeter(QCommerceMetrics.MeterName, "Npgsql")
                    .AddPrometheusExporter();
                if (otlp) m.AddOtlpExporter(o => Point(o, options));
            });
        return builder;
    }

    private static bool IsHistogram(Instrument instrument) => instrument.GetType().IsGenericType && instrument.GetType().GetGenericTypeDefinition() == typeof(Histogram<>);

    /// <summary>Serves <c>/metrics</c> to who may read it; everyone else gets a 403 that says how to get in.</summary>
    public static WebApplication MapQCommerceMetrics(this WebApplication app)
    {
        var options = app.Services.GetRequiredService<IOptions<TelemetryOptions>>().Value;
        if (!options.Enabled) return app;
        // The exporter answers /metrics and every path below it (/metrics/, /METRICS/x): the gate covers them all.
        app.UseWhen(context => context.Request.Path.StartsWithSegments(MetricsPath) && !MayScrape(context, options.MetricsToken), denied => denied.Run(context =>
        {
            context.Response.StatusCode = StatusCodes.Status403Forbidden;
            return context.Response.WriteAsJsonAsync(new Microsoft.AspNetCore.Mvc.ProblemDetails
            {
                Status = 403,
                Title = "Metrics are not public",
                Detail = "/metrics answers requests from this machine, or with the token of Telemetry:MetricsToken as a bearer token.",
            }, options: null, contentType: "application/problem+json");
        }));
        app.UseOpenTelemetryPrometheusScrapingEndpoint(MetricsPath);
        return app;
    }

    internal static bool MayScrape(HttpContext context, string token)
    {
        if (context.Connection.RemoteIpAddress is { } ip && IPAddress.IsLoopback(ip)) return true;
        if (string.IsNullOrEmpty(token)) return false;
        var given = context.Request.Headers.Authorization.ToString();
        return given.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase)
            && CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(given[7..].Trim()), Encoding.UTF8.GetBytes(token));
    }

    /// <summary>
    /// Requests no trace is made of: scrapes, probes, Blazor's circuit and framework files, and files (a name with an
    /// extension: stylesheets, scripts, pictures). Each would be a trace of nothing, many times a page.
    /// </summary>
    private static bool IsPlumbing(PathString path) =>
        path.StartsWithSegments(MetricsPath) || path.StartsWithSegments("/health") || path.StartsWithSegments("/_framework") || path.StartsWithSegments("/_content")
        || path.StartsWithSegments("/_blazor") || Path.HasExtension(path.Value);

    private static void Point(OpenTelemetry.Exporter.OtlpExporterOptions o, TelemetryOptions options)
    {
        if (!string.IsNullOrWhiteSpace(options.OtlpEndpoint)) o.Endpoint = new Uri(options.OtlpEndpoint);
    }
}
