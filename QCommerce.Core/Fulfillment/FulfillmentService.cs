using QCommerce.Core.Data;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Fulfillment;

/// <summary>Units of one SKU the picker found (0 when none).</summary>
public sealed record PickLineInput(int SkuId, int PickedQuantity);

/// <summary>What finishing a pick did: the units short, the order's new total and the refund it asked for (card orders).</summary>
public sealed record PickOutcome(int OrderId, int ShortUnits, long TotalMinor, long RefundMinor, string Currency);

/// <summary>
/// The order in the store's hands (DESIGN §3's Paid/Confirmed → Picking → OutForDelivery → Delivered): start picking,
/// finish it with what was found (short lines shrink the order; a card order gets the difference back by itself),
/// hand it to a rider, deliver it. Each step is one transaction with its audit row and outbox event; two staff on one
/// order at once are told which of them was first.
/// </summary>
public sealed class FulfillmentService(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores, IOptions<PricingOptions> pricing,
    TimeProvider clock, ILogger<FulfillmentService> logger)
{
    public const int MaxRiderNameLength = 80;

    public async Task StartPickingAsync(StaffActor staff, int orderId, CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await StaffOrderService.LoadAsync(db, staff, orderId, ct);
        if (order.Status == OrderStatus.Picking)
        {
            var picker = await db.Fulfillments.Where(f => f.OrderId == orderId).Select(f => f.PickStartedBy).FirstOrDefaultAsync(ct);
            throw new ConflictException($"Order {order.PublicId} is already being picked{(picker is null ? "" : $" by {picker}")}.");
        }
        var from = order.Status;
        order.StartPicking(staff.Label, now);
        db.Fulfillments.Add(new OrderFulfillment(order, staff.Label, now));
        StaffOrderService.Record(db, staff, AuditActions.PickStart, order, from, null, now);
        Changed(db, order, from, staff, now);
        await SaveAsync(db, order, ct, "started picking");
        logger.LogInformation("Order {OrderId}: picking started by {Actor}", order.PublicId, staff.Email);
    }

    /// <summary>
    /// Every line of the order, with the units found. Lines found short shrink (the stock ledger notes the units that
    /// were not on the shelf), the order is re-priced (<see cref="OrderPricing.Reprice"/>: discount in proportion,
    /// the fee as promised) and, for a card order, the difference is promised back and asked of the PSP.
    /// </summary>
    public async Task<PickOutcome> FinishPickingAsync(StaffActor staff, int orderId, IReadOnlyList<PickLineInput>? lines, CancellationToken ct = default)
    {
        var problems = new ProblemList();
        lines ??= [];
        if (lines.Count == 0) problems.Add("lines", "Say what was found for every line of the order.");
        for (var i = 0; i < lines.Count; i++)
            if (lines[i].PickedQuantity < 0) problems.Add($"lines[{i}].pickedQty", "A picked quantity is zero or more.");
        problems.EachSkuOnce("lines", lines, l => l.SkuId);
        problems.ThrowIfAny();

        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var order = await StaffOrderService.LoadAsync(db, staff, orderId, ct);
        if (order.Status != OrderStatus.Picking) throw new ConflictException($"Cannot finish picking order {order.PublicId}: it is {order.Status}.");
        var fulfillment = await db.Fulfillments.FirstAsync(f => f.OrderId == orderId, ct);
        if (fulfillment.IsPicked) throw new ConflictException($"Order {order.PublicId} is picked already; it waits for a rider.");

        // Found units per SKU, spread over the order's lines of that SKU in their order.
        var ordered = order.Lines.GroupBy(l => l.SkuId).ToDictionary(g => g.Key, g => g.Sum(l => l.Quantity));
        for (var i = 0; i < lines.Count; i++)
        {
            if (!ordered.TryGetValue(lines[i].SkuId, out var qty)) problems.Add($"lines[{i}].skuId", $"{PublicId.Format(PublicId.Sku, lines[i].SkuId)} is not on this order.");
            else if (lines[i].PickedQuantity > qty) problems.Add($"lines[{i}].pickedQty", $"The order has {qty} of it; {lines[i].PickedQuantity} cannot be picked.");
        }
        foreach (var missing in ordered.Keys.Where(k => lines.All(l => l.SkuId != k)))
            problems.Add("lines", $"{order.Lines.First(l => l.SkuId == missing).Title} ({PublicId.Format(PublicId.Sku, missing)}) is not ticked: every line is picked, or marked short.");
        problems.ThrowIfAny();
        var foundByLine = new Dictionary<int, int>();
        foreach (var group in order.Lines.GroupBy(l => l.SkuId))
        {
            var left = lines.First(l => l.SkuId == group.Key).PickedQuantity;
            foreach (var line in group.OrderBy(l => l.Id))
            {
                foundByLine[line.Id] = Math.Min(left, line.Quantity);
                left -= foundByLine[line.Id];
            }
        }

        var store = await stores.GetAsync(order.StoreId, ct);
        var was = order.Total;
        var picked = Money.Sum(order.Currency, order.Lines.Select(l => l.UnitPrice * foundByLine[l.Id]));
        if (picked.IsZero) throw new ConflictException($"Nothing of order {order.PublicId} was found: cancel it instead (the shopper is refunded in full).");
        var price = OrderPricing.Reprice(order.Price, picked, pricing.Value.TaxRateFor(store.RegionCode));
        var shortBySku = order.RecordPick(foundByLine, price, staff.Label, now);
        var shortUnits = shortBySku.Values.Sum();
        fulfillment.Picked(shortUnits, now);
        var refundMinor = 0L;
        if (shortUnits > 0)
        {
            StockReservations.RecordShortPick(db, order.StoreId, shortBySku, order.PublicId, staff.Label, now);
            refundMinor = (was - order.Total).MinorUnits;
            if (order.PaymentMethod == PaymentMethod.Card && refundMinor > 0)
            {
                var payment = await db.Payments.FirstAsync(p => p.OrderId == orderId, ct);
                var reason = $"Not found when picking: {string.Join(", ", order.Lines.Where(l => l.ShortQuantity > 0).Select(l => $"{l.ShortQuantity} × {l.Title}"))}";
                var refund = payment.RequestRefund(Math.Min(refundMinor, payment.RefundableMinor), reason, "system", now);
                Outbox.Enqueue(db, EventTypes.RefundRequested, payment.PublicId,
                    new RefundRequestedEvent(order.Id, payment.Id, refund.Key, refund.AmountMinor, payment.Currency, reason, "system"), now);
            }
        }
        Audit.Record(db, staff, AuditActions.PickFinish, "order", order.PublicId, order.StoreId, new { totalMinor = was.MinorUnits },
            new { totalMinor = order.TotalMinor, shortUnits, lines = lines.Select(l => new { sku = PublicId.Format(PublicId.Sku, l.SkuId), picked = l.PickedQuantity }) },
            null, now);
        Changed(db, order, order.Status, staff, now);
        await SaveAsync(db, order, ct, "finished picking");
        await tx.CommitAsync(ct);
        logger.LogInformation("Order {OrderId} picked by {Actor}: {Short} units short, total {Was} -> {Now}", order.PublicId, staff.Email, shortUnits, was, order.Total);
        return new PickOutcome(order.Id, shortUnits, order.TotalMinor, refundMinor, order.Currency);
    }

    public async Task DispatchAsync(StaffActor staff, int orderId, string? riderName, CancellationToken ct = default)
    {
        var rider = riderName?.Trim() ?? "";
        if (rider.Length == 0) throw Rejected("riderName", "Who takes it? Enter the rider's name.");
        if (TextRules.Problem(rider, MaxRiderNameLength, "A rider's name") is { } problem) throw Rejected("riderName", problem);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await StaffOrderService.LoadAsync(db, staff, orderId, ct);
        if (order.Status != OrderStatus.Picking) throw new ConflictException($"Cannot send out order {order.PublicId}: it is {order.Status}.");
        var fulfillment = await db.Fulfillments.FirstAsync(f => f.OrderId == orderId, ct);
        fulfillment.Dispatched(rider, now);
        order.SendOut(rider, staff.Label, now);
        StaffOrderService.Record(db, staff, AuditActions.OrderDispatch, order, OrderStatus.Picking, $"Rider: {rider}", now);
        Changed(db, order, OrderStatus.Picking, staff, now);
        await SaveAsync(db, order, ct, "sent it out");
        logger.LogInformation("Order {OrderId} out for delivery with {Rider}", order.PublicId, rider);
    }

    /// <summary>At the door. A cash order says what was collected (a different amount than due is allowed, and written down).</summary>
    public async Task DeliverAsync(StaffActor staff, int orderId, long? cashCollectedMinor, CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await StaffOrderService.LoadAsync(db, staff, orderId, ct);
        if (order.Status != OrderStatus.OutForDelivery) throw new ConflictException($"Cannot deliver order {order.PublicId}: it is {order.Status}.");
        if (order.PaymentMethod == PaymentMethod.CashOnDelivery && cashCollectedMinor is null)
            throw Rejected("cashCollected", $"Enter the cash collected ({order.Total} is due).");
        if (order.PaymentMethod == PaymentMethod.Card && cashCollectedMinor is not null)
            throw Rejected("cashCollected", "A card order collects no cash.");
        if (cashCollectedMinor is < 0 or > 100_000_000) throw Rejected("cashCollected", "Cash collected is zero or more, in minor units.");
        var fulfillment = await db.Fulfillments.FirstAsync(f => f.OrderId == orderId, ct);
        Money? cash = cashCollectedMinor is { } c ? new Money(order.Currency, c) : null;
        order.Deliver(cash, staff.Label, now);
        fulfillment.Delivered(cashCollectedMinor, now);
        var note = cash is { } got && got != order.Total ? $"Collected {got}; {order.Total} was due." : null;
        StaffOrderService.Record(db, staff, AuditActions.OrderDeliver, order, OrderStatus.OutForDelivery, note, now);
        Changed(db, order, OrderStatus.OutForDelivery, staff, now);
        await SaveAsync(db, order, ct, "delivered it");
        if (note is not null) logger.LogWarning("Order {OrderId}: {Note}", order.PublicId, note);
        logger.LogInformation("Order {OrderId} delivered ({OnTime})", order.PublicId, fulfillment.OnTime == true ? "on time" : "late");
    }

    private static void Changed(QCommerceDbContext db, Order order, OrderStatus from, StaffActor staff, DateTime now) =>
        Outbox.Enqueue(db, from == order.Status ? EventTypes.OrderChanged : EventTypes.OrderStatusChanged, order.PublicId,
            new OrderStatusChangedEvent(order.Id, order.StoreId, from, order.Status, staff.Label, null), now);

    private async Task SaveAsync(QCommerceDbContext db, Order order, CancellationToken ct, string what)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) // the order's version (a concurrency exception), or a second fulfilment row for it
        {
            throw new ConflictException($"Someone else {what} or changed order {order.PublicId} at the same moment; reload it to see where it stands.");
        }
    }

    private static RequestRejectedException Rejected(string field, string message) => new(new Dictionary<string, string[]> { [field] = [message] });
}
