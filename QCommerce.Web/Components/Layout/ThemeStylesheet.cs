using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Components.Web;
using MudBlazor;

namespace QCommerce.Web.Components.Layout;

/// <summary>
/// The storefront's MudBlazor theme (its CSS variables, about 12 KB) as one stylesheet rendered once per process and
/// served at a URL carrying its hash, cached by browsers for a year: MudThemeProvider would render the same CSS into
/// every page. The ops portal keeps its provider (its interactive pages use it).
/// </summary>
public sealed partial class ThemeStylesheet(IServiceScopeFactory scopes, ILoggerFactory loggers)
{
    public const string Path = "/theme.css";

    private readonly Lazy<Task<(string Css, string Version)>> _rendered = new(() => RenderAsync(scopes, loggers));

    /// <summary>The stylesheet's URL, with the version that changes whenever its content does.</summary>
    public async Task<string> UrlAsync() => $"{Path}?v={(await _rendered.Value).Version}";

    public async Task<string> CssAsync() => (await _rendered.Value).Css;

    public async Task<string> VersionAsync() => (await _rendered.Value).Version;

    private static async Task<(string Css, string Version)> RenderAsync(IServiceScopeFactory scopes, ILoggerFactory loggers)
    {
        await using var scope = scopes.CreateAsyncScope();
        await using var renderer = new HtmlRenderer(scope.ServiceProvider, loggers);
        var html = await renderer.Dispatcher.InvokeAsync(async () =>
            (await renderer.RenderComponentAsync<MudThemeProvider>(ParameterView.FromDictionary(new Dictionary<string, object?>
            {
                [nameof(MudThemeProvider.Theme)] = StoreTheme.Theme,
            }))).ToHtmlString());
        var css = string.Join("\n", StyleBlock().Matches(html).Select(m => m.Groups[1].Value.Trim()));
        var version = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(css)))[..12].ToLowerInvariant();
        return (css, version);
    }

    [GeneratedRegex(@"<style[^>]*>(.*?)</style>", RegexOptions.Singleline)]
    private static partial Regex StyleBlock();
}

public static class ThemeStylesheetEndpoint
{
    public static IEndpointRouteBuilder MapThemeStylesheet(this IEndpointRouteBuilder app)
    {
        app.MapGet(ThemeStylesheet.Path, async (ThemeStylesheet theme, HttpContext http, string? v) =>
        {
            // Kept for a year only under the version it is: during a rolling deploy another version's URL may reach an
            // instance still on the old theme, which must not be kept under the new name.
            http.Response.Headers.CacheControl = v == await theme.VersionAsync() ? "public, max-age=31536000, immutable" : "no-cache";
            return Results.Text(await theme.CssAsync(), "text/css; charset=utf-8");
        }).ExcludeFromDescription();
        return app;
    }
}
