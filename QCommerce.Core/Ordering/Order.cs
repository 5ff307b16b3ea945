using QCommerce.Core.Cart;
using QCommerce.Core.Promotions;

namespace QCommerce.Core.Ordering;

/// <summary>
/// A shopper's order: lines with the titles and prices of the moment it was placed, its totals, its
/// delivery promise and its stock reservation. Every change of state is a method here that throws
/// on an illegal move and appends an <see cref="OrderEvent"/> to the timeline (DESIGN §3).
/// </summary>
public sealed partial class Order : ILiveEntity
{
    private readonly List<OrderLine> _lines = [];
    private readonly List<OrderEvent> _events = [];

    private Order() { }

    public static Order Place(string userId, int storeId, PaymentMethod method, DeliveryAddress address, DeliveryPromise delivery,
        IEnumerable<OrderLine> lines, PriceBreakdown price, string? couponCode, DateTime now, DateTime reservationExpiresAtUtc)
    {
        var order = new Order
        {
            UserId = userId,
            StoreId = storeId,
            PaymentMethod = method,
            Status = method == PaymentMethod.Card ? OrderStatus.PendingPayment : OrderStatus.PendingConfirmation,
            CreatedAtUtc = now,
            UpdatedAtUtc = now,
            ReservationStatus = ReservationStatus.Held,
            ReservationExpiresAtUtc = reservationExpiresAtUtc,
        };
        order.SetAddress(address);
        order.SetDelivery(delivery);
        order.SetLines(lines, price, couponCode);
        order._events.Add(new OrderEvent(now, "shopper", null, order.Status,
            method == PaymentMethod.Card ? "Order placed; waiting for card payment." : "Order placed; cash on delivery, waiting for the store to confirm."));
        return order;
    }

    public int Id { get; private set; }
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, Id);
    public string UserId { get; private set; } = "";
    public int StoreId { get; private set; }
    public OrderStatus Status { get; private set; }
    public PaymentMethod PaymentMethod { get; private set; }
    public string Currency { get; private set; } = "";
    public IReadOnlyList<OrderLine> Lines => _lines;
    public IReadOnlyList<OrderEvent> Events => _events;

    public string AddressLine1 { get; private set; } = "";
    public string? AddressLine2 { get; private set; }
    public string AddressCity { get; private set; } = "";
    public string AddressZip { get; private set; } = "";
    public DeliveryAddress Address => new(AddressLine1, AddressLine2, AddressCity, AddressZip);

    public DeliveryKind DeliveryKind { get; private set; }
    public int? SlotId { get; private set; }
    public DateTime? DeliveryFromUtc { get; private set; }
    public DateTime DeliveryByUtc { get; private set; }
    public DeliveryPromise Delivery => new(DeliveryKind, SlotId, DeliveryFromUtc, DeliveryByUtc);

    public long SubtotalMinor { get; private set; }
    public long DiscountMinor { get; private set; }
    public long DeliveryFeeMinor { get; private set; }
    public long TaxMinor { get; private set; }
    public long TotalMinor { get; private set; }
    public string? CouponCode { get; private set; }
    public PriceBreakdown Price => new(Amount(SubtotalMinor), Amount(DiscountMinor), Amount(DeliveryFeeMinor), Amount(TaxMinor), Amount(TotalMinor));
    public Money Total => Amount(TotalMinor);

    public ReservationStatus ReservationStatus { get; private set; }
    public DateTime ReservationExpiresAtUtc { get; private set; }
    public DateTime CreatedAtUtc { get; private set; }
    public DateTime UpdatedAtUtc { get; private set; }

    /// <summary>Optimistic concurrency: two writers to one order cannot both win.</summary>
    public int Version { get; private set; }

    /// <summary>Its shopper's tracking page follows the order; the store's lists follow the store's orders.</summary>
    public ChangedRow Changed() => new("Orders", Id, Version, [new Change("order", Id), new Change("store", StoreId)]);

    /// <summary>A card payment was started and has not failed: the PSP may be taking the money right now.</summary>
    public bool PaymentInFlight { get; private set; }

    /// <summary>Items and address can change only before a payment is in flight (DESIGN §3).</summary>
    public bool CanBeModified => Status is OrderStatus.PaymentFailed or OrderStatus.PendingConfirmation
        || (Status is OrderStatus.PendingPayment && !PaymentInFlight);

    /// <summary>A shopper may cancel until picking starts; a paid order is then refunded.</summary>
    public bool CanBeCancelledByShopper => Status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed
        or OrderStatus.PendingConfirmation or OrderStatus.Confirmed or OrderStatus.Paid;

    public bool IsFinal => Status is OrderStatus.Delivered or OrderStatus.Cancelled or OrderStatus.Refunded;

    /// <summary>Quantities per SKU, lines of one SKU summed: what the reservation holds.</summary>
    public IReadOnlyDictionary<int, int> QuantitiesBySku() =>
        _lines.GroupBy(l => l.SkuId).ToDictionary(g => g.Key, g => g.Sum(l => l.PickedQuantity));

    public void ReplaceLines(IEnumerable<OrderLine> lines, PriceBreakdown price, string? couponCode, string actor, DateTime now)
    {
        EnsureModifiable("change the items of");
        SetLines(lines, price, couponCode);
        Touch(now, actor, "Items changed.");
    }

    public void ChangeAddress(DeliveryAddress address, PriceBreakdown price, string actor, DateTime now)
    {
        EnsureModifiable("change the address of");
        SetAddress(address);
        SetTotals(price);
        Touch(now, actor, "Delivery address changed.");
    }

    /// <summary>
    /// A card payment starts (or starts again after a failure): from now on the items and the
    /// address are frozen, because the PSP is asked for this order's total.
    /// </summary>
    public void BeginPayment(string actor, DateTime now)
    {
        Require("pay for", OrderStatus.PendingPayment, OrderStatus.PaymentFailed);
        PaymentInFlight = true;
        if (Status == OrderStatus.PaymentFailed) MoveTo(OrderStatus.PendingPayment, actor, "Trying the payment again.", now);
        else Touch(now, actor, "Paying by card.");
    }

    /// <summary>
    /// Payment captured: the reservation is committed and the store can start. A payment that
    /// succeeded after a failed try (the PSP's truth arrives late) counts too.
    /// </summary>
    public void MarkPaid(string actor, DateTime now)
    {
        Require("mark as paid", OrderStatus.PendingPayment, OrderStatus.PaymentFailed);
        ReservationStatus = ReservationStatus.Committed;
        PaymentInFlight = false;
        MoveTo(OrderStatus.Paid, actor, "Payment received.", now);
    }

    /// <summary>The card was declined or failed: the shopper may try again while the reservation lasts.</summary>
    public void FailPayment(string reason, string actor, DateTime now)
    {
        Require("record a failed payment for", OrderStatus.PendingPayment);
        PaymentInFlight = false;
        MoveTo(OrderStatus.PaymentFailed, actor, reason, now);
    }

    /// <summary>The store accepts a cash-on-delivery order: its stock is committed.</summary>
    public void Confirm(string actor, DateTime now)
    {
        Require("confirm", OrderStatus.PendingConfirmation);
        ReservationStatus = ReservationStatus.Committed;
        MoveTo(OrderStatus.Confirmed, actor, "Confirmed by the store; cash on delivery.", now);
    }

    /// <summary>
    /// Cancels an order that has not been paid for (a cash order may still be in picking). Returns what happened to its stock
    /// before: held units are to be released, committed units (a confirmed cash order) restocked.
    /// </summary>
    public ReservationStatus Cancel(string reason, string actor, DateTime now)
    {
        Require("cancel", OrderStatus.PendingPayment, OrderStatus.PaymentFailed, OrderStatus.PendingConfirmation, OrderStatus.Confirmed, OrderStatus.Picking);
        if (Status == OrderStatus.Picking && PaymentMethod == PaymentMethod.Card)
            throw new ConflictException($"Cannot cancel order {PublicId}: it is {Status} and paid by card, so it is refunded instead.");
        var before = ReservationStatus;
        ReservationStatus = ReservationStatus.Released;
        PaymentInFlight = false;
        MoveTo(OrderStatus.Cancelled, actor, reason, now);
        return before;
    }

    /// <summary>True when the reservation ran out on an order still waiting for payment or confirmation.</summary>
    public bool IsExpiredAt(DateTime now) =>
        ReservationStatus == ReservationStatus.Held && ReservationExpiresAtUtc <= now
        && Status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed or OrderStatus.PendingConfirmation;

    public void Expire(DateTime now)
    {
        if (!IsExpiredAt(now))
            throw new ConflictException($"Order {PublicId} is {Status} with its reservation {ReservationStatus} until {ReservationExpiresAtUtc:O}; it cannot expire at {now:O}.");
        ReservationStatus = ReservationStatus.Released;
        PaymentInFlight = false;
        MoveTo(OrderStatus.Cancelled, "system",
            Status == OrderStatus.PendingConfirmation
                ? "Cancelled automatically: the store did not confirm in time; the items went back on the shelf."
                : "Cancelled automatically: payment was not completed in time; the items went back on the shelf.", now);
    }

    /// <summary>The reservation outlives its TTL while the shopper is busy paying (a 3-D Secure challenge).</summary>
    public void ExtendReservation(DateTime untilUtc)
    {
        if (ReservationStatus != ReservationStatus.Held) throw new ConflictException($"Order {PublicId} holds no reservation to extend.");
        if (untilUtc <= ReservationExpiresAtUtc) return;
        ReservationExpiresAtUtc = untilUtc;
        Version++;
    }

    /// <summary>Cancelling after payment: the money goes back before the order is closed.</summary>
    public void RequestRefund(string reason, string actor, DateTime now)
    {
        Require("refund", OrderStatus.Paid, OrderStatus.Picking);
        MoveTo(OrderStatus.RefundPending, actor, reason, now);
    }

    /// <summary>The money is back with the shopper; the stock that had left the shelf is returned to it.</summary>
    public ReservationStatus MarkRefunded(string actor, DateTime now)
    {
        Require("mark as refunded", OrderStatus.RefundPending);
        var before = ReservationStatus;
        ReservationStatus = ReservationStatus.Released;
        MoveTo(OrderStatus.Refunded, actor, "Refunded in full.", now);
        return before;
    }

    /// <summary>Something the shopper and ops should see on the timeline that does not change the state.</summary>
    public void Note(string actor, string reason, DateTime now) => Touch(now, actor, reason);


    private void Require(string action, params OrderStatus[] allowed)
    {
        if (!allowed.Contains(Status))
            throw new ConflictException($"Cannot {action} order {PublicId}: it is {Status}.");
    }

    private void EnsureModifiable(string action)
    {
        if (!CanBeModified)
            throw new ConflictException($"Cannot {action} order {PublicId}: it is {Status}; changes are possible only before payment.");
    }

    private void MoveTo(OrderStatus to, string actor, string? reason, DateTime now)
    {
        _events.Add(new OrderEvent(now, actor, Status, to, reason));
        Status = to;
        UpdatedAtUtc = now;
        Version++;
    }

    /// <summary>A timeline entry that keeps the status (a change of items, a note): a move to where the order is.</summary>
    private void Touch(DateTime now, string actor, string reason) => MoveTo(Status, actor, reason, now);

    private void SetLines(IEnumerable<OrderLine> lines, PriceBreakdown price, string? couponCode)
    {
        var list = lines.ToList();
        if (list.Count == 0) throw new DomainException("An order needs at least one item.");
        if (list.Select(l => l.Currency).Distinct().Count() != 1 || list[0].Currency != price.Total.Currency)
            throw new DomainException("An order is priced in one currency.");
        if (Common.Money.Sum(price.Total.Currency, list.Select(l => l.LineTotal)) != price.Subtotal)
            throw new DomainException("An order's subtotal must be the sum of its lines.");
        _lines.Clear();
        _lines.AddRange(list);
        Currency = price.Total.Currency;
        CouponCode = couponCode;
        SetTotals(price);
    }

    private void SetTotals(PriceBreakdown price)
    {
        SubtotalMinor = price.Subtotal.MinorUnits;
        DiscountMinor = price.Discount.MinorUnits;
        DeliveryFeeMinor = price.DeliveryFee.MinorUnits;
        TaxMinor = price.Tax.MinorUnits;
        TotalMinor = price.Total.MinorUnits;
    }

    private void SetAddress(DeliveryAddress address)
    {
        AddressLine1 = address.Line1;
        AddressLine2 = address.Line2;
        AddressCity = address.City;
        AddressZip = address.Zip;
    }

    private void SetDelivery(DeliveryPromise delivery)
    {
        DeliveryKind = delivery.Kind;
        SlotId = delivery.SlotId;
        DeliveryFromUtc = delivery.FromUtc;
        DeliveryByUtc = delivery.ByUtc;
    }

    private Money Amount(long minor) => new(Currency, minor);
}
