using QCommerce.Core.Data;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;

namespace QCommerce.Core.Messages;

/// <summary>A shopper's message to compose about one step of an order, and what caused it.</summary>
public sealed record OrderMailRequest(MailKind Kind, int OrderId, string CauseType, Guid CauseEventId, long? AmountMinor = null, string? Currency = null);

/// <summary>
/// Hears the order's and its payment's events and asks for the shopper's message of each step: placed (cash at once; card
/// once its money is held), payment failed, picked (card once charged, cash once the pick is done), out for delivery,
/// delivered, cancelled, refunded. It only writes the request, on an aggregate of its own: composing reads and renders,
/// and a message that fails to compose must be tried again without holding up the order's later events.
/// </summary>
public sealed class OrderMailTrigger(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock) : IOutboxHandler
{
    public const string ComposeEvent = "OrderMailRequested";

    public string Name => "mail.order-trigger";

    public bool Handles(string eventType) => eventType is EventTypes.OrderCreated or EventTypes.PaymentAuthorized or EventTypes.PaymentFailed
        or EventTypes.PaymentCaptured or EventTypes.OrderPicked or EventTypes.OrderStatusChanged or EventTypes.OrderCancelled or EventTypes.RefundSucceeded;

    public async Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
    {
        if (KindOf(message) is not { } request) return;
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await Outbox.AlreadyProcessedAsync(db, Name, message.EventId, ct)) return;
        var now = clock.UtcNow();
        Outbox.Enqueue(db, ComposeEvent, $"mail-for:{message.EventId:N}", request, now);
        db.ProcessedMessages.Add(new ProcessedMessage(Name, message.EventId, now));
        await db.SaveChangesAsync(ct);
    }

    /// <summary>The message an event calls for, if any.</summary>
    public static OrderMailRequest? KindOf(OutboxEnvelope message)
    {
        switch (message.Type)
        {
            case EventTypes.OrderCreated:
                var created = message.Read<OrderCreatedEvent>();
                // A card order is placed for the shopper once its money is held (PaymentAuthorized).
                return created.PaymentMethod == PaymentMethod.CashOnDelivery ? new(MailKind.OrderPlaced, created.OrderId, message.Type, message.EventId) : null;
            case EventTypes.OrderPicked or EventTypes.OrderStatusChanged or EventTypes.OrderCancelled:
                var change = message.Read<OrderStatusChangedEvent>();
                MailKind? kind = message.Type switch
                {
                    EventTypes.OrderPicked => MailKind.OrderPicked,
                    EventTypes.OrderCancelled => MailKind.OrderCancelled,
                    _ => change.To switch
                    {
                        OrderStatus.OutForDelivery => MailKind.OutForDelivery,
                        OrderStatus.Delivered => MailKind.Delivered,
                        // A charged order is cancelled by refunding it: it will not come, and the shopper hears so now,
                        // before the refund's own message.
                        OrderStatus.RefundPending when change.From != OrderStatus.RefundPending => MailKind.OrderCancelled,
                        _ => null,
                    },
                };
                return kind is { } k ? new(k, change.OrderId, message.Type, message.EventId) : null;
            default:
                var payment = message.Read<PaymentEventData>();
                return new(message.Type switch
                {
                    EventTypes.PaymentAuthorized => MailKind.OrderPlaced,
                    EventTypes.PaymentFailed => MailKind.PaymentFailed,
                    EventTypes.PaymentCaptured => MailKind.OrderPicked,
                    _ => MailKind.Refunded,
                }, payment.OrderId, message.Type, message.EventId, payment.AmountMinor, payment.Currency);
        }
    }
}

/// <summary>
/// Composes a requested order message from the order as it is now, when it still applies (no "placed" for an order cancelled
/// before its money came, no "payment failed" once it is paid), renders it and queues it. Each step of an order is one
/// message (placed, picked, out, delivered, cancelled); a failed payment and a refund are one per event.
/// </summary>
public sealed class OrderMailComposer(IDbContextFactory<QCommerceDbContext> contexts, OrderQueries orders, PaymentQueries payments,
    IMailRenderer renderer, ISiteAddress site, TimeProvider clock, ILogger<OrderMailComposer> logger) : IOutboxHandler
{
    public string Name => "mail.order-composer";

    public bool Handles(string eventType) => eventType == OrderMailTrigger.ComposeEvent;

    public async Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
    {
        var request = message.Read<OrderMailRequest>();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var key = request.Kind is MailKind.PaymentFailed or MailKind.Refunded
            ? $"order:{request.OrderId}:{request.Kind}:{request.CauseEventId:N}"
            : $"order:{request.OrderId}:{request.Kind}";
        if (await db.OutgoingMail.AnyAsync(m => m.Key == key, ct)) return;

        var facts = await db.Orders.AsNoTracking().Where(o => o.Id == request.OrderId)
            .Select(o => new { o.UserId, o.Status, o.PaymentMethod, o.PickedAtUtc }).FirstOrDefaultAsync(ct);
        if (facts is null || !StillApplies(request, facts.Status, facts.PaymentMethod, facts.PickedAtUtc)) return;
        var shopper = await db.Users.AsNoTracking().Where(u => u.Id == facts.UserId).Select(u => new { u.Email, u.DisplayName }).FirstOrDefaultAsync(ct);
        if (string.IsNullOrEmpty(shopper?.Email))
        {
            logger.LogWarning("Order {OrderId}: no address to write to about {Kind}", PublicId.Format(PublicId.Order, request.OrderId), request.Kind);
            return;
        }
        var order = await orders.FindAsync(facts.UserId, request.OrderId, ct);
        if (order is null) return;
        var payment = order.PaymentMethod == PaymentMethod.Card ? await payments.ForOrderAsync(order.OrderId, ct) : null;
        var amount = request.AmountMinor is { } minor ? new Money(request.Currency ?? order.Price.Total.Currency, minor) : (Money?)null;
        var content = new OrderMailContent(request.Kind, shopper.DisplayName, order, payment, amount, new Uri(site.BaseUri, $"orders/{order.OrderId}"));
        var rendered = await renderer.RenderAsync(content, ct);

        var now = clock.UtcNow();
        var draft = new MailDraft(key, request.Kind, shopper.Email, rendered, order.OrderId, facts.UserId);
        if (!await MailQueue.AddAsync(db, draft, now, ct)) return;
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException)
        {
            // Another instance composed the same message at the same moment: one is queued, which is all we want.
            await using var again = await contexts.CreateDbContextAsync(ct);
            if (!await again.OutgoingMail.AnyAsync(m => m.Key == key, ct)) throw;
        }
    }

    /// <summary>Whether the step's message still says something true of the order as it is now.</summary>
    public static bool StillApplies(OrderMailRequest request, OrderStatus status, PaymentMethod method, DateTime? pickedAtUtc) => request.Kind switch
    {
        MailKind.OrderPlaced => status is not (OrderStatus.Cancelled or OrderStatus.PaymentFailed or OrderStatus.PendingPayment),
        MailKind.PaymentFailed => status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed,
        // A card order is picked for its shopper once it is charged (what was taken is known); a cash order when the pick ends.
        MailKind.OrderPicked => pickedAtUtc is not null && (method == PaymentMethod.Card
            ? request.CauseType == EventTypes.PaymentCaptured
            : request.CauseType == EventTypes.OrderPicked),
        _ => true,
    };
}
