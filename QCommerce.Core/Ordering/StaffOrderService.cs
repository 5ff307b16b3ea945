namespace QCommerce.Core.Ordering;

/// <summary>
/// What staff do to an order outside picking and refunds: confirm or turn down a cash order, cancel, add a note. Each is
/// one <see cref="OrderWork"/> step: the change, its outbox event and its audit row in one transaction; an order of a store
/// the staff member does not work for is not found; two staff acting at once are decided one after the other.
/// </summary>
public sealed class StaffOrderService(OrderWork work, ILogger<StaffOrderService> logger)
{
    public const int MaxNoteLength = 1000;

    /// <summary>Accepts a cash-on-delivery order: its reserved stock leaves the shelf for it.</summary>
    public async Task ConfirmCashOrderAsync(StaffActor staff, int orderId, CancellationToken ct = default)
    {
        await work.RunAsync(new OrderActor.Staff(staff), orderId, new OrderStep(AuditActions.OrderConfirm), d => d.Order.Confirm(d.By, d.Now), ct);
        logger.LogInformation("Cash order {OrderId} confirmed by {StaffId}; stock committed", PublicId.Format(PublicId.Order, orderId), staff.UserId);
    }

    /// <summary>Turns a cash-on-delivery order down: it is cancelled and its stock, slot and coupon go back.</summary>
    public async Task RejectCashOrderAsync(StaffActor staff, int orderId, string? reason, CancellationToken ct = default)
    {
        var why = Order.Reason(reason, "Say why the order is turned down; the shopper reads it.")!;
        await work.RunAsync(new OrderActor.Staff(staff), orderId, new OrderStep(AuditActions.OrderReject), d =>
        {
            if (d.Order.Status != OrderStatus.PendingConfirmation)
                throw new ConflictException($"Order {d.Order.PublicId} is {d.Order.Status}; only a cash order waiting for confirmation can be turned down.");
            d.Order.Cancel(TextRules.Clean($"Turned down by the store: {why}", 500), d.By, d.Now, Guid.NewGuid());
            d.Audit(why);
        }, ct);
    }

    /// <summary>
    /// Cancels an order before it leaves the store (<see cref="Order.Cancel"/> decides how): a paid card order is refunded all
    /// that is left of its money and closes when it is back; any other is cancelled at once, its stock, slot and coupon back.
    /// </summary>
    public async Task<OrderStatus> CancelAsync(StaffActor staff, int orderId, string? reason, CancellationToken ct = default)
    {
        var why = Order.Reason(reason, "Say why the order is cancelled; the shopper reads it.")!;
        return await work.RunAsync(new OrderActor.Staff(staff), orderId, new OrderStep(AuditActions.OrderCancel), d =>
        {
            d.Order.Cancel(TextRules.Clean($"Cancelled by the store: {why}", 500), d.By, d.Now, Guid.NewGuid());
            d.Audit(why);
            return Task.FromResult(d.Order.Status);
        }, ct);
    }

    /// <summary>A note on the order's timeline for staff only (the shopper never sees it).</summary>
    public async Task AddNoteAsync(StaffActor staff, int orderId, string? text, CancellationToken ct = default)
    {
        var note = text?.Trim() ?? "";
        if (note.Length == 0) throw Rejected("text", "Write the note first.");
        if (TextRules.Problem(note, MaxNoteLength, "A note") is { } problem) throw Rejected("text", problem);
        await work.RunAsync(new OrderActor.Staff(staff), orderId, new OrderStep(AuditActions.OrderNote), d =>
        {
            d.Order.AddStaffNote(d.By, note, d.Now);
            d.Audit(null, null, note);
        }, ct);
    }

    private static RequestRejectedException Rejected(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}
