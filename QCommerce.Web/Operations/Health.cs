using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using QCommerce.Core.Ops;
using QCommerce.Core.Payments;

namespace QCommerce.Web.Operations;

/// <summary>
/// <c>/health/live</c>: the process serves requests (nothing else is checked: restarting an instance fixes no database).
/// <c>/health/ready</c>: it can do its work: the database answers, the outbox delivers, the payment provider's circuit is
/// closed. A load balancer sends shoppers only to a ready instance; the JSON answer says which check failed and why.
/// </summary>
public static class Health
{
    private const string Ready = "ready";

    public static IServiceCollection AddQCommerceHealth(this IServiceCollection services)
    {
        services.AddHealthChecks()
            .AddCheck<DatabaseReadiness>("database", tags: [Ready])
            .AddCheck<OutboxReadiness>("outbox", tags: [Ready])
            .AddCheck<PspCircuitReadiness>("payment-provider", HealthStatus.Degraded, tags: [Ready]);
        return services;
    }

    public static WebApplication MapQCommerceHealth(this WebApplication app)
    {
        app.MapHealthChecks("/health/live", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions
        {
            Predicate = check => check.Tags.Contains(Ready),
            ResponseWriter = WriteAsync,
            ResultStatusCodes =
            {
                [HealthStatus.Healthy] = StatusCodes.Status200OK,
                // Card payments paused, everything else works: still ready (cash on delivery is offered meanwhile).
                [HealthStatus.Degraded] = StatusCodes.Status200OK,
                [HealthStatus.Unhealthy] = StatusCodes.Status503ServiceUnavailable,
            },
        });
        return app;
    }

    private static Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json";
        context.Response.Headers.CacheControl = "no-store";
        return JsonSerializer.SerializeAsync(context.Response.Body, new
        {
            status = report.Status.ToString(),
            checks = report.Entries.ToDictionary(e => e.Key, e => new
            {
                status = e.Value.Status.ToString(),
                description = e.Value.Description,
                durationMs = Math.Round(e.Value.Duration.TotalMilliseconds, 1),
            }),
        }, JsonSerializerOptions.Web, context.RequestAborted);
    }
}
