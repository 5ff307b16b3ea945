using QCommerce.Core.Ordering;

namespace QCommerce.Core.Payments;

/// <summary>Units of one SKU to refund.</summary>
public sealed record RefundLineInput(int SkuId, int Quantity);

/// <summary>
/// A staff refund, as the ops dialog and <c>POST /v1/ops/orders/{id}/refunds</c> ask for it: units of some lines (what they
/// are worth to the shopper), and/or an amount in minor units; with <see cref="Restock"/> units already picked go back on the shelf.
/// </summary>
public sealed record StaffRefundRequest(IReadOnlyList<RefundLineInput>? Lines, long? AmountMinor, bool Restock, string? Reason);

/// <summary>The refund promised: its id and amount, what is still refundable after it, and where it stands at the PSP.</summary>
public sealed record StaffRefundReceipt(int OrderId, int PaymentId, int RefundId, long AmountMinor, string Currency, long RefundableAfterMinor, RefundStatus Status);

/// <summary>
/// Staff give money back for a card order (the Shopify refund dialog's rules), as one <see cref="OrderWork"/> step: the
/// order's account decides what is due and records it (<see cref="Order.Refund"/>), the promise, the timeline, any
/// restock, the audit row and the event that asks the PSP commit together; the same <c>requestKey</c> twice is one refund.
/// </summary>
public sealed class OrderRefundService(IDbContextFactory<Data.QCommerceDbContext> contexts, OrderWork work, IdempotencyGuard idempotency,
    IOptions<PaymentsOptions> options, ILogger<OrderRefundService> logger)
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
        var problems = new ProblemList();
        var reason = request.Reason?.Trim() ?? "";
        if (reason.Length == 0) problems.Add("reason", "Say why the money goes back; the shopper reads it.");
        else if (TextRules.Problem(reason, Order.MaxReasonLength, "A reason") is { } bad) problems.Add("reason", bad);
        var lines = request.Lines ?? [];
        for (var i = 0; i < lines.Count; i++)
            if (lines[i].Quantity < 1) problems.Add($"lines[{i}].qty", "Refund at least one unit of a line.");
        problems.EachSkuOnce("lines", lines, l => l.SkuId);
        problems.ThrowIfAny();

        Payment? payment = null;
        var refundableAfter = 0L;
        var earlier = await work.RunAsync(new OrderActor.Staff(staff), orderId, new OrderStep(AuditActions.OrderRefund), async Task<PaymentRefund?> (d) =>
        {
            // Tracked in the step's context: the promise lands on this very object, so its refund's id is read after the save.
            payment = await d.Db.Payments.FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
            refundableAfter = d.Order.RefundableMinor;
            if (payment?.Refunds.FirstOrDefault(r => r.Key == requestKey) is { } first)
                return first; // a double click, a retried request: the first one's refund
            var before = new { refundableMinor = d.Order.RefundableMinor };
            var givenBack = d.Order.RefundedMinor + d.Order.RefundPendingMinor;
            var amount = d.Order.Refund(lines.Select(l => new Order.UnitsToRefund(l.SkuId, l.Quantity)).ToList(), request.AmountMinor, request.Restock,
                reason, d.By, d.Now, requestKey);
            // Decided, not yet saved: beyond Support's limit the whole step is undone (nothing of it is written). The limit is
            // what an order gives back in all, not per refund, so two refunds under it cannot add up to more.
            if (staff.Role == StaffRole.Support && givenBack + amount > options.Value.SupportRefundLimitMinor)
                throw new RequestRejectedException(new Dictionary<string, string[]>
                {
                    [request.AmountMinor is null && lines.Count > 0 ? "lines" : "amount"] =
                        [$"That refund is {new Money(d.Order.Currency, amount).Format()}; Support gives back up to {new Money(d.Order.Currency, options.Value.SupportRefundLimitMinor).Format()} on an order"
                            + (givenBack > 0 ? $", and {new Money(d.Order.Currency, givenBack).Format()} went back already." : ".") + " Ask a colleague in Ops."],
                });
            d.Audit(before, new
            {
                refundMinor = amount, restock = request.Restock,
                units = lines.Select(l => new { sku = PublicId.Format(PublicId.Sku, l.SkuId), qty = l.Quantity }),
            }, reason);
            refundableAfter = d.Order.RefundableMinor;
            return null;
        }, ct);
        var refund = earlier ?? payment!.Refunds.First(r => r.Key == requestKey);
        if (earlier is null)
            logger.LogInformation("Refund of {Amount} for order {OrderId} promised by {StaffId}; the PSP is asked next",
                new Money(payment!.Currency, refund.AmountMinor), PublicId.Format(PublicId.Order, orderId), staff.UserId);
        return new StaffRefundReceipt(orderId, payment!.Id, refund.Id, refund.AmountMinor, payment.Currency, refundableAfter, refund.Status);
    }

    /// <summary>What refunding these units would give back, as the refund dialog shows it before anyone commits to it.</summary>
    public async Task<long> QuoteAsync(StaffActor staff, int orderId, IReadOnlyList<RefundLineInput> lines, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId, ct);
        if (order is null || !staff.CanSee(order.StoreId)) throw new NotFoundException("Order", PublicId.Format(PublicId.Order, orderId));
        return order.QuoteRefund(lines.Where(l => l.Quantity > 0).Select(l => new Order.UnitsToRefund(l.SkuId, l.Quantity)).ToList());
    }
}
