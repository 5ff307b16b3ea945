using QCommerce.Core.Messages;

namespace QCommerce.Web.Messages;

public static class MessagesSetup
{
    /// <summary>What Core's messages need of the web project: the Razor renderer, the site's address, and the pickup folder under the content root.</summary>
    public static IServiceCollection AddMessages(this IServiceCollection services, string contentRoot)
    {
        services.AddSingleton<IMailRenderer, MailRenderer>();
        services.AddSingleton<ISiteAddress, SiteAddress>();
        services.PostConfigure<MailOptions>(o => o.PickupDirectory = Path.Combine(contentRoot, o.PickupDirectory));
        return services;
    }
}
