using System.Security.Claims;
using QCommerce.Core.Cart;
using QCommerce.Core.Common;
using QCommerce.Core.Ordering;
using QCommerce.Web.Common;
using QCommerce.Web.Stores;

namespace QCommerce.Web.Ordering;

/// <summary>The storefront's plain form posts about orders.</summary>
public static class OrderForms
{
    public static IEndpointRouteBuilder MapOrderForms(this IEndpointRouteBuilder app)
    {
        // Reorder: what is still sold and in stock goes into the cart, the rest is reported.
        app.MapPost("/orders/{orderId:int}/reorder", async (int orderId, HttpContext http, OrderQueries orders, CartService carts) =>
        {
            var userId = http.User.FindFirstValue(ClaimTypes.NameIdentifier)!;
            var order = await orders.FindAsync(userId, orderId);
            if (order is null) return Results.LocalRedirect("/orders?missing=1");
            ShopperStore.Remember(http, order.Store.Id);
            var added = 0;
            var skipped = new List<string>();
            foreach (var line in order.Lines.GroupBy(l => l.SkuId))
            {
                try
                {
                    await carts.AddAsync(CartOwner.User(userId), order.Store.Id, line.Key, line.Sum(l => l.Quantity));
                    added++;
                }
                catch (RequestRejectedException rejected)
                {
                    skipped.Add($"{line.Key}:{Cart.ShopperCart.NoticeFor(rejected)}"); // sold out, fewer left than ordered
                }
                catch (DomainException)
                {
                    skipped.Add($"{line.Key}:unavailable"); // no longer sold here
                }
            }
            // The cart page names what did not go in, from the order's own lines.
            return Results.LocalRedirect($"/cart?reordered={added}&from={orderId}&skipped={string.Join(',', skipped.Take(20))}");
        }).RequireAuthorization().RequireAntiforgeryToken().ExcludeFromDescription();

        return app;
    }
}
