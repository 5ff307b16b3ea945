namespace QCommerce.Core.Ordering;

/// <summary>How a card payment's arrival changed the order.</summary>
public enum PaymentArrival
{
    /// <summary>The order is paid: its stock leaves the shelf and the store can start.</summary>
    Paid,

    /// <summary>The money came for an order that was cancelled meanwhile: all of it goes back.</summary>
    RefundedCancelled,

    /// <summary>The money came for another total than the order's (an earlier version of it): all of it goes back.</summary>
    RefundedOtherAmount,

    /// <summary>The order had its money already (a repeat): nothing changes.</summary>
    AlreadyPaid,

    /// <summary>What the pick asked of the money held was taken; the rest of the hold went back to the card.</summary>
    Charged,
}

/// <summary>
/// The order's money, one account for every caller (architecture §3): what was captured, what went back (settled, or promised
/// and not yet settled) and the goodwill given; per line, what each unit was worth and what it gave back. Every refund, short
/// pick, cancellation and refund the PSP reports asks this account what is due, so nothing is given back twice.
/// <para>
/// The rule: the shopper pays for what they keep, less goodwill. <see cref="OwedMinor"/> is the worth of the units neither
/// short nor refunded (their price less their part of the discount, plus their part of the tax) plus the delivery fee, less
/// goodwill, never below zero; a cancelled order owes nothing. Whatever was captured above that is due back. So goodwill
/// given first is counted by a later short pick: units then refunded give back only what they still cost the shopper.
/// Invariants: refunded (settled and pending) never above captured; what a line gives back never above what it cost;
/// units short and refunded never above those ordered.
/// </para>
/// </summary>
public sealed partial class Order
{
    /// <summary>Money the PSP captured for the order.</summary>
    public long CapturedMinor { get; private set; }

    /// <summary>Money back with the shopper: refunds the PSP settled.</summary>
    public long RefundedMinor { get; private set; }

    /// <summary>Money promised back and asked of the PSP, not yet settled.</summary>
    public long RefundPendingMinor { get; private set; }

    /// <summary>Money given back beyond the worth of units taken off the order: amounts staff refund, refunds made at the PSP (negative: kept back).</summary>
    public long GoodwillMinor { get; private set; }

    /// <summary>Why a person must look at this order's money; null when nothing is amiss.</summary>
    public string? MoneyReviewNote { get; private set; }

    /// <summary>Captured money neither back with the shopper nor promised back: the most a refund can be.</summary>
    public long RefundableMinor => Math.Max(0, CapturedMinor - RefundedMinor - RefundPendingMinor);

    /// <summary>What the shopper keeps is worth: the delivery fee and the units neither short nor refunded; nothing once cancelled.</summary>
    public long KeptWorthMinor => Status is OrderStatus.Cancelled or OrderStatus.RefundPending or OrderStatus.Refunded
        ? 0
        : DeliveryFeeMinor + _lines.Sum(l => l.WorthOf(l.KeptQuantity));

    /// <summary>What the shopper should have paid, all told: what they keep, less goodwill.</summary>
    public long OwedMinor => Math.Max(0, KeptWorthMinor - GoodwillMinor);

    /// <summary>
    /// The money for the order arrived at the PSP (a capture): of a hold, what the pick asked for (Order.Hold.cs); taken at
    /// once (no hold), only the order's own total pays it.
    /// </summary>
    public PaymentArrival ReceivePayment(long amountMinor, string currency, Guid refundKey, string actor, DateTime now)
    {
        if (amountMinor <= 0) throw new DomainException("A payment is a positive amount.");
        if (PaymentMethod != PaymentMethod.Card) throw new ConflictException($"Order {PublicId} is paid in cash on delivery; no card payment belongs to it.");
        if (CapturedMinor > 0) return PaymentArrival.AlreadyPaid;
        if (Hold != CardHold.None) return Charged(amountMinor, refundKey, actor, now);
        CapturedMinor = amountMinor;
        var paid = Amount(amountMinor);
        if (Status == OrderStatus.Cancelled)
        {
            RefundAllThatIsLeft(refundKey, $"A payment of {paid} arrived after the order was cancelled; it is being refunded.", actor, now, reasonOnTimeline: true);
            return PaymentArrival.RefundedCancelled;
        }
        Require("mark as paid", OrderStatus.PendingPayment, OrderStatus.PaymentFailed);
        PaymentInFlight = false;
        if (amountMinor != TotalMinor || !string.Equals(currency, Currency, StringComparison.OrdinalIgnoreCase))
        {
            // Money for an earlier version of the order (changed after a decline; the old page paid anyway): an order is never
            // paid for less, or more, than it costs; the money goes back and the shopper orders again.
            RefundAllThatIsLeft(refundKey, $"A payment of {amountMinor} {currency.ToUpperInvariant()} (minor units) arrived for an earlier version of this order, "
                + $"which now costs {Total}; it is being refunded in full. Please place the order again.", actor, now, reasonOnTimeline: true);
            return PaymentArrival.RefundedOtherAmount;
        }
        CommitReservation();
        MoveTo(OrderStatus.Paid, actor, "Payment received.", now);
        return PaymentArrival.Paid;
    }

    /// <summary>A requested refund: units of a SKU of the order.</summary>
    public sealed record UnitsToRefund(int SkuId, int Units);

    /// <summary>
    /// Staff give money back: units of some lines (what they are worth to the shopper, see <see cref="OwedMinor"/>) and/or an
    /// amount. Units refunded before the pick leave the pick list and go back on the shelf; after it they go back on the shelf
    /// only with <paramref name="restock"/>. With units and an amount, the amount is what goes back and its difference from
    /// the units' worth counts as goodwill. Returns the amount promised under <paramref name="key"/>.
    /// </summary>
    public long Refund(IReadOnlyList<UnitsToRefund> units, long? amountMinor, bool restock, string reason, string actor, DateTime now, Guid key)
    {
        if (PaymentMethod == PaymentMethod.Card && CapturedMinor == 0 && Hold is CardHold.Held or CardHold.Capturing)
            throw new ConflictException($"Order {PublicId}'s money is only held on the card so far: nothing was charged, so nothing can be refunded. "
                + "Mark units short at the pick (they are never charged), or cancel the order (the hold is released).");
        if (PaymentMethod == PaymentMethod.Card && CapturedMinor == 0 && Hold != CardHold.None)
            throw new ConflictException($"Order {PublicId}'s card was never charged (its hold {HoldWords()}): there is nothing to refund.");
        if (PaymentMethod != PaymentMethod.Card || CapturedMinor == 0)
            throw new ConflictException($"Order {PublicId} was not paid by card; cash is given back in person.");
        if (Status is not (OrderStatus.Paid or OrderStatus.Picking or OrderStatus.OutForDelivery or OrderStatus.Delivered))
            throw new ConflictException($"Order {PublicId} is {Status}; only a paid order that is not being cancelled can be refunded.");

        var problems = new ProblemList();
        if (units.Count == 0 && amountMinor is null) problems.Add("lines", "Choose units to refund, an amount, or both.");
        if (amountMinor is <= 0) problems.Add("amount", "A refund is a positive amount.");
        var taken = SpreadOverLines(units, problems);
        if (amountMinor is { } asked && asked > RefundableMinor)
            problems.Add("amount", $"{Amount(RefundableMinor)} can still be refunded; {Amount(asked)} is more than that.");
        problems.ThrowIfAny();

        var worthGone = WorthOfRemoving(taken);
        var forUnits = DueAfterRemoving(taken);
        var refund = amountMinor ?? forUnits;
        if (refund <= 0)
        {
            throw new RequestRejectedException(new Dictionary<string, string[]>
            {
                ["lines"] = [$"These units cost the shopper nothing any more: {Amount(CapturedMinor - RefundableMinor)} of the order's {Amount(CapturedMinor)} was given back already."],
            });
        }
        var beforePick = PickedAtUtc is null;
        foreach (var (line, count) in taken) line.Refund(count, beforePick);
        if (amountMinor is not null) GoodwillMinor += refund - forUnits;
        Attribute(forUnits, worthGone);

        var back = taken.Where(t => beforePick || restock).GroupBy(t => t.Line.SkuId).ToDictionary(g => g.Key, g => g.Sum(t => t.Units));
        if (back.Count > 0) _effects.Add(new RestockUnits(back));
        var what = Describe(taken.Select(t => (t.Line, t.Units)));
        var clipped = amountMinor is null && forUnits < worthGone.Values.Sum() ? " (the rest of what they cost was given back before)" : "";
        Promise(key, refund, reason, what.Length > 0
            ? $"Refunding {Amount(refund)} for {what}{clipped}: {reason}"
            : $"Refunding {Amount(refund)}: {reason}", actor, now);
        return refund;
    }

    /// <summary>The PSP settled a refund this order promised: the money is back, or the refund failed and is owed again.</summary>
    public void RefundSettled(long amountMinor, bool succeeded, string? failure, string actor, DateTime now)
    {
        var amount = Math.Min(amountMinor, RefundPendingMinor);
        RefundPendingMinor -= amount;
        if (succeeded)
        {
            RefundedMinor += amount;
            Touch(now, actor, $"Refunded {Amount(amount)}.");
        }
        else
        {
            var note = $"A refund of {Amount(amount)} failed at the payment provider{(failure is { Length: > 0 } ? $" ({failure})" : "")}; the store will look into it.";
            Touch(now, actor, note, refundMinor: -amount);
            Review(note, now);
        }
        if (Status == OrderStatus.RefundPending && RefundPendingMinor == 0 && RefundableMinor == 0) Close("Refunded in full.", actor, now);
    }

    /// <summary>
    /// A refund made at the PSP that this order never asked for (an operator in the PSP's dashboard): it counts as goodwill, never
    /// above what was left, and a person is asked to look. When it gives back all that was left of an order still in the store,
    /// the order closes as Refunded and its stock goes back on the shelf: nobody will be charged for it, so nobody delivers it.
    /// </summary>
    public void RecordUnaskedRefund(long amountMinor, string pspRefundId, string actor, DateTime now)
    {
        if (amountMinor <= 0) throw new DomainException("A refund is a positive amount.");
        var counted = Math.Min(amountMinor, RefundableMinor);
        RefundedMinor += counted;
        GoodwillMinor += counted;
        Review($"{Amount(amountMinor)} was refunded at the payment provider ({pspRefundId}), not through QCommerce"
            + (counted < amountMinor ? $"; only {Amount(counted)} was left to refund, so only that counts." : ". Check why it was made."), now);
        if (counted > 0) Touch(now, actor, $"{Amount(counted)} was refunded to your card.", refundMinor: counted);
        if (RefundableMinor > 0 || Status is not (OrderStatus.Paid or OrderStatus.Picking or OrderStatus.RefundPending)) return;
        if (RefundPendingMinor == 0) Close("Refunded in full at the payment provider; the order will not be delivered.", actor, now);
        // A refund of ours is still on its way: the order is not delivered, and closes when that money is back too.
        else if (Status != OrderStatus.RefundPending)
            MoveTo(OrderStatus.RefundPending, actor, "Refunded in full at the payment provider; the order will not be delivered.", now);
    }

    /// <summary>
    /// Everything captured and not yet given back goes back: a cancellation (its reason is already on the timeline), or money
    /// that arrived when it could not pay the order (the reason is what the timeline says).
    /// </summary>
    private void RefundAllThatIsLeft(Guid key, string reason, string actor, DateTime now, bool reasonOnTimeline = false)
    {
        var all = RefundableMinor;
        if (all > 0) Promise(key, all, reason, reasonOnTimeline ? reason : $"Refunding {Amount(all)}.", actor, now);
        else if (Status == OrderStatus.RefundPending) Close("Nothing was left to refund.", actor, now);
    }

    /// <summary>Money promised back: counted as pending, on the timeline with its amount, and asked of the PSP by the unit of work.</summary>
    private void Promise(Guid key, long amountMinor, string reason, string timeline, string actor, DateTime now)
    {
        if (amountMinor <= 0 || amountMinor > RefundableMinor)
            throw new DomainException($"Order {PublicId} can give back {Amount(RefundableMinor)}, not {Amount(amountMinor)}.");
        RefundPendingMinor += amountMinor;
        Touch(now, actor, timeline, refundMinor: amountMinor);
        _effects.Add(new RefundDue(key, amountMinor, reason));
    }

    /// <summary>A refund-pending (or PSP-refunded) card order closes: the units still the shopper's go back on the shelf.</summary>
    private void Close(string reason, string actor, DateTime now)
    {
        MoveTo(OrderStatus.Refunded, actor, reason, now);
        GiveBackHolds();
    }

    /// <summary>What refunding these units would give back now, as the refund dialog shows it before anyone commits to it.</summary>
    public long QuoteRefund(IReadOnlyList<UnitsToRefund> units)
    {
        var kept = units.Select(u => u with { Units = Math.Min(u.Units, _lines.Where(l => l.SkuId == u.SkuId).Sum(l => l.KeptQuantity)) }).Where(u => u.Units > 0).ToList();
        return CapturedMinor == 0 ? 0 : DueAfterRemoving(SpreadOverLines(kept, new ProblemList()));
    }

    /// <summary>What taking these units off the order is worth, per line: their price less their discount, plus their tax.</summary>
    private static Dictionary<OrderLine, long> WorthOfRemoving(IEnumerable<(OrderLine Line, int Units)> taken) =>
        taken.GroupBy(t => t.Line).ToDictionary(g => g.Key, g => g.Key.WorthOf(g.Key.KeptQuantity) - g.Key.WorthOf(g.Key.KeptQuantity - g.Sum(t => t.Units)));

    /// <summary>The money that would be due back once these units are off the order: what is left of the captured money above what the shopper would then owe.</summary>
    private long DueAfterRemoving(IEnumerable<(OrderLine Line, int Units)> taken)
    {
        var owedAfter = Math.Max(0, KeptWorthMinor - WorthOfRemoving(taken).Values.Sum() - GoodwillMinor);
        return Math.Max(0, RefundableMinor - owedAfter);
    }

    /// <summary>What units gave back, shared over the lines they came from in proportion to their worth (never above it).</summary>
    private static void Attribute(long given, IReadOnlyDictionary<OrderLine, long> worthGone)
    {
        var gone = worthGone.Where(x => x.Value > 0).ToList();
        var shares = Share(Math.Min(given, gone.Sum(x => x.Value)), gone.Select(x => x.Value).ToList());
        for (var i = 0; i < gone.Count; i++) gone[i].Key.GaveBack(Math.Min(shares[i], gone[i].Value));
    }

    /// <summary>Units per SKU spread over the order's lines of that SKU (in their order), each within what the line still keeps.</summary>
    private List<(OrderLine Line, int Units)> SpreadOverLines(IReadOnlyList<UnitsToRefund> units, ProblemList problems)
    {
        var taken = new List<(OrderLine, int)>();
        for (var i = 0; i < units.Count; i++)
        {
            var lines = _lines.Where(l => l.SkuId == units[i].SkuId).OrderBy(l => l.Id).ToList();
            var kept = lines.Sum(l => l.KeptQuantity);
            if (lines.Count == 0) problems.Add($"lines[{i}].skuId", $"{Common.PublicId.Format(Common.PublicId.Sku, units[i].SkuId)} is not on this order.");
            else if (units[i].Units < 1 || units[i].Units > kept)
                problems.Add($"lines[{i}].qty", $"{kept} of {lines[0].Title} can still be refunded, not {units[i].Units}.");
            else
            {
                var left = units[i].Units;
                foreach (var line in lines.Where(l => l.KeptQuantity > 0))
                {
                    var some = Math.Min(left, line.KeptQuantity);
                    taken.Add((line, some));
                    left -= some;
                    if (left == 0) break;
                }
            }
        }
        return taken;
    }

    /// <summary>Something a person must look at: kept on the order, on the ops timeline (never the shopper's) and logged once.</summary>
    private void Review(string note, DateTime now)
    {
        MoneyReviewNote = TextRules.Clean(note, 300);
        AddStaffNote("system", MoneyReviewNote, now);
        _effects.Add(new MoneyToReview(MoneyReviewNote));
    }

    private static string Describe(IEnumerable<(OrderLine Line, int Units)> units) =>
        string.Join(", ", units.Where(u => u.Units > 0).Select(u => $"{u.Units} × {u.Line.Title}"));

}
