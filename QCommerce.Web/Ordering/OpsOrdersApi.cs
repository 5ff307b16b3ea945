using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Common;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Identity;
using QCommerce.Core.Ops;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;
using QCommerce.Web.Ordering;
using QCommerce.Web.Payments;

namespace QCommerce.Web.Ordering;

public sealed record OpsOrderRowDto(OrderId OrderId, OrderStatus Status, StoreId StoreId, string StoreName, DateTime PlacedAt, MoneyDto Total,
    string CustomerEmail, string PaymentMethod, int ItemCount)
{
    public static OpsOrderRowDto From(OpsOrderRow r) => new(OrderId.Of(r.OrderId), r.Status, StoreId.Of(r.StoreId), r.StoreName, r.PlacedAtUtc,
        MoneyDto.From(r.Total), r.CustomerEmail, OrderPlacedDto.PaymentMethodName(r.PaymentMethod), r.Items);
}

public sealed record OpsOrderListDto(IReadOnlyList<OpsOrderRowDto> Items, string? NextCursor);

/// <summary>A line: ordered, short at the pick, refunded; <c>removedQty</c> of the refunded were refunded before the pick and are not picked.</summary>
public sealed record OpsOrderLineDto(SkuId SkuId, string Title, string Size, MoneyDto UnitPrice, int Qty, int ShortQty, int RefundedQty, MoneyDto LineTotal,
    string? Barcode, string? ShelfLocation, int RemovedQty);

/// <summary>
/// The order's money account: held on the card at checkout, where that hold stands (<c>none</c>, <c>held</c>,
/// <c>capturing</c>, <c>captureRefused</c>, <c>captured</c>, <c>released</c>, <c>lapsed</c>), being charged, released to the
/// card uncharged; captured, refunded (settled), pending (promised, not yet settled), goodwill, what can still be refunded.
/// </summary>
public sealed record OpsOrderMoneyDto(MoneyDto Captured, MoneyDto Refunded, MoneyDto Pending, MoneyDto Goodwill, MoneyDto Refundable, string? ReviewNote,
    MoneyDto Held, CardHold Hold, MoneyDto Charging, MoneyDto Released)
{
    public static OpsOrderMoneyDto From(OpsOrderMoney m) => new(MoneyDto.From(m.Captured), MoneyDto.From(m.Refunded), MoneyDto.From(m.Pending),
        MoneyDto.From(m.Goodwill), MoneyDto.From(m.Refundable), m.ReviewNote, MoneyDto.From(m.Held), m.Hold, MoneyDto.From(m.Charging), MoneyDto.From(m.Released));
}

public sealed record OpsTimelineDto(DateTime At, string Actor, OrderStatus? From, OrderStatus To, string? Text, bool StaffOnly);

/// <summary>What the picker found of a SKU so far, as ticked or scanned.</summary>
public sealed record OpsPickTickDto(SkuId SkuId, int Found, string By, DateTime At);

public sealed record OpsPickStateDto(DateTime StartedAt, string StartedBy, DateTime? PickedAt, int ShortUnits, string? RiderName, DateTime? DispatchedAt,
    DateTime? DeliveredAt, MoneyDto? CashCollected, bool? OnTime, IReadOnlyList<OpsPickTickDto> Ticks);

public sealed record OpsTickRequest(int? Found);

public sealed record OpsOrderDto(
    OrderId OrderId, OrderStatus Status, StoreId StoreId, string StoreName, string PaymentMethod, string CustomerEmail, string CustomerName,
    OrderAddressRequest Address, DeliveryDto Delivery, IReadOnlyList<OpsOrderLineDto> Lines, TotalsDto Totals, string? CouponCode,
    ReservationStatus Reservation, DateTime ReservationExpiresAt, DateTime PlacedAt, DateTime UpdatedAt, IReadOnlyList<OpsTimelineDto> Timeline,
    PaymentDto? Payment, MoneyDto Refundable, OpsPickStateDto? Pick, IReadOnlyList<string> Actions, OpsOrderMoneyDto Money)
{
    public static OpsOrderDto From(OpsOrderDetail o) => new(
        OrderId.Of(o.OrderId), o.Status, StoreId.Of(o.StoreId), o.StoreName, OrderPlacedDto.PaymentMethodName(o.PaymentMethod), o.CustomerEmail, o.CustomerName,
        OrderAddressRequest.From(o.Address), DeliveryDto.Of(o.Delivery),
        o.Lines.Select(l => new OpsOrderLineDto(SkuId.Of(l.SkuId), l.Title, l.SizeLabel, MoneyDto.From(l.UnitPrice), l.Ordered, l.Short, l.Refunded,
            MoneyDto.From(l.LineTotal), l.Barcode, l.ShelfLocation, l.Removed)).ToList(),
        TotalsDto.From(o.Price), o.CouponCode, o.Reservation, o.ReservationExpiresAtUtc, o.PlacedAtUtc, o.UpdatedAtUtc,
        o.Timeline.Select(e => new OpsTimelineDto(e.AtUtc, e.Actor, e.From, e.To, e.Text, e.StaffOnly)).ToList(),
        o.Payment is { } p ? PaymentDto.From(p) : null, MoneyDto.From(o.Refundable),
        o.Fulfillment is { } f
            ? new OpsPickStateDto(f.PickStartedAtUtc, f.PickStartedBy, f.PickedAtUtc, f.ShortUnits, f.RiderName, f.DispatchedAtUtc, f.DeliveredAtUtc,
                f.CashCollectedMinor is { } cash ? new MoneyDto(o.Price.Total.Currency, cash) : null, f.OnTime,
                f.Ticks.Select(t => new OpsPickTickDto(SkuId.Of(t.SkuId), t.Found, StaffActor.Display(t.By), t.AtUtc)).ToList())
            : null,
        o.Actions.Select(a => WireNames.Of(a)).ToList(), OpsOrderMoneyDto.From(o.Account));
}

public sealed record OpsReasonRequest(string? Reason);

public sealed record OpsPickLineRequest(string? SkuId, int? PickedQty);

public sealed record OpsPickRequest(List<OpsPickLineRequest?>? Lines);

public sealed record OpsDispatchRequest(string? RiderName);

public sealed record OpsDeliverRequest(long? CashCollected);

public sealed record OpsRefundLineRequest(string? SkuId, int? Qty);

public sealed record OpsRefundRequest(List<OpsRefundLineRequest?>? Lines, long? Amount, bool? Restock, string? Reason);

public sealed record OpsNoteRequest(string? Text);

public sealed record OpsOrderStateDto(OrderId OrderId, OrderStatus Status);

/// <summary>A finished pick: units short, the new total, what is charged of the card's hold (<c>charge</c>) and, for money taken at once, what goes back.</summary>
public sealed record OpsPickedDto(OrderId OrderId, int ShortUnits, MoneyDto Total, MoneyDto Refund, MoneyDto Charge);

public sealed record OpsRefundDto(RefundId RefundId, OrderId OrderId, PaymentId PaymentId, MoneyDto Amount, RefundStatus Status, MoneyDto RefundableAfter);

/// <summary>
/// <c>/v1/ops</c>: the ops portal's order actions for integrations (role Ops or Admin, bearer token). The same Core use
/// cases as the portal; an order outside a scoped member of staff's stores is 404; an illegal move is 409 naming the
/// state; bad input is 400 (unreadable) or 422 (understood, not allowed), naming each field.
/// </summary>
public static class OpsOrdersApi
{
    public static RouteGroupBuilder MapOpsOrdersApi(this RouteGroupBuilder ops)
    {
        var orders = ops.MapGroup("/orders").WithTags("Ops: orders");
        var anyone = orders.MapGroup("").RequireAuthorization(StaffPolicies.Staff);   // an order's detail: the picker's list is made of it
        var support = orders.MapGroup("").RequireAuthorization(Roles.Support);       // finding orders, refunds, notes
        var picking = orders.MapGroup("").RequireAuthorization(Roles.Picker);        // the pick and the hand-over
        var running = orders.MapGroup("").RequireAuthorization(Roles.Ops);           // confirming cash orders, cancelling

        support.MapGet("/", async Task<Results<Ok<OpsOrderListDto>, ValidationProblem>> (string? state, string? storeId, DateTime? from, DateTime? to,
            string? paymentMethod, string? email, string? orderId, string? cursor, string? pageSize, HttpContext http,
            OpsOrderQueries queries, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            var filter = ReadFilter(problems, state, storeId, from, to, paymentMethod, email, orderId);
            var size = problems.Int("pageSize", pageSize, 50, 1, OpsOrderQueries.MaxPageSize);
            if (problems.Any) return problems.ToProblem();
            var staff = await http.StaffAsync(ct);
            var page = await queries.ListAsync(staff, filter, cursor, size, ct);
            return TypedResults.Ok(new OpsOrderListDto(page.Items.Select(OpsOrderRowDto.From).ToList(), page.NextCursor));
        })
        .WithSummary("Orders newest first, filtered; keyset pages (pass nextCursor back as cursor), no total count.");

        anyone.MapGet("/{orderId:order}", async Task<Results<Ok<OpsOrderDto>, ProblemHttpResult>> (OrderId orderId, HttpContext http, OpsOrderQueries queries, CancellationToken ct) =>
            await queries.FindAsync(await http.StaffAsync(ct), orderId.Value, ct) is { } order
                ? TypedResults.Ok(OpsOrderDto.From(order))
                : TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Order '{orderId}' was not found."))
        .WithSummary("One order with its lines, totals, timeline (staff notes included), payment, refunds, pick state and the actions its state allows.");

        running.MapPost("/{orderId:order}/confirm", (OrderId orderId, HttpContext http, StaffOrderService service, CancellationToken ct) =>
            Act(http, orderId, ct, staff => service.ConfirmCashOrderAsync(staff, orderId.Value, ct)))
            .WithSummary("Confirms a cash-on-delivery order: its stock leaves the shelf for it.").Produces<OpsOrderStateDto>();

        running.MapPost("/{orderId:order}/reject", ([FromBody] OpsReasonRequest? body, OrderId orderId, HttpContext http,
            StaffOrderService service, CancellationToken ct) =>
            Act(http, orderId, ct, staff => service.RejectCashOrderAsync(staff, orderId.Value, body?.Reason, ct)))
            .WithSummary("Turns a cash-on-delivery order down with a reason the shopper reads.").Accepts<OpsReasonRequest>("application/json").Produces<OpsOrderStateDto>();

        picking.MapPost("/{orderId:order}/start-picking", (OrderId orderId, HttpContext http, FulfillmentService service, CancellationToken ct) =>
            Act(http, orderId, ct, staff => service.StartPickingAsync(staff, orderId.Value, ct)))
            .WithSummary("Starts picking a paid or confirmed order; 409 names who is picking it already.").Produces<OpsOrderStateDto>();

        picking.MapPost("/{orderId:order}/pick", async Task<IResult> ([FromBody] OpsPickRequest? body, OrderId orderId, HttpContext http, FulfillmentService service, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            if (body?.Lines is null) problems.Add("lines", "Send lines: [{\"skuId\": \"sku_1\", \"pickedQty\": 2}], one per SKU of the order.");
            var lines = new List<FoundUnits>();
            for (var i = 0; i < (body?.Lines?.Count ?? 0); i++)
            {
                var line = body!.Lines![i];
                if (line is null) { problems.Add($"lines[{i}]", "A line cannot be null."); continue; }
                var sku = problems.RequiredId<SkuId>($"lines[{i}].skuId", line.SkuId);
                if (line.PickedQty is null) problems.Add($"lines[{i}].pickedQty", "pickedQty is required (0 when none was found).");
                if (sku is { } s && line.PickedQty is { } q) lines.Add(new FoundUnits(s, q));
            }
            if (problems.Any) return problems.ToProblem();
            var outcome = await service.FinishPickingAsync(await http.StaffAsync(ct), orderId.Value, lines, ct);
            return TypedResults.Ok(new OpsPickedDto(orderId, outcome.ShortUnits, new MoneyDto(outcome.Currency, outcome.TotalMinor), new MoneyDto(outcome.Currency, outcome.RefundMinor), new MoneyDto(outcome.Currency, outcome.ChargeMinor)));
        })
        .WithSummary("Finishes picking with what was found for every line; short lines shrink the order and a card order is refunded the difference.")
        .Accepts<OpsPickRequest>("application/json").Produces<OpsPickedDto>().ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesValidationProblem(422);

        picking.MapPut("/{orderId:order}/pick/{skuId:sku}", async Task<IResult> ([FromBody] OpsTickRequest? body, OrderId orderId, SkuId skuId, HttpContext http,
            FulfillmentService service, CancellationToken ct) =>
        {
            if (body?.Found is not { } found)
            {
                var problems = new ProblemList();
                problems.Add("found", "Send {\"found\": n}: the units of it found so far (0 when none); DELETE unticks the line.");
                return problems.ToProblem();
            }
            return await Act(http, orderId, ct, staff => service.TickAsync(staff, orderId.Value, skuId.Value, found, ct));
        })
        .WithSummary("Saves a tick of the pick list as it is made: {found} units of the SKU found so far. The pick is finished by POST …/pick.")
        .Accepts<OpsTickRequest>("application/json").Produces<OpsOrderStateDto>().ProducesValidationProblem().ProducesValidationProblem(422);

        picking.MapDelete("/{orderId:order}/pick/{skuId:sku}", (OrderId orderId, SkuId skuId, HttpContext http, FulfillmentService service, CancellationToken ct) =>
            Act(http, orderId, ct, staff => service.TickAsync(staff, orderId.Value, skuId.Value, null, ct)))
            .WithSummary("Unticks a line of the pick list (counted again from nothing).").Produces<OpsOrderStateDto>();

        picking.MapPost("/{orderId:order}/dispatch", ([FromBody] OpsDispatchRequest? body, OrderId orderId, HttpContext http,
            FulfillmentService service, CancellationToken ct) =>
            Act(http, orderId, ct, staff => service.DispatchAsync(staff, orderId.Value, body?.RiderName, ct)))
            .WithSummary("Hands a picked order to a rider: out for delivery.").Accepts<OpsDispatchRequest>("application/json").Produces<OpsOrderStateDto>();

        picking.MapPost("/{orderId:order}/deliver", ([FromBody] OpsDeliverRequest? body, OrderId orderId, HttpContext http,
            FulfillmentService service, CancellationToken ct) =>
            Act(http, orderId, ct, staff => service.DeliverAsync(staff, orderId.Value, body?.CashCollected, ct)))
            .WithSummary("Delivered; a cash order says the cash collected in minor units.").Accepts<OpsDeliverRequest>(isOptional: true, "application/json").Produces<OpsOrderStateDto>();

        running.MapPost("/{orderId:order}/cancel", ([FromBody] OpsReasonRequest? body, OrderId orderId, HttpContext http,
            StaffOrderService service, CancellationToken ct) =>
            Act(http, orderId, ct, staff => service.CancelAsync(staff, orderId.Value, body?.Reason, ct)))
            .WithSummary("Cancels an order before it leaves the store; a paid one is refunded in full and its stock returned.")
            .Accepts<OpsReasonRequest>("application/json").Produces<OpsOrderStateDto>();

        support.MapPost("/{orderId:order}/refunds", async Task<IResult> ([FromHeader(Name = IdempotencyKeys.Header)] string? idempotencyKey,
            [FromBody] OpsRefundRequest? body, OrderId orderId, OrderRefundService refunds, HttpContext http,
            CancellationToken ct) =>
        {
            var problems = new ProblemList();
            if (body is null) problems.Add("body", "Send {lines?: [{skuId, qty}], amount?, restock, reason}.");
            var lines = new List<RefundLineInput>();
            for (var i = 0; i < (body?.Lines?.Count ?? 0); i++)
            {
                var line = body!.Lines![i];
                if (line is null) { problems.Add($"lines[{i}]", "A line cannot be null."); continue; }
                var sku = problems.RequiredId<SkuId>($"lines[{i}].skuId", line.SkuId);
                if (line.Qty is null) problems.Add($"lines[{i}].qty", "qty is required.");
                if (sku is { } s && line.Qty is { } q) lines.Add(new RefundLineInput(s, q));
            }
            if (problems.Any) return problems.ToProblem();
            var request = new StaffRefundRequest(lines, body!.Amount, body.Restock ?? false, body.Reason);
            var (receipt, replayed) = await refunds.RefundOnceAsync(await http.StaffAsync(ct), orderId.Value, request, idempotencyKey!, ct);
            if (replayed) http.Response.Headers[IdempotencyKeys.ReplayedHeader] = "true";
            return TypedResults.Created($"/v1/ops/orders/{orderId}", new OpsRefundDto(RefundId.Of(receipt.RefundId), orderId, PaymentId.Of(receipt.PaymentId),
                new MoneyDto(receipt.Currency, receipt.AmountMinor), receipt.Status, new MoneyDto(receipt.Currency, receipt.RefundableAfterMinor)));
        })
        .RequireIdempotencyKey()
        .WithSummary("Refunds a card order by line quantities (their share of goods, discount and tax) and/or an amount; 422 above what is refundable.")
        .Accepts<OpsRefundRequest>("application/json").Produces<OpsRefundDto>(201).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409)
        .ProducesValidationProblem(422);

        support.MapPost("/{orderId:order}/notes", ([FromBody] OpsNoteRequest? body, OrderId orderId, HttpContext http,
            StaffOrderService service, CancellationToken ct) =>
            Act(http, orderId, ct, staff => service.AddNoteAsync(staff, orderId.Value, body?.Text, ct)))
            .WithSummary("Adds a staff note to the order's timeline (staff only; the shopper never sees it).").Accepts<OpsNoteRequest>("application/json").Produces<OpsOrderStateDto>();

        return ops;
    }

    /// <summary>Runs one action as the signed-in staff member and answers with the order's state after it.</summary>
    private static async Task<IResult> Act(HttpContext http, OrderId orderId, CancellationToken ct, Func<StaffActor, Task> action)
    {
        var staff = await http.StaffAsync(ct);
        await action(staff);
        var status = await http.RequestServices.GetRequiredService<OpsOrderQueries>().StatusAsync(staff, orderId.Value, ct);
        return TypedResults.Ok(new OpsOrderStateDto(orderId, status ?? throw new NotFoundException("Order", orderId.ToString())));
    }

    private static OpsOrderFilter ReadFilter(ProblemList problems, string? state, string? storeId, DateTime? from, DateTime? to, string? paymentMethod,
        string? email, string? orderId)
    {
        OrderStatus? status = null;
        if (!string.IsNullOrEmpty(state))
        {
            if (Enum.TryParse<OrderStatus>(state, ignoreCase: true, out var s) && Enum.IsDefined(s) && !char.IsAsciiDigit(state[0])) status = s;
            else problems.Add("state", $"'{TextRules.Excerpt(state)}' is not an order state; use one of {string.Join(", ", Enum.GetValues<OrderStatus>().Select(s => WireNames.Of(s)))}.");
        }
        PaymentMethod? method = paymentMethod switch
        {
            null or "" => null,
            "card" => PaymentMethod.Card,
            "cod" => PaymentMethod.CashOnDelivery,
            _ => null,
        };
        if (paymentMethod is { Length: > 0 } && method is null) problems.Add("paymentMethod", "Use \"card\" or \"cod\".");
        if (from is { } f && to is { } t && t <= f) problems.Add("to", "'to' must be after 'from'.");
        if (email is { Length: > 254 }) problems.Add("email", "An email is at most 254 characters.");
        return new OpsOrderFilter(status, problems.Id<StoreId>("storeId", storeId), from?.ToUniversalTime(), to?.ToUniversalTime(), method,
            email, problems.Id<OrderId>("orderId", orderId));
    }
}
