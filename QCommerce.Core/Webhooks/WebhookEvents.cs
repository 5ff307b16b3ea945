using System.Text.Json;
using System.Text.Json.Serialization;
using QCommerce.Core.Catalog;
using QCommerce.Core.Data;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;

namespace QCommerce.Core.Webhooks;

/// <summary>An event as receivers get it: its public type, the subject deliveries keep in order, and its <c>data</c>.</summary>
public sealed record WebhookEvent(string Type, string Subject, object Data);

/// <summary>
/// The events an endpoint can subscribe to, and how each outbox event reads as one. Payloads are version 1: ids are the
/// public ids of <c>/v1</c> (<c>o_12</c>, <c>st_1</c>, <c>sku_7</c>, <c>pay_3</c>), money is <c>{currency, value}</c> in minor
/// units as in <c>/v1</c>, and no personal data travels (no names, addresses, phones or e-mail: a receiver that needs
/// them asks <c>/v1/ops</c> with its own credentials). Fields are only ever added within a version.
/// </summary>
public static class WebhookEvents
{
    public const int Version = 1;

    public const string OrderPlaced = "order.placed";
    public const string OrderChanged = "order.changed";
    public const string OrderStatusChanged = "order.status_changed";
    public const string OrderPicked = "order.picked";
    public const string OrderDispatched = "order.dispatched";
    public const string OrderDelivered = "order.delivered";
    public const string OrderCancelled = "order.cancelled";
    public const string OrderRefunded = "order.refunded";
    public const string PaymentHeld = "payment.held";
    public const string PaymentCaptured = "payment.captured";
    public const string PaymentFailed = "payment.failed";
    public const string PaymentVoided = "payment.voided";
    public const string StockLow = "stock.low";
    public const string PriceChanged = "price.changed";

    /// <summary>Every type, with what it means, in the order an order meets them.</summary>
    public static readonly IReadOnlyList<(string Type, string Meaning)> All =
    [
        (OrderPlaced, "An order was placed (a card order then waits for its payment)."),
        (PaymentHeld, "A card order's money is held at the PSP."),
        (PaymentFailed, "A card payment failed; the shopper may try again."),
        (OrderChanged, "The order changed without a new status: the shopper edited it before paying, or its money was settled (a capture or refund recorded)."),
        (OrderStatusChanged, "Any other step of an order (confirmed, picking, …), with its previous status."),
        (OrderPicked, "The pick list is finished: the lines, with the units not found."),
        (PaymentCaptured, "The money for what was picked was taken."),
        (OrderDispatched, "A rider took the order."),
        (OrderDelivered, "The order reached the shopper."),
        (OrderCancelled, "The order was cancelled."),
        (OrderRefunded, "Money went back to the card (all or part)."),
        (PaymentVoided, "A hold was released or lapsed with nothing taken."),
        (StockLow, "A store's free units of a SKU fell to its low-stock threshold."),
        (PriceChanged, "Prices were scheduled or withdrawn (by hand or an import)."),
    ];

    public static bool IsKnown(string type) => All.Any(e => e.Type == type);

    /// <summary>The outbox events that become webhooks.</summary>
    public static bool Carries(string outboxType) => outboxType is EventTypes.OrderCreated or EventTypes.OrderChanged or EventTypes.OrderStatusChanged
        or EventTypes.OrderPicked or EventTypes.OrderCancelled or EventTypes.PaymentAuthorized or EventTypes.PaymentCaptured or EventTypes.PaymentFailed
        or EventTypes.PaymentVoided or EventTypes.PaymentExpired or EventTypes.RefundSucceeded or EventTypes.StockLow or EventTypes.PriceChanged;

    internal static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web)
    {
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.CamelCase) },
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
    };

    /// <summary>The whole body: <c>{type, timestamp, version, sequence, data}</c>, as the Standard Webhooks payload recommends.</summary>
    public static string Body(WebhookEvent e, DateTime occurredAtUtc, long sequence) =>
        JsonSerializer.Serialize(new { type = e.Type, timestamp = occurredAtUtc, version = Version, sequence, data = e.Data }, Json);

    /// <summary>The webhook an outbox event is, or null when it is none (a status change with nothing to say).</summary>
    public static async Task<WebhookEvent?> ReadAsync(QCommerceDbContext db, OutboxEnvelope message, CancellationToken ct)
    {
        switch (message.Type)
        {
            case EventTypes.OrderCreated:
                var created = message.Read<OrderCreatedEvent>();
                return new(OrderPlaced, message.AggregateId, new
                {
                    order = Order(created.OrderId), store = Store(created.StoreId), status = created.Status,
                    paymentMethod = created.PaymentMethod == PaymentMethod.Card ? "card" : "cod", // /v1's names
                    total = Money(created.Currency, created.TotalMinor),
                });
            case EventTypes.OrderChanged or EventTypes.OrderStatusChanged or EventTypes.OrderCancelled or EventTypes.OrderPicked:
                var change = message.Read<OrderStatusChangedEvent>();
                var type = message.Type switch
                {
                    EventTypes.OrderChanged => OrderChanged,
                    EventTypes.OrderCancelled => OrderCancelled,
                    EventTypes.OrderPicked => OrderPicked,
                    _ => change.To switch
                    {
                        OrderStatus.OutForDelivery => OrderDispatched,
                        OrderStatus.Delivered => OrderDelivered,
                        OrderStatus.Cancelled => OrderCancelled,
                        _ => OrderStatusChanged,
                    },
                };
                var lines = type == OrderPicked ? await PickedLinesAsync(db, change.OrderId, ct) : null;
                return new(type, message.AggregateId, new
                {
                    order = Order(change.OrderId), store = Store(change.StoreId), status = change.To, previousStatus = change.From, lines,
                });
            case EventTypes.StockLow:
                var low = message.Read<StockLowEvent>();
                return new(StockLow, message.AggregateId, new { store = low.StoreId, sku = low.SkuId, available = low.Available, threshold = low.Threshold });
            case EventTypes.PriceChanged:
                var prices = message.Read<PriceChangedEvent>();
                return new(PriceChanged, message.AggregateId, new
                {
                    prices = prices.Prices.Select(p => new
                    {
                        sku = p.SkuId, region = p.Region, price = Money(p.Currency, p.AmountMinor), effectiveFrom = p.EffectiveFromUtc,
                        effectiveTo = p.EffectiveToUtc, withdrawn = p.Withdrawn,
                    }).ToList(),
                });
            default:
                var payment = message.Read<PaymentEventData>();
                return new(message.Type switch
                {
                    EventTypes.PaymentAuthorized => PaymentHeld,
                    EventTypes.PaymentCaptured => PaymentCaptured,
                    EventTypes.PaymentFailed => PaymentFailed,
                    EventTypes.RefundSucceeded => OrderRefunded,
                    _ => PaymentVoided,
                }, message.AggregateId, new
                {
                    order = Order(payment.OrderId), payment = Common.PublicId.Format(Common.PublicId.Payment, payment.PaymentId),
                    amount = Money(payment.Currency, payment.AmountMinor), attempt = payment.Attempt,
                    message = message.Type == EventTypes.PaymentFailed ? payment.Message : null,
                });
        }
    }

    /// <summary>What the pick found, line by line: ordered, picked, and short (not found: not delivered, not charged).</summary>
    private static async Task<object> PickedLinesAsync(QCommerceDbContext db, int orderId, CancellationToken ct)
    {
        var rows = await db.OrderLines.AsNoTracking().Where(l => l.OrderId == orderId).OrderBy(l => l.Id)
            .Select(l => new { l.SkuId, l.Title, l.Quantity, l.ShortQuantity, l.RemovedQuantity }).ToListAsync(ct);
        return rows.Select(l => new
        {
            sku = Sku(l.SkuId), title = l.Title, ordered = l.Quantity, picked = l.Quantity - l.ShortQuantity - l.RemovedQuantity, @short = l.ShortQuantity,
        }).ToList();
    }

    private static string Order(int id) => Common.PublicId.Format(Common.PublicId.Order, id);
    private static string Store(int id) => Common.PublicId.Format(Common.PublicId.Store, id);
    private static string Sku(int id) => Common.PublicId.Format(Common.PublicId.Sku, id);
    private static object Money(string currency, long minor) => new { currency, value = minor };
}
