using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Stores;
using QCommerce.Web.Common;

namespace QCommerce.Web.Stores;

/// <summary>The dark store a shopper shops from, remembered in a cookie so every page prices for it.</summary>
public static class ShopperStore
{
    public const string CookieName = "qc_store";

    /// <summary>The zip the store was chosen for: checkout starts a new address from it.</summary>
    public const string ZipCookieName = "qc_zip";

    public static async Task<StoreSummary?> CurrentAsync(HttpContext? http, StoreDirectory stores, CancellationToken ct = default)
    {
        var raw = http?.Request.Cookies[CookieName];
        return int.TryParse(raw, out var id) ? await stores.FindAsync(id, ct) : null;
    }

    /// <summary>The zip the shopper chose their store for, if it is one the store delivers to.</summary>
    public static string? Zip(HttpContext? http, StoreSummary store) =>
        Zips.Normalize(http?.Request.Cookies[ZipCookieName]) is { } zip && store.DeliveryZips.Contains(zip) ? zip : null;

    /// <summary>Remembers the shopper's store (and the zip they chose it for) for the next 180 days.</summary>
    public static void Remember(HttpContext http, int storeId, string? zip = null)
    {
        var options = new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(180),
        };
        http.Response.Cookies.Append(CookieName, storeId.ToString(System.Globalization.CultureInfo.InvariantCulture), options);
        if (Zips.Normalize(zip) is { } normalized) http.Response.Cookies.Append(ZipCookieName, normalized, options);
    }

    public static IEndpointRouteBuilder MapStoreSelection(this IEndpointRouteBuilder app)
    {
        app.MapPost("/store/select", async ([FromForm] int storeId, [FromForm] string? zip, [FromForm] string? returnUrl, HttpContext http, StoreDirectory stores) =>
        {
            if (await stores.FindAsync(storeId) is null) return Results.LocalRedirect("/store?unknown=1");
            Remember(http, storeId, zip);
            return Results.LocalRedirect(ReturnUrls.Safe(returnUrl));
        }).RequireAntiforgeryToken().ExcludeFromDescription();
        return app;
    }
}
