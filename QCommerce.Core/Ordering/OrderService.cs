using QCommerce.Core.Data;
using QCommerce.Core.Inventory;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Ordering;

/// <summary>A change to an order before payment: new items, a new address, or both.</summary>
public sealed record ModifyOrderCommand(IReadOnlyList<OrderItemInput>? Items, OrderAddressInput? Address);

/// <summary>
/// The order's life in its shopper's hands after it was placed: changes before payment, cancellation, and expiry of
/// reservations nobody paid for (staff's actions are <see cref="StaffOrderService"/>'s). Each method is one transaction; the order's version column makes
/// two writers to one order (a shopper cancelling while the expiry runs) a conflict, never a mix.
/// </summary>
public sealed class OrderService(IDbContextFactory<QCommerceDbContext> contexts, OrderWork work, StoreDirectory stores,
    TimeProvider clock, IOptions<PricingOptions> pricing, ILogger<OrderService> logger,
    IOrderPaymentGate payments)
{
    /// <summary>The shopper cancels (<see cref="Order.Cancel"/> decides how): stock and slot go back; a paid order is refunded first.</summary>
    public async Task<OrderStatus> CancelAsync(string userId, int orderId, string? reason, CancellationToken ct = default)
    {
        var given = Order.Reason(reason);
        var why = TextRules.Clean(given is null ? "Cancelled by the shopper." : $"Cancelled by the shopper: {given}", 500);
        return await work.RunAsync(new OrderActor.Shopper(userId), orderId, new OrderStep(), d =>
        {
            d.Order.Cancel(why, d.By, d.Now, Guid.NewGuid(), byShopper: true);
            return Task.FromResult(d.Order.Status);
        }, ct);
    }

    /// <summary>
    /// Replaces the items and/or the address of an order not yet paid for. The order is re-priced at
    /// today's prices and its reservation adjusted by the difference per SKU, all or nothing.
    /// </summary>
    public async Task<OrderReceipt> ModifyAsync(string userId, int orderId, ModifyOrderCommand command, CancellationToken ct = default)
    {
        if (command.Items is null && command.Address is null)
            throw new RequestRejectedException(new Dictionary<string, string[]> { ["body"] = ["Send new items, a new address, or both."] });
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await LoadAsync(db, userId, orderId, ct);
        if (!order.CanBeChangedByShopper)
            throw new ConflictException($"Order {order.PublicId} is {order.Status}; items and address can change only before payment.");
        // A payment page that is open, or a declined PaymentIntent, could still be paid for the old total: it is closed
        // first, and the change waits for the PSP's answer to reach the order.
        if (order.Status == OrderStatus.PaymentFailed) await payments.CloseStaleAttemptsAsync(orderId, ct);
        else if (!order.CanBeModified)
        {
            await payments.CloseOpenAttemptAsync(orderId, ct);
            order = await AwaitModifiableAsync(db, userId, orderId, ct);
        }
        var now = clock.UtcNow();
        var store = await stores.GetAsync(order.StoreId, ct);

        var problems = new ProblemList();
        var address = command.Address is null ? order.Address : OrderDraft.CheckAddress(command.Address, store, problems);
        List<OrderLine> lines = [.. order.Lines];
        var subtotal = order.Price.Subtotal;
        if (command.Items is not null)
        {
            // Units this order already holds count as available to it.
            (lines, subtotal) = await OrderDraft.PriceLinesAsync(db, store, command.Items, now, problems, ct, alreadyHeld: order.QuantitiesBySku());
        }
        Money? discount = null;
        if (order.CouponCode is { } code && !problems.Any)
        {
            // This order's own use of the code does not count against it.
            var (_, decision) = await OrderDraft.JudgeCouponAsync(db, code, userId, store, subtotal, now, ct, changingOrderId: order.Id);
            if (decision is { Applies: false }) problems.Add("couponCode", $"{decision.Message} The order keeps its items; change it differently or cancel it.");
            discount = decision?.Discount;
        }
        problems.ThrowIfAny();
        var price = OrderPricing.Calculate(subtotal, discount, store, pricing.Value.TaxRateFor(store.RegionCode));

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var before = order.QuantitiesBySku();
        if (command.Items is not null) order.ReplaceLines(lines, price, order.CouponCode, "shopper", now);
        if (command.Address is not null) order.ChangeAddress(address!, price, "shopper", now);
        Outbox.Enqueue(db, EventTypes.OrderChanged, order.PublicId, new OrderStatusChangedEvent(order.Id, order.StoreId, order.Status, order.Status, "shopper", "Order changed."), now);
        await SaveAsync(db, order, ct); // the order's row first (its version decides a race); the reservation follows in the same transaction
        if (command.Items is not null)
        {
            var after = order.QuantitiesBySku();
            var more = after.Select(a => (a.Key, Delta: a.Value - before.GetValueOrDefault(a.Key))).Where(x => x.Delta > 0).ToDictionary(x => x.Key, x => x.Delta);
            var less = before.Select(b => (b.Key, Delta: b.Value - after.GetValueOrDefault(b.Key))).Where(x => x.Delta > 0).ToDictionary(x => x.Key, x => x.Delta);
            var shortSkus = await StockReservations.ReserveAsync(db, store.Id, more, now, ct);
            if (shortSkus.Count > 0)
            {
                await tx.RollbackAsync(ct);
                throw new RequestRejectedException(new Dictionary<string, string[]>
                {
                    ["items"] = [$"Not enough stock for {string.Join(", ", lines.Where(l => shortSkus.Contains(l.SkuId)).Select(l => l.Title).Distinct())}; nothing was changed."],
                });
            }
            await StockReservations.ReleaseAsync(db, store.Id, less, now, ct);
        }
        await tx.CommitAsync(ct);
        return OrderReceipt.From(order);
    }

    /// <summary>
    /// The order once its closed payment page's failure has reached it (the outbox delivers it within moments of the
    /// commit); a conflict if it has not in ten seconds, or if it was paid after all.
    /// </summary>
    private static async Task<Order> AwaitModifiableAsync(QCommerceDbContext db, string userId, int orderId, CancellationToken ct)
    {
        var waited = System.Diagnostics.Stopwatch.StartNew();
        while (true)
        {
            db.ChangeTracker.Clear();
            var order = await LoadAsync(db, userId, orderId, ct);
            if (order.CanBeModified) return order;
            if (order.Status is OrderStatus.Paid)
                throw new ConflictException($"Order {order.PublicId} was paid meanwhile; it can no longer be changed.");
            if (!order.CanBeChangedByShopper || waited.Elapsed > TimeSpan.FromSeconds(10))
                throw new ConflictException($"Order {order.PublicId} is {order.Status}; its payment page was closed, but the change could not be made yet. Try again in a moment.");
            // Another process's work (the outbox) is awaited, not the domain's time: a real delay, not the clock's.
            await Task.Delay(TimeSpan.FromMilliseconds(50), ct);
        }
    }

    /// <summary>
    /// Cancels every order whose reservation ran out while unpaid or unconfirmed, giving back its
    /// stock and slot. Safe on several instances: an order someone else changed meanwhile is left alone.
    /// </summary>
    public async Task<int> ExpireDueAsync(CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        List<int> due;
        await using (var db = await contexts.CreateDbContextAsync(ct))
        {
            due = await db.Orders.AsNoTracking()
                .Where(o => o.ReservationStatus == ReservationStatus.Held && o.ReservationExpiresAtUtc <= now
                    && (o.Status == OrderStatus.PendingPayment || o.Status == OrderStatus.PaymentFailed || o.Status == OrderStatus.PendingConfirmation))
                .OrderBy(o => o.ReservationExpiresAtUtc)
                .Select(o => o.Id)
                .Take(100)
                .ToListAsync(ct);
        }
        var expired = 0;
        foreach (var orderId in due)
        {
            try
            {
                if (await ExpireOneAsync(orderId, now, ct)) expired++;
            }
            catch (ConflictException)
            {
                // Paid, cancelled or expired by someone else between our read and our write.
            }
            catch (Exception ex) when (ex is not OperationCanceledException)
            {
                // One order whose release cannot be done (its stock row disagrees with it) must not hold back every
                // order due after it: the others go on, and this one is tried again, and logged, at each pass.
                logger.LogError(ex, "The reservation of order {OrderId} could not be released; the sweep went on with the others", PublicId.Format(PublicId.Order, orderId));
            }
        }
        if (expired > 0) logger.LogInformation("Expired {Count} unpaid orders and released their stock", expired);
        return expired;
    }

    private async Task<bool> ExpireOneAsync(int orderId, DateTime now, CancellationToken ct) =>
        await work.RunAsync(OrderActor.System, orderId, new OrderStep(), d =>
        {
            if (!d.Order.IsExpiredAt(now)) return Task.FromResult(false);
            d.Order.Expire(now);
            return Task.FromResult(true);
        }, ct);

    private static async Task<Order> LoadAsync(QCommerceDbContext db, string userId, int orderId, CancellationToken ct) =>
        await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId && o.UserId == userId, ct)
        ?? throw new NotFoundException("Order", PublicId.Format(PublicId.Order, orderId));

    private static async Task SaveAsync(QCommerceDbContext db, Order order, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"Order {order.PublicId} was changed at the same moment by someone else; reload it and try again.");
        }
    }
}
