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
            Success = "#1E7D32",
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
