using QCommerce.Core.Webhooks;

namespace QCommerce.Web.Webhooks;

public static class WebhooksSetup
{
    /// <summary>
    /// Where endpoints may point when configuration does not say: a developer's receiver on localhost over http works in
    /// Development and Testing; everywhere else only https to public addresses (<c>Webhooks:AllowPrivateTargets</c> and
    /// <c>Webhooks:RequireHttps</c> say otherwise, for a receiver inside the operator's own network).
    /// </summary>
    public static IServiceCollection AddWebhookDefaults(this IServiceCollection services, IHostEnvironment environment)
    {
        var local = environment.IsDevelopment() || environment.IsEnvironment("Testing");
        services.PostConfigure<WebhookOptions>(o =>
        {
            o.AllowPrivateTargets ??= local;
            o.RequireHttps ??= !local;
        });
        return services;
    }
}
