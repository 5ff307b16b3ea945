using QCommerce.Core.Cart;
using QCommerce.Core.Catalog;
using QCommerce.Core.Data;
using QCommerce.Core.Inventory;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Ordering;

public sealed record OrderItemInput(int SkuId, int Quantity);

public sealed record OrderAddressInput(string? Line1, string? Line2, string? City, string? Zip, string? Phone = null, string? Instructions = null);

/// <summary>Everything a shopper asks for when placing an order. Prices are never part of it.</summary>
public sealed record PlaceOrderCommand(
    string UserId, int StoreId, IReadOnlyList<OrderItemInput> Items, OrderAddressInput? Address,
    int? SlotId, string? CouponCode, PaymentMethod PaymentMethod, bool ClearCart = false);

/// <summary>
/// What placing an order answered, kept as the idempotency record's response so a replay answers
/// exactly the same. Plain values only, so it reads back identically.
/// </summary>
public sealed record OrderReceipt(
    int OrderId, OrderStatus Status, PaymentMethod PaymentMethod, string Currency,
    long SubtotalMinor, long DiscountMinor, long DeliveryFeeMinor, long TaxMinor, long TotalMinor,
    DateTime CreatedAtUtc, DateTime ReservationExpiresAtUtc, DeliveryKind DeliveryKind, DateTime? DeliveryFromUtc, DateTime DeliveryByUtc)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);

    public static OrderReceipt From(Order o) => new(o.Id, o.Status, o.PaymentMethod, o.Currency,
        o.SubtotalMinor, o.DiscountMinor, o.DeliveryFeeMinor, o.TaxMinor, o.TotalMinor,
        o.CreatedAtUtc, o.ReservationExpiresAtUtc, o.DeliveryKind, o.DeliveryFromUtc, o.DeliveryByUtc);
}

public sealed record PlaceOrderResult(OrderReceipt Receipt, bool Replayed);

/// <summary>Checkout totals before placing: the cart's items priced with a coupon, and why a coupon does not apply.</summary>
public sealed record CheckoutQuote(PriceBreakdown Price, CouponDecision? Coupon);

/// <summary>
/// Turning a basket into an order (architecture §2-§4): one use case, one transaction. Every line is
/// checked and every problem reported at once; then stock, slot and coupon are taken with
/// conditional updates, and the order, its reservation, the idempotency record (the key's answer: nothing is claimed
/// before, see <see cref="IdempotencyGuard.RunInOneTransactionAsync"/>) and the <c>OrderCreated</c> outbox message are
/// written together, or nothing is.
/// </summary>
public sealed class CheckoutService(
    IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores, IdempotencyGuard idempotency, AsapBacklog backlog,
    DeliveryPromises promises, TimeProvider clock, IOptions<OrderingOptions> options, IOptions<PricingOptions> pricing, ILogger<CheckoutService> logger)
{
    /// <summary>Places an order at most once per caller and key; a repeat with the same request replays the first answer.</summary>
    public async Task<PlaceOrderResult> PlaceOrderAsync(PlaceOrderCommand command, string idempotencyKey, CancellationToken ct = default)
    {
        var (receipt, replayed) = await idempotency.RunInOneTransactionAsync($"{command.UserId}:orders", idempotencyKey, command,
            key => PlaceAsync(command, key, ct), "An order with this Idempotency-Key is still being placed; wait a moment and look at your orders.", ct);
        return new PlaceOrderResult(receipt, replayed);
    }

    /// <summary>Prices items for the checkout page, with a coupon if one was typed.</summary>
    public async Task<CheckoutQuote> QuoteAsync(string userId, int storeId, IReadOnlyList<OrderItemInput> items, string? couponCode, CancellationToken ct = default)
    {
        var store = await stores.GetAsync(storeId, ct);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var snapshots = await SkuSnapshots.LoadAsync(db, store, items.Select(i => i.SkuId).ToList(), now, ct);
        var subtotal = Money.Sum(store.Currency, items.Where(i => snapshots.GetValueOrDefault(i.SkuId)?.IsSold == true && i.Quantity > 0)
            .Select(i => snapshots[i.SkuId].Price!.Value * Math.Min(i.Quantity, OrderLimits.MaxQuantityPerLine)));
        CouponDecision? decision = null;
        if (!string.IsNullOrWhiteSpace(couponCode))
            decision = (await OrderDraft.JudgeCouponAsync(db, couponCode, userId, store, subtotal, now, ct)).Decision;
        return new CheckoutQuote(OrderPricing.Calculate(subtotal, decision?.Discount, store, TaxRate(store)), decision);
    }

    /// <summary>The ASAP promise, as <see cref="DeliveryPromises"/> makes it for every page.</summary>
    public async Task<DateTime> AsapEstimateAsync(int storeId, CancellationToken ct = default) => (await promises.AsapAsync(storeId, ct)).ByUtc;

    private async Task<OrderReceipt> PlaceAsync(PlaceOrderCommand command, IdempotentUse key, CancellationToken ct)
    {
        var store = await stores.GetAsync(command.StoreId, ct);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await db.Database.OpenConnectionAsync(ct); // one connection for the reads and the transaction, not one per statement

        // 1. Everything that can be checked by reading, every problem collected.
        var problems = new ProblemList();
        var address = OrderDraft.CheckAddress(command.Address, store, problems);
        var (lines, subtotal) = await OrderDraft.PriceLinesAsync(db, store, command.Items, now, problems, ct);
        DeliverySlot? slot = null;
        if (command.SlotId is { } slotId)
        {
            slot = await db.DeliverySlots.AsNoTracking().FirstOrDefaultAsync(s => s.Id == slotId && s.StoreId == store.Id, ct);
            if (slot is null) problems.Add("deliverySlot", $"{store.Name} has no delivery slot {PublicId.Format(PublicId.Slot, slotId)}.");
            else if (slot.StartUtc < now + DeliverySlots.BookingLeadTime) problems.Add("deliverySlot", "That delivery slot can no longer be booked; choose a later one.");
            else if (slot.Booked >= slot.Capacity) problems.Add("deliverySlot", "That delivery slot is full; choose another one.");
        }
        var (coupon, couponDecision) = string.IsNullOrWhiteSpace(command.CouponCode) || problems.Has("items")
            ? (null, null)
            : await OrderDraft.JudgeCouponAsync(db, command.CouponCode, command.UserId, store, subtotal, now, ct);
        if (couponDecision is { Applies: false }) problems.Add("couponCode", couponDecision.Message);
        problems.ThrowIfAny();

        var price = OrderPricing.Calculate(subtotal, couponDecision?.Discount, store, TaxRate(store));
        var delivery = slot is null
            ? DeliveryPromise.Asap((await promises.AsapAsync(store, ct)).ByUtc)
            : DeliveryPromise.InSlot(slot.Id, slot.StartUtc, slot.EndUtc);
        var order = Order.Place(command.UserId, store.Id, command.PaymentMethod, address!, delivery, lines, price, coupon?.Code,
            now, now + options.Value.ReservationTtl);

        // 2. The writes, one transaction. The rows go first; the conditional updates of the shared
        // rows (stock, slot, coupon) come last, so their row locks are held only until the commit.
        using var writer = await SqliteWriteGate.EnterAsync(db, ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        db.Database.AutoSavepointsEnabled = false; // all or nothing anyway: savepoints would only add round trips
        db.Orders.Add(order);
        await db.SaveChangesAsync(ct); // assigns the order id the rows below refer to
        int? useNumber = null;
        if (coupon is not null)
        {
            if (coupon.PerCustomerLimit is { } limit)
            {
                // Read again inside the transaction: another order of this customer's may have taken the last use since.
                useNumber = CouponRedemption.FreeUseNumber(limit, await db.CouponRedemptions
                    .Where(r => r.CouponId == coupon.Id && r.UserId == command.UserId).Select(r => r.UseNumber).ToListAsync(ct));
                if (useNumber is null)
                {
                    await tx.RollbackAsync(ct);
                    Reject("couponCode", $"You have already used the code {coupon.Code} as often as it allows.");
                }
            }
            db.CouponRedemptions.Add(new CouponRedemption(coupon.Id, command.UserId, order.Id, useNumber, now));
        }
        var receipt = OrderReceipt.From(order);
        key.Record(db, 201, receipt, order.PublicId, now);
        Outbox.Enqueue(db, EventTypes.OrderCreated, order.PublicId, new OrderCreatedEvent(order.Id, store.Id, order.Status, order.PaymentMethod,
            order.Currency, order.TotalMinor, order.ReservationExpiresAtUtc), now);
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateException) when (useNumber is not null)
        {
            await tx.RollbackAsync(ct);
            writer?.Dispose(); // what follows only reads: the next writer need not wait for it
            await using var check = await contexts.CreateDbContextAsync(ct);
            if (!await check.CouponRedemptions.AnyAsync(r => r.CouponId == coupon!.Id && r.UserId == command.UserId && r.UseNumber == useNumber, ct)) throw;
            // Another order of this customer's, placed at the same moment, took the same use of the code.
            Reject("couponCode", $"You have already used the code {coupon!.Code} as often as it allows.");
        }
        if (command.ClearCart)
            await db.CartLines.Where(l => db.Carts.Any(c => c.Id == l.CartId && c.UserId == command.UserId && c.StoreId == store.Id)).ExecuteDeleteAsync(ct);

        if (coupon is not null && !await TakeCouponAsync(db, coupon.Id, ct))
        {
            await tx.RollbackAsync(ct);
            Reject("couponCode", $"The code {coupon.Code} has just been used up.");
        }
        if (slot is not null && !await DeliverySlots.HoldAsync(db, slot.Id, store.Id, now, ct))
        {
            await tx.RollbackAsync(ct);
            Reject("deliverySlot", "That delivery slot filled up a moment ago; choose another one.");
        }
        var shortSkus = await StockReservations.ReserveAsync(db, store.Id, order.QuantitiesBySku(), now, ct);
        if (shortSkus.Count > 0)
        {
            await tx.RollbackAsync(ct);
            writer?.Dispose();
            await ReportShortStockAsync(store, command.Items, shortSkus, now, ct);
        }
        await tx.CommitAsync(ct);
        if (slot is null) backlog.Placed(store.Id);

        logger.LogInformation("Order {OrderId} placed at store {StoreId}: {Lines} lines, {Total}, {PaymentMethod}, reserved until {ReservedUntil:O}",
            order.PublicId, store.Id, order.Lines.Count, order.Total, order.PaymentMethod, order.ReservationExpiresAtUtc);
        return receipt;
    }

    /// <summary>Counts one use, only while the coupon's overall limit has room.</summary>
    private static async Task<bool> TakeCouponAsync(QCommerceDbContext db, int couponId, CancellationToken ct) =>
        await db.Coupons.Where(c => c.Id == couponId && (c.UsageLimit == null || c.TimesUsed < c.UsageLimit))
            .ExecuteUpdateAsync(s => s.SetProperty(c => c.TimesUsed, c => c.TimesUsed + 1), ct) == 1;

    private async Task ReportShortStockAsync(StoreSummary store, IReadOnlyList<OrderItemInput> items, IReadOnlyList<int> shortSkus, DateTime now, CancellationToken ct)
    {
        // Another order took the units between our check and our update: say how many are left now.
        await using var db = await contexts.CreateDbContextAsync(ct);
        var snapshots = await SkuSnapshots.LoadAsync(db, store, shortSkus.ToList(), now, ct);
        var problems = new ProblemList();
        for (var i = 0; i < items.Count; i++)
            if (snapshots.TryGetValue(items[i].SkuId, out var s))
                problems.Add($"items[{i}].qty", s.AvailableQty <= 0 ? $"{s.Title} has just sold out at {store.Name}." : $"Only {s.AvailableQty} of {s.Title} left at {store.Name}.");
        problems.ThrowIfAny();
        throw new ConflictException("The stock changed while the order was being placed; nothing was reserved. Try again.");
    }

    private static void Reject(string field, string message) =>
        throw new RequestRejectedException(new Dictionary<string, string[]> { [field] = [message] });

    private decimal TaxRate(StoreSummary store) => pricing.Value.TaxRateFor(store.RegionCode);
}

public sealed record OrderCreatedEvent(int OrderId, int StoreId, OrderStatus Status, PaymentMethod PaymentMethod, string Currency, long TotalMinor, DateTime ReservationExpiresAtUtc);

public sealed record OrderStatusChangedEvent(int OrderId, int StoreId, OrderStatus From, OrderStatus To, string Actor, string? Reason);
