using MudBlazor.Services;

namespace QCommerce.Web.Components;

public static class StorefrontSetup
{
    public static IServiceCollection AddStorefront(this IServiceCollection services)
    {
        services.AddRazorComponents().AddInteractiveServerComponents(o =>
        {
            // What a live page holds once its browser is gone (bench/live-pages.sh weighs a page: under 200 KB). A phone
            // that lost its signal comes back within seconds or not at all, so its circuit is kept a minute, not three,
            // and at most 100 are kept (under 20 MB), the oldest given up first. Our live pages keep nothing a reload
            // loses (the cart and the order are in the database), so a circuit given up costs the shopper a reload.
            o.DisconnectedCircuitRetentionPeriod = TimeSpan.FromMinutes(1);
            o.DisconnectedCircuitMaxRetained = 100;
        });
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
