using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Stores;
using QCommerce.Web.Common;

namespace QCommerce.Web.Stores;

/// <summary>The dark store a shopper shops from, remembered in a cookie so every page prices for it.</summary>
public static class ShopperStore
{
    public const string CookieName = "qc_store";

    public static async Task<StoreSummary?> CurrentAsync(HttpContext? http, StoreDirectory stores, CancellationToken ct = default)
    {
        var raw = http?.Request.Cookies[CookieName];
        return int.TryParse(raw, out var id) ? await stores.FindAsync(id, ct) : null;
    }

    /// <summary>Remembers the shopper's store for the next 180 days.</summary>
    public static void Remember(HttpContext http, int storeId) =>
        http.Response.Cookies.Append(CookieName, storeId.ToString(System.Globalization.CultureInfo.InvariantCulture), new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(180),
        });

    public static IEndpointRouteBuilder MapStoreSelection(this IEndpointRouteBuilder app)
    {
        app.MapPost("/store/select", async ([FromForm] int storeId, [FromForm] string? returnUrl, HttpContext http, StoreDirectory stores) =>
        {
            if (await stores.FindAsync(storeId) is null) return Results.LocalRedirect("/store?unknown=1");
            Remember(http, storeId);
            return Results.LocalRedirect(ReturnUrls.Safe(returnUrl));
        }).RequireAntiforgeryToken().ExcludeFromDescription();
        return app;
    }
}
