using MudBlazor;

namespace QCommerce.Web.Components.Layout;

public static class StoreTheme
{
    public static readonly MudTheme Theme = new()
    {
        PaletteLight = new PaletteLight
        {
            Primary = "#0B7A4B",
            Secondary = "#FFB800",
            Error = "#B3261E",
            Warning = "#A15C00",
            Success = "#166B2C", // white text on it stays above 4.5:1 even while a snackbar fades in
            AppbarBackground = "#0B7A4B",
            Background = "#F6F7F5",
            // MudBlazor's 0.54 black is #757575 on white, 4.6:1: a field's label passing through its animation dips under 4.5:1.
            TextSecondary = "rgba(0,0,0,0.62)",
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "12px" },
    };
}
