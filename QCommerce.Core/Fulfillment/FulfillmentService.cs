using QCommerce.Core.Ordering;

namespace QCommerce.Core.Fulfillment;

/// <summary>
/// What finishing a pick did: the units short, the order's new total, and for a card order what is charged of the money
/// held (<paramref name="ChargeMinor"/>) or, money taken at once, the refund it asked for.
/// </summary>
public sealed record PickOutcome(int OrderId, int ShortUnits, long TotalMinor, long RefundMinor, string Currency, long ChargeMinor = 0);

/// <summary>
/// The order in the store's hands (architecture §3's Paid/Confirmed → Picking → OutForDelivery → Delivered): start picking,
/// finish it with what was found (short lines shrink the order; the order's account says what goes back), hand it to a
/// rider, deliver it. Each step is one <see cref="OrderWork"/> step with its fulfilment row, audit row and outbox event;
/// two staff on one order at once are decided one after the other.
/// </summary>
public sealed partial class FulfillmentService(IDbContextFactory<Data.QCommerceDbContext> contexts, OrderWork work, TimeProvider clock, ILogger<FulfillmentService> logger)
{
    public const int MaxRiderNameLength = 80;

    /// <summary>
    /// A tick or scan on the pick list, saved as it is made: what was found of a SKU so far (null: not ticked). A reload or a
    /// second device shows it; the pick itself is finished by <see cref="FinishPickingAsync"/>, which the order checks.
    /// </summary>
    public async Task TickAsync(StaffActor staff, int orderId, int skuId, int? found, CancellationToken ct = default)
    {
        for (var round = 1; ; round++)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var order = await db.Orders.AsNoTracking().Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId, ct);
            if (order is null || !staff.CanSee(order.StoreId)) throw new NotFoundException("Order", PublicId.Format(PublicId.Order, orderId));
            var fulfillment = await db.Fulfillments.FirstOrDefaultAsync(f => f.OrderId == orderId, ct);
            if (fulfillment is null || order.Status != OrderStatus.Picking)
                throw new ConflictException($"Order {order.PublicId} is {order.Status}; only an order being picked has a pick list to tick.");
            if (order.Lines.All(l => l.SkuId != skuId)) throw Rejected("skuId", $"{PublicId.Format(PublicId.Sku, skuId)} is not on this order.");
            var title = order.Lines.First(l => l.SkuId == skuId).Title;
            if (found is not null && order.ToPick(skuId) == 0) throw new ConflictException($"{title} was refunded before the pick: there is nothing of it to pick.");
            if (found is < 0 || found > order.ToPick(skuId)) throw Rejected("found", $"{title}: {order.ToPick(skuId)} to pick, so between 0 and {order.ToPick(skuId)} found, not {found}.");
            fulfillment.Tick(skuId, found, staff.Label, clock.UtcNow());
            try
            {
                await db.SaveChangesAsync(ct);
                return;
            }
            catch (DbUpdateConcurrencyException) when (round < 4)
            {
                // Another device ticked the same list at the same moment: ours is applied on top of theirs.
            }
        }
    }

    public async Task StartPickingAsync(StaffActor staff, int orderId, CancellationToken ct = default)
    {
        await work.RunAsync(new OrderActor.Staff(staff), orderId, new OrderStep(AuditActions.PickStart), async d =>
        {
            if (d.Order.Status == OrderStatus.Picking)
            {
                var picker = await d.Db.Fulfillments.Where(f => f.OrderId == orderId).Select(f => f.PickStartedBy).FirstOrDefaultAsync(ct);
                throw new ConflictException($"Order {d.Order.PublicId} is already being picked{(picker is null ? "" : $" by {StaffActor.Display(picker)}")}.");
            }
            d.Order.StartPicking(d.By, d.Now);
            d.Db.Fulfillments.Add(new OrderFulfillment(d.Order, d.By, d.Now));
            return true;
        }, ct);
        logger.LogInformation("Order {OrderId}: picking started by {StaffId}", PublicId.Format(PublicId.Order, orderId), staff.UserId);
    }

    /// <summary>
    /// What was found of every SKU still to pick (<see cref="Order.FinishPick"/> decides the rest): lines found short shrink,
    /// the stock ledger notes the units that were not on the shelf, and a card order is charged (or gets back) what its account says.
    /// </summary>
    public async Task<PickOutcome> FinishPickingAsync(StaffActor staff, int orderId, IReadOnlyList<FoundUnits>? lines, CancellationToken ct = default)
    {
        lines ??= [];
        var outcome = await work.RunAsync(new OrderActor.Staff(staff), orderId, new OrderStep(AuditActions.PickFinish), async d =>
        {
            var fulfillment = await d.Db.Fulfillments.FirstOrDefaultAsync(f => f.OrderId == orderId, ct);
            var was = d.Order.TotalMinor;
            var picked = d.Order.FinishPick(lines, d.By, d.Now, Guid.NewGuid());
            (fulfillment ?? throw new ConflictException($"Order {d.Order.PublicId} has no pick started.")).Picked(picked.ShortUnits, d.Now);
            d.Audit(new { totalMinor = was }, new
            {
                totalMinor = picked.TotalMinor, shortUnits = picked.ShortUnits, refundMinor = picked.RefundMinor, chargeMinor = picked.ChargeMinor,
                lines = lines.Select(l => new { sku = PublicId.Format(PublicId.Sku, l.SkuId), picked = l.Found }),
            });
            return new PickOutcome(orderId, picked.ShortUnits, picked.TotalMinor, picked.RefundMinor, d.Order.Currency, picked.ChargeMinor);
        }, ct);
        logger.LogInformation("Order {OrderId} picked by {StaffId}: {Short} units short, total now {Total}, {Charge} to charge of the card's hold, {Refund} going back",
            PublicId.Format(PublicId.Order, orderId), staff.UserId, outcome!.ShortUnits, outcome.TotalMinor, outcome.ChargeMinor, outcome.RefundMinor);
        return outcome;
    }

    public async Task DispatchAsync(StaffActor staff, int orderId, string? riderName, CancellationToken ct = default)
    {
        var rider = riderName?.Trim() ?? "";
        if (rider.Length == 0) throw Rejected("riderName", "Who takes it? Enter the rider's name.");
        if (TextRules.Problem(rider, MaxRiderNameLength, "A rider's name") is { } problem) throw Rejected("riderName", problem);
        await work.RunAsync(new OrderActor.Staff(staff), orderId, new OrderStep(AuditActions.OrderDispatch), async d =>
        {
            d.Order.SendOut(rider, d.By, d.Now);
            (await d.Db.Fulfillments.FirstAsync(f => f.OrderId == orderId, ct)).Dispatched(rider, d.Now);
            d.Audit($"Rider: {rider}");
            return true;
        }, ct);
        LogSentOut(logger, PublicId.Format(PublicId.Order, orderId), rider ?? "");
    }

    /// <summary>At the door. A cash order says what was collected (a different amount than due is allowed, and written down).</summary>
    public async Task DeliverAsync(StaffActor staff, int orderId, long? cashCollectedMinor, CancellationToken ct = default)
    {
        if (cashCollectedMinor is < 0 or > 100_000_000) throw Rejected("cashCollected", "Cash collected is between 0 and 100,000,000 minor units.");
        var (note, onTime) = await work.RunAsync(new OrderActor.Staff(staff), orderId, new OrderStep(AuditActions.OrderDeliver), async d =>
        {
            var order = d.Order;
            Money? cash = cashCollectedMinor is { } c ? new Money(order.Currency, c) : null;
            order.Deliver(cash, d.By, d.Now);
            var fulfillment = await d.Db.Fulfillments.FirstAsync(f => f.OrderId == orderId, ct);
            fulfillment.Delivered(cashCollectedMinor, d.Now);
            var differs = cash is { } got && got != order.Total ? $"Collected {got}; {order.Total} was due." : null;
            d.Audit(differs);
            return (differs, fulfillment.OnTime == true);
        }, ct);
        if (note is not null) logger.LogWarning("Order {OrderId}: {Note}", PublicId.Format(PublicId.Order, orderId), note);
        logger.LogInformation("Order {OrderId} delivered ({OnTime})", PublicId.Format(PublicId.Order, orderId), onTime ? "on time" : "late");
    }

    private static RequestRejectedException Rejected(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });

    /// <summary>A rider's name is personal data: the log line carries its keyed hash (see <see cref="PersonalAttribute"/>).</summary>
    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} out for delivery with {Rider}")]
    private static partial void LogSentOut(ILogger logger, string orderId, [Personal] string rider);
}
