using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Cart;
using QCommerce.Core.Common;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;
using QCommerce.Web.Common;
using QCommerce.Web.Payments;

namespace QCommerce.Web.Ordering;

public sealed record OrderItemRequest(string? SkuId, int? Qty);

/// <summary>
/// Where and how to hand the order over: the address, a <c>phone</c> for the rider (any common form; answered in E.164) and
/// <c>instructions</c> (door, buzzer; at most 280 characters). In a <c>PUT</c> the address replaces the whole of it.
/// </summary>
public sealed record OrderAddressRequest(string? Line1, string? Line2, string? City, string? Zip, string? Phone = null, string? Instructions = null)
{
    public OrderAddressInput ToInput() => new(Line1, Line2, City, Zip, Phone, Instructions);

    public static OrderAddressRequest From(DeliveryAddress a) => new(a.Line1, a.Line2, a.City, a.Zip, a.Phone, a.Instructions);
}

public sealed record PaymentMethodRequest(string? Type);

public sealed record PlaceOrderRequest(
    string? StoreId, List<OrderItemRequest?>? Items, OrderAddressRequest? Address, string? DeliverySlot, string? CouponCode, PaymentMethodRequest? PaymentMethod);

public sealed record ModifyOrderRequest(List<OrderItemRequest?>? Items, OrderAddressRequest? Address);

public sealed record CancelOrderRequest(string? Reason);

public sealed record TotalsDto(MoneyDto Subtotal, MoneyDto Discount, MoneyDto DeliveryFee, MoneyDto Tax, MoneyDto Total)
{
    public static TotalsDto From(PriceBreakdown p) =>
        new(MoneyDto.From(p.Subtotal), MoneyDto.From(p.Discount), MoneyDto.From(p.DeliveryFee), MoneyDto.From(p.Tax), MoneyDto.From(p.Total));
}

public sealed record DeliveryDto(string Type, SlotId? SlotId, DateTime? From, DateTime By)
{
    public static DeliveryDto Of(DeliveryPromise d) =>
        new(d.Kind == DeliveryKind.Asap ? "asap" : "slot", d.SlotId is { } id ? Common.SlotId.Of(id) : null, d.FromUtc, d.ByUtc);
}

public sealed record OrderPlacedDto(
    OrderId OrderId, OrderStatus Status, string PaymentMethod, MoneyDto Amount, TotalsDto Totals, DeliveryDto Delivery,
    DateTime CreatedAt, DateTime ReservationExpiresAt)
{
    public static OrderPlacedDto From(OrderReceipt r)
    {
        Money M(long v) => new(r.Currency, v);
        return new(OrderId.Of(r.OrderId), r.Status, PaymentMethodName(r.PaymentMethod), MoneyDto.From(M(r.TotalMinor)),
            TotalsDto.From(new PriceBreakdown(M(r.SubtotalMinor), M(r.DiscountMinor), M(r.DeliveryFeeMinor), M(r.TaxMinor), M(r.TotalMinor))),
            DeliveryDto.Of(new DeliveryPromise(r.DeliveryKind, null, r.DeliveryFromUtc, r.DeliveryByUtc)), r.CreatedAtUtc, r.ReservationExpiresAtUtc);
    }

    internal static string PaymentMethodName(PaymentMethod m) => m == QCommerce.Core.Ordering.PaymentMethod.Card ? "card" : "cod";
}

/// <summary>
/// A line of the shopper's order; <c>shortQty</c> of its <c>qty</c> were not in stock at picking (not delivered, not charged);
/// <c>refundedQty</c> were refunded (what they cost went back to the card: see the order's <c>refunded</c>).
/// </summary>
public sealed record OrderLineDto(SkuId SkuId, ProductId ProductId, string Title, string Size, string? ImageUrl, MoneyDto UnitPrice, int Qty, MoneyDto LineTotal,
    int ShortQty, int RefundedQty);

public sealed record OrderEventDto(DateTime At, string Actor, OrderStatus? From, OrderStatus To, string? Reason);

public sealed record OrderDto(
    OrderId OrderId, OrderStatus Status, string PaymentMethod, StoreId StoreId, string StoreName, IReadOnlyList<OrderLineDto> Items,
    TotalsDto Totals, string? CouponCode, OrderAddressRequest Address, DeliveryDto Delivery, DateTime CreatedAt, DateTime UpdatedAt,
    DateTime? ReservationExpiresAt, bool CanModify, bool CanCancel, IReadOnlyList<OrderEventDto> Timeline, IReadOnlyList<PaymentDto> Payments,
    MoneyDto Refunded)
{
    public static OrderDto From(OrderDetailView o, PaymentView? payment) => new(
        OrderId.Of(o.OrderId), o.Status, OrderPlacedDto.PaymentMethodName(o.PaymentMethod), StoreId.Of(o.Store.Id), o.Store.Name,
        o.Lines.Select(l => new OrderLineDto(SkuId.Of(l.SkuId), ProductId.Of(l.ProductId), l.Title, l.SizeLabel,
            l.ImageUrl, MoneyDto.From(l.UnitPrice), l.Quantity, MoneyDto.From(l.LineTotal), l.ShortQuantity, l.RefundedQuantity)).ToList(),
        TotalsDto.From(o.Price), o.CouponCode, OrderAddressRequest.From(o.Address),
        DeliveryDto.Of(o.Delivery), o.CreatedAtUtc, o.UpdatedAtUtc,
        o.ReservationStatus == ReservationStatus.Held ? o.ReservationExpiresAtUtc : null, o.CanBeModified, o.CanBeCancelled,
        o.Timeline.Select(e => new OrderEventDto(e.AtUtc, e.Actor, e.From, e.To, e.Reason)).ToList(),
        payment is null ? [] : [PaymentDto.From(payment)], MoneyDto.From(o.Refunded ?? Money.Zero(o.Price.Total.Currency)));
}

public sealed record OrderSummaryDto(OrderId OrderId, OrderStatus Status, MoneyDto Total, int ItemCount, string StoreName, DateTime CreatedAt, DeliveryDto Delivery);

public sealed record OrderCancelledDto(OrderId OrderId, OrderStatus Status);

/// <summary>The caller's orders (architecture §9). Another caller's order answers 404 on every route.</summary>
public static class OrdersApi
{
    public static RouteGroupBuilder MapOrdersApi(this RouteGroupBuilder v1)
    {
        var orders = v1.MapGroup("/orders").WithTags("Orders").RequireAuthorization();

        orders.MapPost("/", async Task<IResult> ([FromHeader(Name = IdempotencyKeys.Header)] string? idempotencyKey, [FromBody] PlaceOrderRequest? body,
            ClaimsPrincipal user, CheckoutService checkout, HttpContext http, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            if (body is null) errors.Add("body", "Send the order as JSON: {storeId, items, address, paymentMethod}.");
            if (errors.Any) return errors.ToProblem();

            var storeId = errors.RequiredId<StoreId>("storeId", body!.StoreId);
            var items = ReadItems(errors, body.Items, required: true);
            var slot = errors.Id<SlotId>("deliverySlot", body.DeliverySlot);
            PaymentMethod method = default;
            switch (body.PaymentMethod?.Type)
            {
                case "card": method = PaymentMethod.Card; break;
                case "cod": method = PaymentMethod.CashOnDelivery; break;
                case null: errors.Add("paymentMethod.type", "paymentMethod.type is required: \"card\" or \"cod\"."); break;
                default: errors.Add("paymentMethod.type", $"'{TextRules.Excerpt(body.PaymentMethod.Type)}' is not a payment method; use \"card\" or \"cod\"."); break;
            }
            if (body.CouponCode is { Length: > 32 }) errors.Add("couponCode", "A coupon code is at most 32 characters.");
            if (errors.Any) return errors.ToProblem();

            var address = body.Address?.ToInput();
            var command = new PlaceOrderCommand(ApiUser.Id(user), storeId!.Value, items!, address, slot, body.CouponCode, method);
            var result = await checkout.PlaceOrderAsync(command, idempotencyKey!, ct);
            if (result.Replayed) http.Response.Headers[IdempotencyKeys.ReplayedHeader] = "true";
            return TypedResults.Created($"/v1/orders/{result.Receipt.PublicId}", OrderPlacedDto.From(result.Receipt));
        })
        .RequireRateLimiting(RateLimitPolicies.OrdersPerUser)
        .RequireIdempotencyKey()
        .WithSummary("Places an order: stock is reserved until payment (card) or the store's confirmation (cash on delivery).")
        .WithDescription("Requires an Idempotency-Key header: the same key and body replay the first answer with Idempotent-Replayed: true; the same key with another body is 422; a key still in flight is 409.")
        .Accepts<PlaceOrderRequest>("application/json")
        .Produces<OrderPlacedDto>(201).ProducesValidationProblem().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(409);

        orders.MapGet("/", async Task<Results<Ok<PageDto<OrderSummaryDto>>, ValidationProblem>> (string? page, string? pageSize, ClaimsPrincipal user, OrderQueries queries, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            var pageNumber = errors.Int("page", page, 1, 1, 1_000_000);
            var size = errors.Int("pageSize", pageSize, 20, 1, Paging.MaxPageSize);
            if (errors.Any) return errors.ToProblem();
            var result = await queries.ListAsync(ApiUser.Id(user), pageNumber, size, ct);
            return TypedResults.Ok(new PageDto<OrderSummaryDto>(result.Items.Select(o => new OrderSummaryDto(OrderId.Of(o.OrderId), o.Status, MoneyDto.From(o.Total),
                o.ItemCount, o.StoreName, o.CreatedAtUtc, DeliveryDto.Of(new DeliveryPromise(o.DeliveryKind, null, o.DeliveryFromUtc, o.DeliveryByUtc)))).ToList(),
                result.PageNumber, result.PageSize, result.Total));
        })
        .WithSummary("The caller's orders, newest first.");

        orders.MapGet("/{orderId:order}", async Task<Results<Ok<OrderDto>, ProblemHttpResult>> (OrderId orderId, ClaimsPrincipal user, OrderQueries queries, PaymentQueries payments, CancellationToken ct) =>
        {
            var order = await queries.FindAsync(ApiUser.Id(user), orderId.Value, ct);
            return order is null ? OrderNotFound(orderId) : TypedResults.Ok(OrderDto.From(order, await payments.ForOrderAsync(orderId.Value, ct)));
        })
        .WithSummary("One of the caller's orders: lines, totals, status, delivery, timeline and payments.")
        .ProducesProblem(404);

        orders.MapPut("/{orderId:order}", async Task<IResult> (OrderId orderId, [FromBody] ModifyOrderRequest? body, ClaimsPrincipal user,
            OrderService service, OrderQueries queries, PaymentQueries payments, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            if (body is null || (body.Items is null && body.Address is null)) errors.Add("body", "Send new items, a new address, or both.");
            var items = ReadItems(errors, body?.Items, required: false);
            if (errors.Any) return errors.ToProblem();
            var address = body!.Address?.ToInput();
            await service.ModifyAsync(ApiUser.Id(user), orderId.Value, new ModifyOrderCommand(items, address), ct);
            return TypedResults.Ok(OrderDto.From((await queries.FindAsync(ApiUser.Id(user), orderId.Value, ct))!, await payments.ForOrderAsync(orderId.Value, ct)));
        })
        .WithSummary("Changes the items or the address of an order before payment; 409 once a payment is in flight or later.")
        .Accepts<ModifyOrderRequest>("application/json")
        .Produces<OrderDto>().ProducesValidationProblem().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(409);

        orders.MapPost("/{orderId:order}/cancel", async Task<IResult> (OrderId orderId, [FromBody] CancelOrderRequest? body, ClaimsPrincipal user,
            OrderService service, CancellationToken ct) =>
        {
            var status = await service.CancelAsync(ApiUser.Id(user), orderId.Value, body?.Reason, ct);
            return TypedResults.Accepted($"/v1/orders/{orderId}", new OrderCancelledDto(orderId, status));
        })
        .RequireRateLimiting(RateLimitPolicies.RefundsPerUser)
        .WithSummary("Cancels an order before picking: stock is released; a paid order is refunded.")
        .Accepts<CancelOrderRequest>(isOptional: true, "application/json")
        .Produces<OrderCancelledDto>(202).ProducesProblem(404).ProducesProblem(409);

        return v1;
    }

    private static ProblemHttpResult OrderNotFound(OrderId orderId) =>
        TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Order '{orderId}' was not found.");

    private static List<OrderItemInput>? ReadItems(ProblemList errors, List<OrderItemRequest?>? items, bool required)
    {
        if (items is null)
        {
            if (required) errors.Add("items", "items is required: [{\"skuId\": \"sku_1\", \"qty\": 1}].");
            return null;
        }
        if (items.Count == 0) errors.Add("items", "An order needs at least one item.");
        if (items.Count > OrderLimits.MaxLines) errors.Add("items", $"An order has at most {OrderLimits.MaxLines} lines.");
        var result = new List<OrderItemInput>();
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            if (item is null) { errors.Add($"items[{i}]", "An item cannot be null."); continue; }
            var sku = errors.RequiredId<SkuId>($"items[{i}].skuId", item.SkuId);
            if (item.Qty is null) errors.Add($"items[{i}].qty", "qty is required.");
            if (sku is { } s && item.Qty is { } q) result.Add(new OrderItemInput(s, q));
        }
        return result;
    }
}
