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
        },
        Typography = new Typography
        {
            Default = new DefaultTypography { FontFamily = ["system-ui", "-apple-system", "Segoe UI", "Roboto", "Helvetica Neue", "Arial", "sans-serif"] },
        },
        LayoutProperties = new LayoutProperties { DefaultBorderRadius = "12px" },
    };
}
