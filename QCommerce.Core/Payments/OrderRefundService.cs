using QCommerce.Core.Data;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ordering;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Payments;

/// <summary>Units of one SKU to refund.</summary>
public sealed record RefundLineInput(int SkuId, int Quantity);

/// <summary>
/// A staff refund, as the ops dialog and <c>POST /v1/ops/orders/{id}/refunds</c> ask for it: units of some lines (their
/// share of the goods, discount and tax), and/or an amount in minor units; with <see cref="Restock"/> the units go back
/// on the shelf.
/// </summary>
public sealed record StaffRefundRequest(IReadOnlyList<RefundLineInput>? Lines, long? AmountMinor, bool Restock, string? Reason);

/// <summary>The refund promised: its id and amount, what is still refundable after it, and whether it was an earlier request's.</summary>
public sealed record StaffRefundReceipt(int OrderId, int PaymentId, int RefundId, long AmountMinor, string Currency, long RefundableAfterMinor, RefundStatus Status);

/// <summary>The event that has the PSP asked for a refund already promised on a payment (by a short pick or staff).</summary>
public sealed record RefundRequestedEvent(int OrderId, int PaymentId, Guid RefundKey, long AmountMinor, string Currency, string Reason, string Actor);

/// <summary>
/// Staff give money back for a card order (the Shopify refund dialog's rules): by line quantities, priced as the order
/// priced them, and/or an amount; never above captured minus refunded (pending refunds count); the same
/// <c>requestKey</c> twice is one refund. The promise, the order's timeline, any restock, the audit row and the event
/// that asks the PSP commit together; the PSP is asked by the outbox (with retries), and its answer settles the refund.
/// </summary>
public sealed class OrderRefundService(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores, IOptions<PricingOptions> pricing,
    IdempotencyGuard idempotency, TimeProvider clock, ILogger<OrderRefundService> logger)
{
    /// <summary>
    /// The API's refund: once per staff member and Idempotency-Key. A repeat gets the first answer; the same key with
    /// another request is refused. The refund's own key comes from the Idempotency-Key, so even a repeat that arrives
    /// after a failure between the refund and the key's record finds the same refund instead of making a second.
    /// </summary>
    public async Task<(StaffRefundReceipt Receipt, bool Replayed)> RefundOnceAsync(StaffActor staff, int orderId, StaffRefundRequest request,
        string idempotencyKey, CancellationToken ct = default)
    {
        var scope = $"{staff.UserId}:ops-refunds";
        return await idempotency.RunOnceAsync(scope, idempotencyKey, new { orderId, request }, async claim =>
        {
            var receipt = await RefundAsync(staff, orderId, request, KeyFor(scope, idempotencyKey), ct);
            await using var db = await contexts.CreateDbContextAsync(ct);
            await IdempotencyGuard.CompleteAsync(db, claim, 201, receipt, PublicId.Format(PublicId.Refund, receipt.RefundId), ct);
            return receipt;
        }, "This refund is still being made; ask again in a moment.", ct);
    }

    private static Guid KeyFor(string scope, string key) =>
        new(System.Security.Cryptography.SHA256.HashData(System.Text.Encoding.UTF8.GetBytes($"{scope}\n{key}")).AsSpan(0, 16));

    public async Task<StaffRefundReceipt> RefundAsync(StaffActor staff, int orderId, StaffRefundRequest request, Guid requestKey, CancellationToken ct = default)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                return await RefundOnceAsync(staff, orderId, request, requestKey, ct);
            }
            catch (DbUpdateException) when (round < 3)
            {
                // Another writer to this order or payment won (the same request clicked twice: the refund key's unique index;
                // a webhook: the version). Nothing of ours was saved; read again, and a repeat now finds its first refund.
            }
            catch (DbUpdateException)
            {
                throw new ConflictException($"Order {PublicId.Format(PublicId.Order, orderId)} keeps changing at this moment; reload it and try again.");
            }
        }
    }

    private async Task<StaffRefundReceipt> RefundOnceAsync(StaffActor staff, int orderId, StaffRefundRequest request, Guid requestKey, CancellationToken ct)
    {
        var problems = new ProblemList();
        var reason = request.Reason?.Trim() ?? "";
        if (reason.Length == 0) problems.Add("reason", "Say why the money goes back; the shopper reads it.");
        else if (TextRules.Problem(reason, OrderService.MaxReasonLength, "A reason") is { } bad) problems.Add("reason", bad);
        var lines = request.Lines ?? [];
        if (lines.Count == 0 && request.AmountMinor is null) problems.Add("lines", "Choose units to refund, an amount, or both.");
        if (request.AmountMinor is <= 0) problems.Add("amount", "A refund is a positive amount.");
        for (var i = 0; i < lines.Count; i++)
            if (lines[i].Quantity < 1) problems.Add($"lines[{i}].qty", "Refund at least one unit of a line.");
        problems.EachSkuOnce("lines", lines, l => l.SkuId);
        problems.ThrowIfAny();

        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var order = await StaffOrderService.LoadAsync(db, staff, orderId, ct);
        var payment = await db.Payments.FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
        if (order.PaymentMethod != PaymentMethod.Card || payment is null)
            throw new ConflictException($"Order {order.PublicId} was not paid by card; cash is given back in person.");
        if (payment.Refunds.FirstOrDefault(r => r.Key == requestKey) is { } earlier)
            return Receipt(order, payment, earlier); // a double click, a retried request: the first one's refund
        if (order.Status is not (OrderStatus.Paid or OrderStatus.Picking or OrderStatus.OutForDelivery or OrderStatus.Delivered))
            throw new ConflictException($"Order {order.PublicId} is {order.Status}; only a paid order that is not being cancelled can be refunded.");

        var units = new Dictionary<int, int>();
        for (var i = 0; i < lines.Count; i++)
        {
            var line = order.Lines.FirstOrDefault(l => l.SkuId == lines[i].SkuId && l.PickedQuantity - l.RefundedQuantity >= lines[i].Quantity)
                ?? order.Lines.FirstOrDefault(l => l.SkuId == lines[i].SkuId);
            if (line is null) problems.Add($"lines[{i}].skuId", $"{PublicId.Format(PublicId.Sku, lines[i].SkuId)} is not on this order.");
            else if (line.PickedQuantity - line.RefundedQuantity < lines[i].Quantity)
                problems.Add($"lines[{i}].qty", $"{line.PickedQuantity - line.RefundedQuantity} of {line.Title} can still be refunded, not {lines[i].Quantity}.");
            else units[line.Id] = lines[i].Quantity;
        }
        problems.ThrowIfAny();

        var store = await stores.GetAsync(order.StoreId, ct);
        var amount = request.AmountMinor ?? ValueOf(order, units, pricing.Value.TaxRateFor(store.RegionCode));
        if (amount > payment.RefundableMinor)
            throw new RequestRejectedException(new Dictionary<string, string[]>
            {
                ["amount"] = [$"{new Money(payment.Currency, payment.RefundableMinor)} can still be refunded; {new Money(payment.Currency, amount)} is more than that."],
            });

        var before = new { refundedMinor = payment.RefundedMinor, refundableMinor = payment.RefundableMinor };
        var refund = payment.RequestRefund(amount, reason, staff.Label, now, requestKey);
        order.RecordRefund(units, new Money(payment.Currency, amount), staff.Label, now);
        Audit.Record(db, staff, AuditActions.OrderRefund, "order", order.PublicId, order.StoreId, before,
            new { refundMinor = amount, restock = request.Restock, units = lines.Select(l => new { sku = PublicId.Format(PublicId.Sku, l.SkuId), qty = l.Quantity }) },
            reason, now);
        Outbox.Enqueue(db, EventTypes.RefundRequested, payment.PublicId,
            new RefundRequestedEvent(order.Id, payment.Id, refund.Key, amount, payment.Currency, reason, staff.Label), now);
        await db.SaveChangesAsync(ct);
        if (request.Restock && units.Count > 0)
        {
            var back = units.GroupBy(u => order.Lines.First(l => l.Id == u.Key).SkuId).ToDictionary(g => g.Key, g => g.Sum(u => u.Value));
            await StockReservations.RestockAsync(db, order.StoreId, back, order.PublicId, staff.Label, now, ct);
        }
        await tx.CommitAsync(ct);
        logger.LogInformation("Refund of {Amount} for order {OrderId} promised by {Actor}; the PSP is asked next", new Money(payment.Currency, amount), order.PublicId, staff.Email);
        return Receipt(order, payment, refund);
    }

    /// <summary>What refunding these units would give back, as the refund dialog shows it before anyone commits to it.</summary>
    public async Task<long> QuoteAsync(StaffActor staff, int orderId, IReadOnlyList<RefundLineInput> lines, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await StaffOrderService.LoadAsync(db, staff, orderId, ct);
        var units = new Dictionary<int, int>();
        foreach (var line in lines.Where(l => l.Quantity > 0))
            if (order.Lines.FirstOrDefault(l => l.SkuId == line.SkuId) is { } match)
                units[match.Id] = Math.Min(line.Quantity, match.PickedQuantity - match.RefundedQuantity);
        var store = await stores.GetAsync(order.StoreId, ct);
        return ValueOf(order, units.Where(u => u.Value > 0).ToDictionary(), pricing.Value.TaxRateFor(store.RegionCode));
    }

    /// <summary>
    /// What some units are worth to the shopper: the order's total now less what it would cost with those units (and
    /// those refunded before) taken away; the fee as promised. Refunding every unit this way gives back all but the fee.
    /// </summary>
    internal static long ValueOf(Order order, IReadOnlyDictionary<int, int> units, decimal taxRate)
    {
        if (units.Count == 0) return 0;
        Money Remaining(Func<OrderLine, int> gone) => Money.Sum(order.Currency, order.Lines.Select(l => l.UnitPrice * (l.PickedQuantity - gone(l))));
        var placed = order.Price;
        var withoutEarlier = OrderPricing.Reprice(placed, Remaining(l => l.RefundedQuantity), taxRate);
        var withoutThese = OrderPricing.Reprice(placed, Remaining(l => l.RefundedQuantity + units.GetValueOrDefault(l.Id)), taxRate);
        return (withoutEarlier.Total - withoutThese.Total).MinorUnits;
    }

    private static StaffRefundReceipt Receipt(Order order, Payment payment, PaymentRefund refund) =>
        new(order.Id, payment.Id, refund.Id, refund.AmountMinor, payment.Currency, payment.RefundableMinor, refund.Status);
}
