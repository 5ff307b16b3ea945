using MudBlazor.Services;

namespace QCommerce.Web.Components;

public static class StorefrontSetup
{
    public static IServiceCollection AddStorefront(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor();
        services.AddMudServices();
        return services;
    }
}
