namespace QCommerce.Core.Ordering;

/// <summary>Where the money held on the shopper's card for a card order stands.</summary>
public enum CardHold
{
    /// <summary>No hold: a cash order, one not paid yet, or one whose money was taken at once.</summary>
    None,

    /// <summary>The card holds <see cref="Order.HeldMinor"/>; the pick says how much of it is taken.</summary>
    Held,

    /// <summary>The pick is done and <see cref="Order.CaptureAskedMinor"/> is being taken; the PSP has not confirmed it yet.</summary>
    Capturing,

    /// <summary>The PSP would not take the money held: a person decides (the order never leaves the store unpaid).</summary>
    CaptureRefused,

    /// <summary>What was picked was taken (<see cref="Order.CapturedMinor"/>); the rest went back to the card uncharged.</summary>
    Captured,

    /// <summary>The hold was released before anything was taken (the order was cancelled).</summary>
    Released,

    /// <summary>The hold ran out at the PSP before it was captured (Stripe: after 7 days): nothing was taken.</summary>
    Lapsed,
}

/// <summary>
/// Money held, then taken (architecture §3, seed 001). A card order is paid when its total is held on the card; when the pick is
/// done its money account (<see cref="OwedMinor"/>: what was picked, its share of the discount and tax, the fee) says what
/// is taken, and the rest of the hold goes back to the card without ever being charged: a short pick is never a refund.
/// Refunds exist only after the capture. A capture the PSP refuses, or a hold that lapses or is released at the PSP, leaves
/// the order for a person (its review note): a card order never leaves the store unpaid.
/// Invariants: what is asked, and what is taken plus released, never above what is held.
/// </summary>
public sealed partial class Order
{
    /// <summary>Money the card held for the order at checkout; 0 when the money was taken at once (or never came).</summary>
    public long HeldMinor { get; private set; }

    /// <summary>What the pick asked to take of the hold (0: not asked yet).</summary>
    public long CaptureAskedMinor { get; private set; }

    /// <summary>Held money that went back to the card uncharged: the rest after the capture, or all of a hold released or lapsed.</summary>
    public long HoldReleasedMinor { get; private set; }

    public CardHold Hold { get; private set; }

    /// <summary>The card's money is taken (a card order may leave the store): captured, by a hold or at once.</summary>
    public bool MoneyTaken => CapturedMinor > 0;

    /// <summary>
    /// The card holds the order's money (the PSP's <c>requires_capture</c>). For the order's own total on an order waiting
    /// for it, the order is paid: its stock leaves the shelf and the store can pick. One that comes after a cancellation, or
    /// for another total (an earlier version of the order), is released at once.
    /// </summary>
    public PaymentArrival ReceiveHold(long amountMinor, string currency, string actor, DateTime now)
    {
        if (amountMinor <= 0) throw new DomainException("A hold is a positive amount.");
        if (PaymentMethod != PaymentMethod.Card) throw new ConflictException($"Order {PublicId} is paid in cash on delivery; no card payment belongs to it.");
        if (Hold != CardHold.None || CapturedMinor > 0) return PaymentArrival.AlreadyPaid;
        HeldMinor = amountMinor;
        Hold = CardHold.Held;
        var held = Amount(amountMinor);
        if (Status == OrderStatus.Cancelled)
        {
            ReleaseHold(now, actor, $"{held} was authorised on your card after the order was cancelled; the hold is being released, nothing is charged.");
            return PaymentArrival.RefundedCancelled;
        }
        Require("mark as paid", OrderStatus.PendingPayment, OrderStatus.PaymentFailed);
        PaymentInFlight = false;
        if (amountMinor != TotalMinor || !string.Equals(currency, Currency, StringComparison.OrdinalIgnoreCase))
        {
            ReleaseHold(now, actor, $"{amountMinor} {currency.ToUpperInvariant()} (minor units) was authorised for an earlier version of this order, which now costs {Total}; "
                + "the hold is being released, nothing is charged. Please place the order again.");
            return PaymentArrival.RefundedOtherAmount;
        }
        CommitReservation();
        MoveTo(OrderStatus.Paid, actor, $"Payment authorised: {held} is held on your card. You pay only for what we pick; the rest of the hold is released.", now);
        return PaymentArrival.Paid;
    }

    /// <summary>
    /// The hold is over without a capture: released at the PSP (the order was cancelled, or someone released it there), or
    /// lapsed. An order still in the store with its money gone is for a person to decide.
    /// </summary>
    public void HoldEnded(bool lapsed, string actor, DateTime now)
    {
        if (Hold is CardHold.None or CardHold.Captured or CardHold.Released or CardHold.Lapsed) return;
        HoldReleasedMinor = HeldMinor;
        Hold = lapsed ? CardHold.Lapsed : CardHold.Released;
        var held = Amount(HeldMinor);
        if (Status is OrderStatus.Cancelled or OrderStatus.PendingPayment or OrderStatus.PaymentFailed)
        {
            Touch(now, actor, $"The {held} held on your card was released; nothing was charged.");
            return;
        }
        Review(lapsed
            ? $"The {held} held on the card lapsed at the payment provider before it was taken; nothing was charged. The order must not leave the store unpaid: cancel it, or settle with the shopper."
            : $"The {held} held on the card was released at the payment provider, not through QCommerce; nothing was charged. The order must not leave the store unpaid: cancel it, or settle with the shopper.", now);
    }

    /// <summary>The PSP would not take the money the pick asked for: a person decides; the order does not leave the store.</summary>
    public void CaptureRefused(string reason, string actor, DateTime now)
    {
        if (Hold != CardHold.Capturing) return;
        Hold = CardHold.CaptureRefused;
        Review($"The card could not be charged {Amount(CaptureAskedMinor)}: {reason}. The order must not leave the store unpaid: cancel it (the hold is released), or settle with the shopper.", now);
    }

    /// <summary>The PSP has not answered the capture for a while (it is asked again and again meanwhile): a person should know.</summary>
    public void CaptureDelayed(string reason, string actor, DateTime now)
    {
        if (Hold != CardHold.Capturing) return;
        var note = $"The card has not been charged {Amount(CaptureAskedMinor)} yet: {reason}. QCommerce keeps asking; the order waits in the store until the money is taken.";
        if (TextRules.Clean(note, 300) != MoneyReviewNote) Review(note, now);
    }

    /// <summary>
    /// The pick's capture: what the shopper owes for what was picked, never more than the card holds; the rest is released.
    /// Returns what is asked (0 when the card holds nothing to take: its hold ended, and a person was asked to look).
    /// </summary>
    private long AskCapture(string? shortWhat, string actor, DateTime now, Guid key)
    {
        if (Hold != CardHold.Held)
        {
            Touch(now, actor, shortWhat is null ? "All your items are packed." : $"Not in stock after all: {shortWhat}. You are not charged for it.");
            return 0;
        }
        var due = Math.Min(HeldMinor, OwedMinor);
        var released = HeldMinor - due;
        if (due == 0)
        {
            ReleaseHold(now, actor, "Nothing of the order is to be paid; the hold on your card is released.");
            return 0;
        }
        CaptureAskedMinor = due;
        Hold = CardHold.Capturing;
        _effects.Add(new CaptureDue(key, due));
        Touch(now, actor, shortWhat is null
            ? $"All your items are packed; {Amount(due)} is being charged to your card{(released > 0 ? $" and {Amount(released)} of the hold released" : "")}."
            : $"Not in stock after all: {shortWhat}. You pay {Amount(due)} for what we picked; the {Amount(released)} held for the rest goes back to your card, never charged.");
        return due;
    }

    /// <summary>
    /// The money the pick asked for was taken (or, never asked, was taken at the PSP): the capture is the order's money, and
    /// the rest of the hold is back with the card. Money taken for an order cancelled meanwhile goes back in full.
    /// </summary>
    private PaymentArrival Charged(long amountMinor, Guid refundKey, string actor, DateTime now)
    {
        var asked = Hold is CardHold.Capturing or CardHold.CaptureRefused && amountMinor == CaptureAskedMinor;
        CapturedMinor = amountMinor;
        HoldReleasedMinor = Math.Max(0, HeldMinor - amountMinor);
        Hold = CardHold.Captured;
        var released = HoldReleasedMinor > 0 ? $"; the other {Amount(HoldReleasedMinor)} held went back to your card" : "";
        if (Status is OrderStatus.Cancelled)
        {
            RefundAllThatIsLeft(refundKey, $"{Amount(amountMinor)} was charged after the order was cancelled; it is being refunded.", actor, now, reasonOnTimeline: true);
            return PaymentArrival.RefundedCancelled;
        }
        Touch(now, actor, $"Charged {Amount(amountMinor)} to your card{released}.");
        if (!asked)
            Review($"{Amount(amountMinor)} of the {Amount(HeldMinor)} held was taken at the payment provider, not by the pick; check that the shopper owes it.", now);
        return PaymentArrival.Charged;
    }

    private void ReleaseHold(DateTime now, string actor, string reason)
    {
        Touch(now, actor, reason);
        _effects.Add(new ReleaseHoldDue(reason));
    }

    /// <summary>Where a hold that took no money stands, in words.</summary>
    private string HoldWords() => Hold switch
    {
        CardHold.Lapsed => "lapsed",
        CardHold.Released => "was released",
        CardHold.CaptureRefused => "could not be charged",
        _ => "is not charged yet",
    };

    /// <summary>Why a card order may not leave the store yet; null when its money is taken (or it is paid in cash).</summary>
    private string? NotPaidYet() => PaymentMethod != PaymentMethod.Card || MoneyTaken ? null : Hold switch
    {
        CardHold.Capturing => $"Order {PublicId} waits for its card to be charged {Amount(CaptureAskedMinor)}; it can leave once the payment provider confirms (a moment).",
        CardHold.Held => $"Order {PublicId} has not been charged yet: finish the pick first.",
        _ => $"Order {PublicId} could not be charged ({MoneyReviewNote ?? Hold.ToString()}); it must not leave the store unpaid: cancel it.",
    };
}
