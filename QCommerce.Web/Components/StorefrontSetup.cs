using MudBlazor.Services;

namespace QCommerce.Web.Components;

public static class StorefrontSetup
{
    public static IServiceCollection AddStorefront(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents();
        services.AddCascadingAuthenticationState();
        services.AddHttpContextAccessor();
        services.AddSingleton<Layout.ThemeStylesheet>();
        services.AddSingleton<Store.Catalog.ProductGridCache>();
        services.AddMudServices(o =>
        {
            // The ops portal's outcomes: at the bottom where a thumb is, long enough to read, and shown at full
            // contrast at once (a fading-in message is unreadable for its first moments, and axe says so).
            o.SnackbarConfiguration.PositionClass = MudBlazor.Defaults.Classes.Position.BottomCenter;
            o.SnackbarConfiguration.ShowTransitionDuration = 0;
            o.SnackbarConfiguration.VisibleStateDuration = 6000;
            o.SnackbarConfiguration.PreventDuplicates = false;
            o.SnackbarConfiguration.MaxDisplayedSnackbars = 3;
        });
        return services;
    }
}
