using QCommerce.Core.Data;
using QCommerce.Core.Inventory;

namespace QCommerce.Core.Ordering;

/// <summary>
/// What staff do to an order outside picking and refunds: confirm or turn down a cash order, cancel, add a note. Each
/// is one transaction holding the change, its outbox event and its audit row; an order of a store the staff member
/// does not work for is not found; the order's version makes two staff acting at once a conflict for the second.
/// </summary>
public sealed class StaffOrderService(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock,
    ILogger<StaffOrderService> logger)
{
    public const int MaxNoteLength = 1000;

    /// <summary>Accepts a cash-on-delivery order: its reserved stock leaves the shelf for it.</summary>
    public async Task ConfirmCashOrderAsync(StaffActor staff, int orderId, CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var order = await LoadAsync(db, staff, orderId, ct);
        if (order.PaymentMethod != PaymentMethod.CashOnDelivery) throw new ConflictException($"Order {order.PublicId} is paid by card; there is nothing to confirm.");
        var held = order.ReservationStatus == ReservationStatus.Held;
        order.Confirm(staff.Label, now);
        Record(db, staff, AuditActions.OrderConfirm, order, OrderStatus.PendingConfirmation, null, now);
        Outbox.Enqueue(db, EventTypes.OrderStatusChanged, order.PublicId,
            new OrderStatusChangedEvent(order.Id, order.StoreId, OrderStatus.PendingConfirmation, order.Status, staff.Label, "Cash on delivery confirmed"), now);
        await OrderService.SaveAsync(db, order, ct); // the order's row first: a racing "turn down" loses here, before any stock moves
        if (held) await StockReservations.CommitAsync(db, order.StoreId, order.QuantitiesBySku(), order.PublicId, staff.Label, now, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Cash order {OrderId} confirmed by {Actor}; stock committed", order.PublicId, staff.Email);
    }

    /// <summary>Turns a cash-on-delivery order down: it is cancelled and its stock, slot and coupon go back.</summary>
    public async Task RejectCashOrderAsync(StaffActor staff, int orderId, string? reason, CancellationToken ct = default)
    {
        var why = RequireReason(reason, "Say why the order is turned down; the shopper reads it.");
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var order = await LoadAsync(db, staff, orderId, ct);
        if (order.Status != OrderStatus.PendingConfirmation)
            throw new ConflictException($"Order {order.PublicId} is {order.Status}; only a cash order waiting for confirmation can be turned down.");
        var text = TextRules.Clean($"Turned down by the store: {why}", 500);
        var stock = order.Cancel(text, staff.Label, now);
        Record(db, staff, AuditActions.OrderReject, order, OrderStatus.PendingConfirmation, why, now);
        Outbox.Enqueue(db, EventTypes.OrderCancelled, order.PublicId,
            new OrderStatusChangedEvent(order.Id, order.StoreId, OrderStatus.PendingConfirmation, order.Status, staff.Label, text), now);
        await OrderService.SaveAsync(db, order, ct);
        await OrderService.ReleaseHoldsAsync(db, order, stock, staff.Label, now, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Cash order {OrderId} turned down by {Actor}; stock released", order.PublicId, staff.Email);
    }

    /// <summary>
    /// Cancels an order before it leaves the store. A paid card order is refunded in full first (it closes as Refunded
    /// when the money is back, its stock back on the shelf); any other is cancelled at once, its stock, slot and coupon back.
    /// </summary>
    public async Task<OrderStatus> CancelAsync(StaffActor staff, int orderId, string? reason, CancellationToken ct = default)
    {
        var why = RequireReason(reason, "Say why the order is cancelled; the shopper reads it.");
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var order = await LoadAsync(db, staff, orderId, ct);
        var from = order.Status;
        var text = TextRules.Clean($"Cancelled by the store: {why}", 500);
        ReservationStatus? stock = null;
        if (order.PaymentMethod == PaymentMethod.Card && order.Status is OrderStatus.Paid or OrderStatus.Picking)
            order.RequestRefund(text, staff.Label, now);
        else if (order.Status is OrderStatus.OutForDelivery or OrderStatus.Delivered)
            throw new ConflictException($"Order {order.PublicId} is {order.Status}: it has left the store; refund it instead of cancelling.");
        else if (order.IsFinal || order.Status == OrderStatus.RefundPending)
            throw new ConflictException($"Order {order.PublicId} is {order.Status}; there is nothing left to cancel.");
        else
            stock = order.Cancel(text, staff.Label, now);
        Record(db, staff, AuditActions.OrderCancel, order, from, why, now);
        Outbox.Enqueue(db, order.Status == OrderStatus.Cancelled ? EventTypes.OrderCancelled : EventTypes.OrderStatusChanged, order.PublicId,
            new OrderStatusChangedEvent(order.Id, order.StoreId, from, order.Status, staff.Label, text), now);
        await OrderService.SaveAsync(db, order, ct);
        if (stock is { } before) await OrderService.ReleaseHoldsAsync(db, order, before, staff.Label, now, ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Order {OrderId} cancelled by {Actor}: {From} -> {To}", order.PublicId, staff.Email, from, order.Status);
        return order.Status;
    }

    /// <summary>A note on the order's timeline for staff only (the shopper never sees it).</summary>
    public async Task AddNoteAsync(StaffActor staff, int orderId, string? text, CancellationToken ct = default)
    {
        var note = text?.Trim() ?? "";
        if (note.Length == 0) throw Rejected("text", "Write the note first.");
        if (TextRules.Problem(note, MaxNoteLength, "A note") is { } problem) throw Rejected("text", problem);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await LoadAsync(db, staff, orderId, ct);
        order.AddStaffNote(staff.Label, note, now);
        Audit.Record(db, staff, AuditActions.OrderNote, "order", order.PublicId, order.StoreId, null, null, note, now);
        await OrderService.SaveAsync(db, order, ct);
    }

    /// <summary>The order if this member of staff may see it, else "not found" (never "forbidden": that would say it exists).</summary>
    internal static async Task<Order> LoadAsync(QCommerceDbContext db, StaffActor staff, int orderId, CancellationToken ct)
    {
        var order = await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId, ct);
        return order is not null && staff.CanSee(order.StoreId) ? order : throw new NotFoundException("Order", PublicId.Format(PublicId.Order, orderId));
    }

    internal static void Record(QCommerceDbContext db, StaffActor staff, string action, Order order, OrderStatus from, string? note, DateTime now) =>
        Audit.Record(db, staff, action, "order", order.PublicId, order.StoreId, new { status = Camel(from) }, new { status = Camel(order.Status) }, note, now);

    /// <summary>A state as the API writes it (camelCase), so the audit log reads like the rest of the contract.</summary>
    private static string Camel(OrderStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());

    private static string RequireReason(string? reason, string missing)
    {
        var why = reason?.Trim() ?? "";
        if (why.Length == 0) throw Rejected("reason", missing);
        OrderService.CheckReason(why);
        return why;
    }

    private static RequestRejectedException Rejected(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}
