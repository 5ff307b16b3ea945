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

    /// <summary>A notice code in the shopper's words (the redirect's <c>?cart=</c>, the tile's answer).</summary>
    public static string? NoticeText(string? notice) => notice switch
    {
        "added" => "Added to your cart.",
        "changed" => "Your cart is updated.",
        "limit" => "You already have all we have left of that item in your cart.",
        "toomany" => $"A cart holds at most {OrderLimits.MaxQuantityPerLine} of one item.",
        "soldout" => "Sorry, that item has just sold out.",
        "unavailable" => "Sorry, that item is not sold at your store.",
        _ => null,
    };

    /// <summary>What a tile's script is told after a change: the SKU's quantity in the cart now, the cart's count, and a notice.</summary>
    public sealed record CartChangeAnswer(bool Ok, string Notice, string Text, int SkuId, int Quantity, int Count);

    public static IEndpointRouteBuilder MapCartActions(this IEndpointRouteBuilder app)
    {
        // The storefront's "Add" buttons and the tiles' − / + are plain forms: without script (or the interactive circuit)
        // they post and come back to the tile; site.js sends the same form with fetch and asks for JSON, so the page stays put.
        // The quantity is read as text: a number too big or no number at all is the cart's "toomany" answer (JSON to the
        // script, a notice without it), not the framework's HTML 400 page.
        app.MapPost("/cart/add", ([FromForm] int skuId, [FromForm] string? qty, [FromForm] string? returnUrl, HttpContext http,
            StoreDirectory stores, CartService carts) =>
            ChangeAsync(http, stores, carts, skuId, returnUrl, "added", (owner, store) => Quantity(qty, 1) is { } n
                ? carts.AddAsync(owner, store, skuId, Math.Max(n, 1))
                : throw TooMany()))
            .RequireAntiforgeryToken().ExcludeFromDescription();

        app.MapPost("/cart/set", ([FromForm] int skuId, [FromForm] string? qty, [FromForm] string? returnUrl, HttpContext http,
            StoreDirectory stores, CartService carts) =>
            ChangeAsync(http, stores, carts, skuId, returnUrl, "changed", (owner, store) => Quantity(qty, 0) is { } n
                ? carts.SetQuantityAsync(owner, store, skuId, Math.Max(n, 0))
                : throw TooMany()))
            .RequireAntiforgeryToken().ExcludeFromDescription();

        // What the header's badge shows: asked by site.js when changes from two tiles overlapped (their answers may each miss the other).
        app.MapGet("/cart/count", async (HttpContext http, StoreDirectory stores, CartService carts) =>
        {
            var store = await ShopperStore.CurrentAsync(http, stores);
            var count = store is null ? 0 : (await carts.QuantitiesAsync(EnsureOwner(http), store.Id)).Values.Sum();
            return Results.Json(new { count });
        }).ExcludeFromDescription();

        return app;
    }

    /// <summary>A form's quantity: absent is the default; a number up to the line's limit; anything else none.</summary>
    private static int? Quantity(string? text, int absent) =>
        string.IsNullOrEmpty(text) ? absent
        : int.TryParse(text, System.Globalization.NumberStyles.Integer, System.Globalization.CultureInfo.InvariantCulture, out var n) && n <= OrderLimits.MaxQuantityPerLine ? n
        : null;

    private static RequestRejectedException TooMany() =>
        new(new Dictionary<string, string[]> { ["qty"] = [$"A cart holds at most {OrderLimits.MaxQuantityPerLine} of one item."] }, CartRefusal.QuantityOutOfRange);

    private static async Task<IResult> ChangeAsync(HttpContext http, StoreDirectory stores, CartService carts, int skuId, string? returnUrl, string done,
        Func<CartOwner, int, Task> change)
    {
        var back = ReturnUrls.Safe(returnUrl);
        var wantsJson = http.Request.Headers.Accept.Any(a => a?.Contains("application/json", StringComparison.OrdinalIgnoreCase) == true);
        var store = await ShopperStore.CurrentAsync(http, stores);
        if (store is null)
            return wantsJson
                ? Results.Problem(statusCode: StatusCodes.Status409Conflict, title: "Choose your store first", detail: "Your cart and prices belong to a store.")
                : Results.LocalRedirect($"/store?returnUrl={Uri.EscapeDataString(back)}");
        var owner = EnsureOwner(http);
        string notice;
        try
        {
            await change(owner, store.Id);
            notice = done;
        }
        catch (RequestRejectedException rejected)
        {
            notice = NoticeFor(rejected);
        }
        catch (NotFoundException)
        {
            notice = "unavailable";
        }
        if (!wantsJson) return Results.LocalRedirect(WithNotice(back, notice, $"card-sku_{skuId}"));
        var quantities = await carts.QuantitiesAsync(owner, store.Id);
        return Results.Json(new CartChangeAnswer(notice == done, notice, NoticeText(notice)!, skuId, quantities.GetValueOrDefault(skuId), quantities.Values.Sum()));
    }

    /// <summary>The page the change came from, with its notice, and scrolled back to the tile that made it.</summary>
    private static string WithNotice(string url, string notice, string fragment)
    {
        var clean = url.Split('#')[0];
        // Drop an earlier notice so repeated adds do not pile up query parameters.
        var (path, query) = clean.Contains('?') ? (clean[..clean.IndexOf('?')], clean[(clean.IndexOf('?') + 1)..]) : (clean, "");
        var kept = query.Split('&', StringSplitOptions.RemoveEmptyEntries).Where(p => !p.StartsWith("cart=", StringComparison.Ordinal));
        return $"{path}?{string.Join('&', kept.Append("cart=" + notice))}#{fragment}";
    }
}
