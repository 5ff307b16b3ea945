using System.Globalization;
using System.Security;
using System.Text;

namespace QCommerce.Web.Catalog;

/// <summary>
/// Product pictures drawn on the fly: a soft tile in a colour of the product's own and its emoji.
/// Served from this host (no external URLs) and cached by browsers for a day.
/// </summary>
public static partial class ProductImages
{
    private static readonly string[] Palette = ["#FDECEC", "#FFF4E0", "#FFFBE0", "#EAF7EC", "#E6F4F1", "#E8F1FD", "#EFEAFB", "#FBEAF4"];

    public static IEndpointRouteBuilder MapProductImages(this IEndpointRouteBuilder app)
    {
        app.MapGet("/images/products/{slug}.svg", (string slug, string? e, HttpContext http) =>
        {
            if (slug.Length > 200 || !slug.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c == '-')) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=86400";
            return Results.Text(Draw(slug, IsEmoji(e) ? e! : "🛒"), "image/svg+xml; charset=utf-8", Encoding.UTF8);
        }).ExcludeFromDescription();
        return app;
    }

    /// <summary>
    /// Uploaded pictures, as ProductPictures wrote them: only names of its own shape are served (no path can climb out of
    /// the media folder), as WebP, cached for a year (a new picture is a new name).
    /// </summary>
    public static IEndpointRouteBuilder MapProductMedia(this IEndpointRouteBuilder app)
    {
        app.MapGet("/media/products/{productId:int}/{file}", (int productId, string file, HttpContext http,
            Microsoft.Extensions.Options.IOptions<QCommerce.Core.Catalog.MediaOptions> media) =>
        {
            if (productId <= 0 || !MediaName().IsMatch(file)) return Results.NotFound();
            var path = Path.Combine(media.Value.FullRoot, "products", productId.ToString(CultureInfo.InvariantCulture), file);
            if (!File.Exists(path)) return Results.NotFound();
            http.Response.Headers.CacheControl = "public, max-age=31536000, immutable";
            return Results.File(path, "image/webp");
        }).ExcludeFromDescription();
        return app;
    }

    [System.Text.RegularExpressions.GeneratedRegex("^[0-9a-f]{16}-(400|800)\\.webp$")]
    private static partial System.Text.RegularExpressions.Regex MediaName();

    internal static string Draw(string slug, string emoji)
    {
        var hash = 0u;
        foreach (var c in slug) hash = hash * 31 + c;
        var background = Palette[hash % (uint)Palette.Length];
        var tilt = ((int)(hash % 13) - 6).ToString(CultureInfo.InvariantCulture);
        return $"""
            <svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 400 400" role="img">
              <rect width="400" height="400" fill="{background}"/>
              <circle cx="200" cy="215" r="128" fill="#ffffff" opacity="0.65"/>
              <text x="200" y="262" font-size="150" text-anchor="middle" transform="rotate({tilt} 200 200)"
                font-family="'Noto Color Emoji','Apple Color Emoji','Segoe UI Emoji',sans-serif">{SecurityElement.Escape(emoji)}</text>
            </svg>
            """;
    }

    /// <summary>Only a few pictographic characters are drawn; anything else could smuggle markup.</summary>
    internal static bool IsEmoji(string? text) =>
        text is { Length: > 0 and <= 8 } && text.EnumerateRunes().All(r => r.Value is >= 0x2190 or 0xFE0F or 0x200D) && text.EnumerateRunes().Any(r => r.Value >= 0x2190 && r.Value != 0xFE0F && r.Value != 0x200D);
}
