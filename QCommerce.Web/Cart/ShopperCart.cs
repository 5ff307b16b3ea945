using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Cart;
using QCommerce.Core.Common;
using QCommerce.Core.Ordering;
using QCommerce.Core.Stores;
using QCommerce.Web.Common;
using QCommerce.Web.Stores;

namespace QCommerce.Web.Cart;

/// <summary>
/// Whose cart a browser request means: the signed-in shopper's, else the one named by the
/// <c>qc_cart</c> cookie (a random id, created on the first "Add"). At sign-in the two are merged.
/// </summary>
public static class ShopperCart
{
    public const string CookieName = "qc_cart";

    /// <summary>The cart owner of this request, or null for a visitor who never added anything.</summary>
    public static CartOwner? Owner(HttpContext? http)
    {
        if (http is null) return null;
        if (http.User.FindFirstValue(ClaimTypes.NameIdentifier) is { } userId) return CartOwner.User(userId);
        return Guid.TryParse(http.Request.Cookies[CookieName], out var id) ? CartOwner.Anonymous(id) : null;
    }

    private static CartOwner EnsureOwner(HttpContext http)
    {
        if (Owner(http) is { } owner) return owner;
        var id = Guid.NewGuid();
        http.Response.Cookies.Append(CookieName, id.ToString(), new CookieOptions
        {
            HttpOnly = true,
            IsEssential = true,
            SameSite = SameSiteMode.Lax,
            Secure = http.Request.IsHttps,
            MaxAge = TimeSpan.FromDays(30),
        });
        return CartOwner.Anonymous(id);
    }

    /// <summary>Called right after a successful sign-in: the browser's cart joins the account's.</summary>
    public static async Task MergeAtSignInAsync(HttpContext http, CartService carts, string userId)
    {
        if (!Guid.TryParse(http.Request.Cookies[CookieName], out var anonymousId)) return;
        await carts.MergeAsync(anonymousId, userId);
        http.Response.Cookies.Delete(CookieName);
    }

    /// <summary>
    /// Why an "Add" did not happen, as a short code the page turns into a sentence (a redirect cannot carry Core's
    /// sentence safely), chosen by the cart's reason, never by its wording.
    /// </summary>
    public static string NoticeFor(RequestRejectedException rejected) => rejected.Reason switch
    {
        CartRefusal.SoldOut => "soldout",
        CartRefusal.NotEnoughLeft => "limit",
        CartRefusal.QuantityOutOfRange => "toomany",
        _ => "unavailable",
    };

    public static IEndpointRouteBuilder MapCartActions(this IEndpointRouteBuilder app)
    {
        // The storefront's "Add to cart" buttons are plain forms: they work before (and without) the interactive circuit.
        app.MapPost("/cart/add", async ([FromForm] int skuId, [FromForm] int? qty, [FromForm] string? returnUrl, HttpContext http,
            StoreDirectory stores, CartService carts) =>
        {
            var back = ReturnUrls.Safe(returnUrl);
            var store = await ShopperStore.CurrentAsync(http, stores);
            if (store is null) return Results.LocalRedirect($"/store?returnUrl={Uri.EscapeDataString(back)}");
            string notice;
            try
            {
                await carts.AddAsync(EnsureOwner(http), store.Id, skuId, Math.Clamp(qty ?? 1, 1, OrderLimits.MaxQuantityPerLine));
                notice = "added";
            }
            catch (RequestRejectedException rejected)
            {
                notice = NoticeFor(rejected);
            }
            catch (NotFoundException)
            {
                notice = "unavailable";
            }
            return Results.LocalRedirect(WithNotice(back, notice));
        }).RequireAntiforgeryToken().ExcludeFromDescription();

        return app;
    }

    private static string WithNotice(string url, string notice)
    {
        var clean = url.Split('#')[0];
        // Drop an earlier notice so repeated adds do not pile up query parameters.
        var (path, query) = clean.Contains('?') ? (clean[..clean.IndexOf('?')], clean[(clean.IndexOf('?') + 1)..]) : (clean, "");
        var kept = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("cart=", StringComparison.Ordinal));
        return $"{path}?{string.Join('&', kept.Append("cart=" + notice))}";
    }
}
