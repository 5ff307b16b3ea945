using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Cart;
using QCommerce.Core.Catalog;
using QCommerce.Core.Common;
using QCommerce.Web.Catalog;
using QCommerce.Web.Common;

namespace QCommerce.Web.Cart;

public sealed record CartLineDto(
    SkuId SkuId, ProductId ProductId, string Title, string Brand, string Size, string? ImageUrl, int Qty,
    MoneyDto? UnitPrice, MoneyDto? PreviousUnitPrice, MoneyDto? LineTotal, AvailabilityDto Availability, string? Problem);

public sealed record CartDto(
    StoreId StoreId, IReadOnlyList<CartLineDto> Items, int ItemCount, MoneyDto Subtotal, MoneyDto DeliveryFee, MoneyDto Tax, MoneyDto Total,
    MoneyDto? AmountToFreeDelivery, bool HasPriceChanges, bool CanCheckout)
{
    public static CartDto From(CartView c) => new(
        StoreId.Of(c.Store.Id),
        c.Lines.Select(l => new CartLineDto(SkuId.Of(l.SkuId), ProductId.Of(l.ProductId), l.Title, l.Brand, l.SizeLabel, l.ImageUrl, l.Quantity,
            MoneyDto.From(l.UnitPrice), MoneyDto.From(l.PreviousPrice), MoneyDto.From(l.LineTotal), AvailabilityDto.From(l.Availability)!, l.Problem)).ToList(),
        c.ItemCount, MoneyDto.From(c.Price.Subtotal), MoneyDto.From(c.Price.DeliveryFee), MoneyDto.From(c.Price.Tax), MoneyDto.From(c.Price.Total),
        MoneyDto.From(c.AmountToFreeDelivery), c.HasPriceChanges, c.CanCheckout);
}

public sealed record CartQuantityRequest(int? Qty);

/// <summary>The caller's cart at one store (<c>?storeId=st_1</c>): a cart belongs to a shopper and a store.</summary>
public static class CartApi
{
    public static RouteGroupBuilder MapCartApi(this RouteGroupBuilder v1)
    {
        var cart = v1.MapGroup("/cart").WithTags("Cart").RequireAuthorization();

        cart.MapGet("/", async Task<Results<Ok<CartDto>, ValidationProblem>> (string? storeId, ClaimsPrincipal user, CartService carts, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            var store = RequiredStore(errors, storeId);
            if (errors.Any) return errors.ToProblem();
            return TypedResults.Ok(CartDto.From(await carts.ViewAsync(CartOwner.User(ApiUser.Id(user)), store, ct)));
        })
        .WithSummary("The caller's cart at a store, revalidated: current prices, price changes and stock problems.")
        .ProducesProblem(404);

        cart.MapPut("/items/{skuId}", async Task<Results<Ok<CartDto>, ValidationProblem>> (string skuId, string? storeId, [FromBody] CartQuantityRequest? body, ClaimsPrincipal user,
            CartService carts, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            var store = RequiredStore(errors, storeId);
            var sku = RequiredSku(errors, skuId);
            if (body?.Qty is null) errors.Add("qty", "Send {\"qty\": n}; 0 removes the item.");
            if (errors.Any) return errors.ToProblem();
            return TypedResults.Ok(CartDto.From(await carts.SetQuantityAsync(CartOwner.User(ApiUser.Id(user)), store, sku, body!.Qty!.Value, ct)));
        })
        .WithSummary("Sets the quantity of a SKU in the cart; 0 removes it. More than the store has is refused.")
        .Accepts<CartQuantityRequest>("application/json")
        .ProducesValidationProblem(422).ProducesProblem(404);

        cart.MapDelete("/items/{skuId}", async Task<Results<Ok<CartDto>, ValidationProblem>> (string skuId, string? storeId, ClaimsPrincipal user, CartService carts, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            var store = RequiredStore(errors, storeId);
            var sku = RequiredSku(errors, skuId);
            if (errors.Any) return errors.ToProblem();
            return TypedResults.Ok(CartDto.From(await carts.RemoveAsync(CartOwner.User(ApiUser.Id(user)), store, sku, ct)));
        })
        .WithSummary("Removes a SKU from the cart.")
        .ProducesProblem(404);

        cart.MapPost("/accept-prices", async Task<Results<Ok<CartDto>, ValidationProblem>> (string? storeId, ClaimsPrincipal user, CartService carts, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            var store = RequiredStore(errors, storeId);
            if (errors.Any) return errors.ToProblem();
            return TypedResults.Ok(CartDto.From(await carts.AcceptPricesAsync(CartOwner.User(ApiUser.Id(user)), store, ct)));
        })
        .WithSummary("The shopper has seen the changed prices; checkout may go ahead.")
        .ProducesProblem(404);

        return v1;
    }

    private static int RequiredStore(ProblemList errors, string? storeId)
    {
        if (string.IsNullOrEmpty(storeId)) { errors.Add("storeId", "storeId is required: a cart belongs to one store."); return 0; }
        return errors.Id<StoreId>("storeId", storeId) ?? 0;
    }

    private static int RequiredSku(ProblemList errors, string skuId) =>
        errors.Id<SkuId>("skuId", skuId) ?? 0;
}
