using QCommerce.Core.Promotions;

namespace QCommerce.Core.Ordering;

/// <summary>
/// A shopper's order: lines with the titles and prices of the moment it was placed, its totals, its
/// delivery promise, its stock reservation and its money (Order.Money.cs). Every change of state is a method here
/// that throws on an illegal move, appends an <see cref="OrderEvent"/> to the timeline (architecture §3) and records what
/// it asks of the world around it as <see cref="OrderEffect"/>s, which <see cref="OrderWork"/> carries out.
/// </summary>
public sealed partial class Order : ILiveEntity
{
    private readonly List<OrderLine> _lines = [];
    private readonly List<OrderEvent> _events = [];
    private readonly List<OrderEffect> _effects = [];

    private Order() { }

    /// <summary>A reason lands on the order's timeline, which shoppers and staff read: a sentence, not a document.</summary>
    public const int MaxReasonLength = 300;

    /// <summary>
    /// A reason as the timeline will show it, trimmed; refused by field ("reason") when it is too long or has control characters,
    /// or when it is missing and <paramref name="whenMissing"/> says why one is needed.
    /// </summary>
    public static string? Reason(string? text, string? whenMissing = null)
    {
        var why = text?.Trim() ?? "";
        var problem = why.Length == 0 ? whenMissing : TextRules.Problem(why, MaxReasonLength, "A reason");
        if (problem is not null) throw new RequestRejectedException(new Dictionary<string, string[]> { ["reason"] = [problem] });
        return why.Length == 0 ? null : why;
    }

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
    public string? ContactPhone { get; private set; }
    public string? DeliveryInstructions { get; private set; }
    public DeliveryAddress Address => new(AddressLine1, AddressLine2, AddressCity, AddressZip, ContactPhone, DeliveryInstructions);

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

    /// <summary>Items and address can change only before a payment is in flight (architecture §3).</summary>
    public bool CanBeModified => Status is OrderStatus.PaymentFailed or OrderStatus.PendingConfirmation
        || (Status is OrderStatus.PendingPayment && !PaymentInFlight);

    /// <summary>
    /// What the shopper may ask to change: what <see cref="CanBeModified"/> allows, and an order whose payment page is open
    /// and unpaid (the page is closed first; see <see cref="OrderService.ModifyAsync"/>).
    /// </summary>
    public bool CanBeChangedByShopper => CanBeModified || (Status is OrderStatus.PendingPayment && PaymentInFlight);

    /// <summary>A shopper may cancel until picking starts; a paid order is then refunded.</summary>
    public bool CanBeCancelledByShopper => Status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed
        or OrderStatus.PendingConfirmation or OrderStatus.Confirmed or OrderStatus.Paid;

    public bool IsFinal => Status is OrderStatus.Delivered or OrderStatus.Cancelled or OrderStatus.Refunded;

    /// <summary>Quantities per SKU, lines of one SKU summed: what the reservation holds.</summary>
    public IReadOnlyDictionary<int, int> QuantitiesBySku() => UnitsBySku(l => l.PickedQuantity);

    /// <summary>The effects of the decisions made since the last call, in order: for the unit of work to carry out, once.</summary>
    public IReadOnlyList<OrderEffect> TakeEffects()
    {
        var taken = _effects.ToList();
        _effects.Clear();
        return taken;
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
        Require("confirm", OrderStatus.PendingConfirmation); // only a cash order ever waits for confirmation
        CommitReservation();
        MoveTo(OrderStatus.Confirmed, actor, "Confirmed by the store; cash on delivery.", now);
    }

    /// <summary>
    /// Cancels the order, whoever asks: the one place that decides between cancelling and refunding. An order nobody has
    /// paid for (or a cash order still in the store) is cancelled and gives back its stock, slot and coupon use. A paid card
    /// order whose money is only held is cancelled and its hold released; one whose money was taken and that has not left
    /// the store is refunded all that is left of it (<paramref name="refundKey"/>) and closes as Refunded when that money is
    /// back; with nothing left to give back it closes at once. Not while its card is being charged. A shopper may cancel only
    /// until picking starts (<paramref name="byShopper"/>).
    /// </summary>
    public void Cancel(string reason, string actor, DateTime now, Guid refundKey, bool byShopper = false)
    {
        if (byShopper && !CanBeCancelledByShopper)
            throw new ConflictException($"Order {PublicId} is {Status}; it can no longer be cancelled.");
        switch (Status)
        {
            case OrderStatus.Paid or OrderStatus.Picking when Hold == CardHold.Capturing:
                throw new ConflictException($"Order {PublicId}'s card is being charged {Amount(CaptureAskedMinor)} right now; cancel it once that is done, and the money goes back.");
            case OrderStatus.Paid or OrderStatus.Picking when PaymentMethod == PaymentMethod.Card && CapturedMinor == 0:
                // Money held, never taken (or its hold already over): nothing to refund; the payment's hold is released
                // when the cancellation reaches it (OrderCancelled), and the timeline says so then.
                MoveTo(OrderStatus.Cancelled, actor, reason, now);
                GiveBackHolds();
                break;
            case OrderStatus.Paid or OrderStatus.Picking when PaymentMethod == PaymentMethod.Card:
                MoveTo(OrderStatus.RefundPending, actor, reason, now);
                RefundAllThatIsLeft(refundKey, reason, actor, now);
                break;
            case OrderStatus.RefundPending when RefundPendingMinor == 0 && RefundableMinor > 0:
                // A refund of the cancellation failed at the PSP: asking again is cancelling again.
                RefundAllThatIsLeft(refundKey, reason, actor, now);
                break;
            case OrderStatus.PendingPayment or OrderStatus.PaymentFailed or OrderStatus.PendingConfirmation or OrderStatus.Confirmed
                or OrderStatus.Picking:
                PaymentInFlight = false;
                MoveTo(OrderStatus.Cancelled, actor, reason, now);
                GiveBackHolds();
                break;
            case OrderStatus.OutForDelivery or OrderStatus.Delivered:
                throw new ConflictException($"Order {PublicId} is {Status}: it has left the store; refund it instead of cancelling.");
            default:
                throw new ConflictException($"Order {PublicId} is {Status}; there is nothing left to cancel.");
        }
    }

    /// <summary>True when the reservation ran out on an order still waiting for payment or confirmation.</summary>
    public bool IsExpiredAt(DateTime now) =>
        ReservationStatus == ReservationStatus.Held && ReservationExpiresAtUtc <= now
        && Status is OrderStatus.PendingPayment or OrderStatus.PaymentFailed or OrderStatus.PendingConfirmation;

    public void Expire(DateTime now)
    {
        if (!IsExpiredAt(now))
            throw new ConflictException($"Order {PublicId} is {Status} with its reservation {ReservationStatus} until {ReservationExpiresAtUtc:O}; it cannot expire at {now:O}.");
        PaymentInFlight = false;
        MoveTo(OrderStatus.Cancelled, "system",
            Status == OrderStatus.PendingConfirmation
                ? "Cancelled automatically: the store did not confirm in time; the items went back on the shelf."
                : "Cancelled automatically: payment was not completed in time; the items went back on the shelf.", now);
        GiveBackHolds();
    }

    /// <summary>The reservation outlives its TTL while the shopper is busy paying (a 3-D Secure challenge).</summary>
    public void ExtendReservation(DateTime untilUtc)
    {
        if (ReservationStatus != ReservationStatus.Held) throw new ConflictException($"Order {PublicId} holds no reservation to extend.");
        if (untilUtc <= ReservationExpiresAtUtc) return;
        ReservationExpiresAtUtc = untilUtc;
        Version++;
    }

    /// <summary>Something the shopper and ops should see on the timeline that does not change the state.</summary>
    public void Note(string actor, string reason, DateTime now) => Touch(now, actor, reason);


    /// <summary>Held units leave the shelf for the order: paid, or confirmed.</summary>
    private void CommitReservation()
    {
        if (ReservationStatus != ReservationStatus.Held) return;
        ReservationStatus = ReservationStatus.Committed;
        _effects.Add(new CommitStock(QuantitiesBySku()));
    }

    /// <summary>
    /// What a closed order gives back: units still held are released; units that had left the shelf for it and are still the
    /// shopper's come back (those refunded before were restocked then, or are gone); its slot and coupon use.
    /// </summary>
    private void GiveBackHolds()
    {
        if (ReservationStatus == ReservationStatus.Held) _effects.Add(new ReleaseHeldStock(QuantitiesBySku()));
        else if (ReservationStatus == ReservationStatus.Committed) _effects.Add(new RestockUnits(UnitsBySku(l => l.KeptQuantity)));
        ReservationStatus = ReservationStatus.Released;
        _effects.Add(new ReleaseSlotAndCoupon());
    }

    private Dictionary<int, int> UnitsBySku(Func<OrderLine, int> units) =>
        _lines.GroupBy(l => l.SkuId).Select(g => (g.Key, Units: g.Sum(units))).Where(x => x.Units > 0).ToDictionary(x => x.Key, x => x.Units);

    private void Require(string action, params OrderStatus[] allowed)
    {
        if (!allowed.Contains(Status))
            throw new ConflictException($"Cannot {action} order {PublicId}: it is {Status}.");
    }

    private void MoveTo(OrderStatus to, string actor, string? reason, DateTime now, long? refundMinor = null)
    {
        _events.Add(new OrderEvent(now, actor, Status, to, reason, refundMinor: refundMinor));
        Status = to;
        UpdatedAtUtc = now;
        Version++;
    }

    /// <summary>A timeline entry that keeps the status (a change of items, a note): a move to where the order is.</summary>
    private void Touch(DateTime now, string actor, string reason, long? refundMinor = null) => MoveTo(Status, actor, reason, now, refundMinor);

    private Money Amount(long minor) => new(Currency, minor);
}
