namespace QCommerce.Core.Ordering;

/// <summary>Units of one SKU the picker found (0 when none).</summary>
public sealed record FoundUnits(int SkuId, int Found);

/// <summary>
/// What finishing the pick decided: the units short per SKU, the order's new total, and for a card order what is charged of
/// the money held (<paramref name="ChargeMinor"/>) or, money taken at once, what goes back (<paramref name="RefundMinor"/>).
/// </summary>
public sealed record PickResult(IReadOnlyDictionary<int, int> ShortBySku, long TotalMinor, long RefundMinor, long ChargeMinor)
{
    public int ShortUnits => ShortBySku.Values.Sum();
}

/// <summary>The order in the store's hands: picking (short picks included), out for delivery, delivered, and staff notes.</summary>
public sealed partial class Order
{
    /// <summary>When the pick was finished (every line found or short); null while there is still something to pick.</summary>
    public DateTime? PickedAtUtc { get; private set; }

    public void StartPicking(string actor, DateTime now)
    {
        Require("start picking", OrderStatus.Paid, OrderStatus.Confirmed);
        if (PaymentMethod == PaymentMethod.Card && CapturedMinor == 0 && Hold is CardHold.Lapsed or CardHold.Released)
            throw new ConflictException($"Order {PublicId}'s card hold {HoldWords()}: nothing can be charged for it. Cancel it (the shopper may order again).");
        MoveTo(OrderStatus.Picking, actor, "Picking your items.", now);
    }

    /// <summary>
    /// The pick is done: what was found of every SKU still to pick (units refunded before the pick are not picked). Lines
    /// found short shrink and the order then costs what was picked. A card whose money is held is charged what the money
    /// account says is owed (<see cref="OwedMinor"/>) under <paramref name="moneyKey"/>, the rest of the hold released; money
    /// taken at once gives back the shortfall's worth, less what was given back before; a cash order simply owes less at
    /// the door. The timeline says exactly what is charged and what goes back.
    /// </summary>
    public PickResult FinishPick(IReadOnlyList<FoundUnits> found, string actor, DateTime now, Guid moneyKey)
    {
        Require("finish picking", OrderStatus.Picking);
        if (PickedAtUtc is not null) throw new ConflictException($"Order {PublicId} is picked already; it waits for a rider.");
        var foundByLine = CheckPick(found);

        var was = Total;
        foreach (var line in _lines) line.ShortPick(foundByLine[line]);
        PickedAtUtc = now;
        SetPickedTotals();
        var shortBySku = UnitsBySku(l => l.ShortQuantity);
        if (shortBySku.Count > 0) _effects.Add(new RecordShortPick(shortBySku));
        var what = shortBySku.Count == 0 ? null : Describe(_lines.Select(l => (l, l.ShortQuantity)));
        if (PaymentMethod == PaymentMethod.Card && CapturedMinor == 0)
            return new PickResult(shortBySku, TotalMinor, 0, AskCapture(what, actor, now, moneyKey)); // money held: take what was picked
        if (what is null)
        {
            Touch(now, actor, "All your items are packed; a rider takes them next.");
            return new PickResult(shortBySku, TotalMinor, 0, 0);
        }
        if (PaymentMethod == PaymentMethod.CashOnDelivery)
        {
            Touch(now, actor, $"Not in stock after all: {what}. You pay {Total} instead of {was} on delivery.");
            return new PickResult(shortBySku, TotalMinor, 0, 0);
        }
        // Money taken at once (before holds): the shortfall goes back, less what was given back before.
        var worthGone = _lines.Where(l => l.ShortQuantity > 0).ToDictionary(l => l, l => l.WorthOf(l.KeptQuantity + l.ShortQuantity) - l.WorthOf(l.KeptQuantity));
        var due = Math.Max(0, RefundableMinor - OwedMinor);
        Attribute(due, worthGone);
        if (due == 0)
            Touch(now, actor, $"Not in stock after all: {what}. You are not charged for it; the money was given back to you before.");
        else
            Promise(moneyKey, due, $"Not found when picking: {what}", $"Not in stock after all: {what}. {Amount(due)} goes back to your card"
                + (due < worthGone.Values.Sum() ? " (the rest of what it cost was given back to you before)." : "."), actor, now);
        return new PickResult(shortBySku, TotalMinor, due, 0);
    }

    public void SendOut(string riderName, string actor, DateTime now)
    {
        Require("send out", OrderStatus.Picking);
        if (PickedAtUtc is null) throw new ConflictException($"Order {PublicId} has lines not yet picked; finish the pick list first.");
        if (NotPaidYet() is { } unpaid) throw new ConflictException(unpaid);
        MoveTo(OrderStatus.OutForDelivery, actor, $"On its way to you with {riderName}.", now);
    }

    public void Deliver(Money? cashCollected, string actor, DateTime now)
    {
        Require("deliver", OrderStatus.OutForDelivery);
        var cashProblem = (PaymentMethod, cashCollected) switch
        {
            (PaymentMethod.CashOnDelivery, null) => $"Enter the cash collected ({Total} is due).",
            (PaymentMethod.Card, not null) => "A card order collects no cash.",
            (_, { } cash) when cash.Currency != Currency || cash.IsNegative => $"Cash is collected in {Currency}, zero or more.",
            _ => null,
        };
        if (cashProblem is not null) throw new RequestRejectedException(new Dictionary<string, string[]> { ["cashCollected"] = [cashProblem] });
        MoveTo(OrderStatus.Delivered, actor, cashCollected switch
        {
            { } c when c == Total => $"Delivered; {c} collected in cash.",
            { } c => $"Delivered; {c} collected in cash of {Total} due.",
            _ => "Delivered.",
        }, now);
    }

    /// <summary>A note by staff for staff: on the ops timeline only.</summary>
    public void AddStaffNote(string actor, string text, DateTime now)
    {
        _events.Add(new OrderEvent(now, actor, Status, Status, text, staffOnly: true));
        UpdatedAtUtc = now;
        Version++;
    }

    /// <summary>Units still to pick of one SKU: ordered, less those refunded before the pick.</summary>
    public int ToPick(int skuId) => _lines.Where(l => l.SkuId == skuId).Sum(l => l.Quantity - l.RemovedQuantity);

    /// <summary>
    /// The found units spread over the lines of each SKU in their order, after checking them: every SKU still to pick is
    /// named once, none above what is to pick, and something was found (else the order is cancelled, not picked).
    /// </summary>
    private Dictionary<OrderLine, int> CheckPick(IReadOnlyList<FoundUnits> found)
    {
        var problems = new ProblemList();
        if (found.Count == 0) problems.Add("lines", "Say what was found for every line of the order.");
        problems.EachSkuOnce("lines", found, f => f.SkuId);
        for (var i = 0; i < found.Count; i++)
        {
            if (found[i].Found < 0) problems.Add($"lines[{i}].pickedQty", "A picked quantity is zero or more.");
            if (_lines.All(l => l.SkuId != found[i].SkuId))
                problems.Add($"lines[{i}].skuId", $"{Common.PublicId.Format(Common.PublicId.Sku, found[i].SkuId)} is not on this order.");
            else if (found[i].Found > ToPick(found[i].SkuId))
                problems.Add($"lines[{i}].pickedQty", $"{_lines.First(l => l.SkuId == found[i].SkuId).Title}: {ToPick(found[i].SkuId)} to pick, so {found[i].Found} cannot have been found.");
        }
        foreach (var missing in _lines.Where(l => ToPick(l.SkuId) > 0 && found.All(f => f.SkuId != l.SkuId)).Select(l => l.SkuId).Distinct())
            problems.Add("lines", $"{_lines.First(l => l.SkuId == missing).Title} ({Common.PublicId.Format(Common.PublicId.Sku, missing)}) is not ticked: every line is picked, or marked short.");
        problems.ThrowIfAny();
        if (_lines.All(l => l.Quantity == l.RemovedQuantity))
            throw new ConflictException($"Every unit of order {PublicId} was refunded before the pick: cancel it instead (its delivery fee goes back too).");
        if (found.Sum(f => f.Found) == 0)
            throw new ConflictException($"Nothing of order {PublicId} was found: cancel it instead ({(PaymentMethod == PaymentMethod.Card && CapturedMinor == 0 ? "the hold on the card is released, nothing is charged" : "the shopper is refunded in full")}).");

        var byLine = new Dictionary<OrderLine, int>();
        foreach (var group in _lines.GroupBy(l => l.SkuId))
        {
            var left = found.FirstOrDefault(f => f.SkuId == group.Key)?.Found ?? 0;
            foreach (var line in group.OrderBy(l => l.Id))
            {
                byLine[line] = Math.Min(left, line.Quantity - line.RemovedQuantity);
                left -= byLine[line];
            }
        }
        return byLine;
    }

    /// <summary>The order's price once picked: the goods picked, their parts of the discount and tax, the fee as promised.</summary>
    private void SetPickedTotals()
    {
        SubtotalMinor = _lines.Sum(l => l.UnitPriceMinor * l.PickedQuantity);
        DiscountMinor = _lines.Sum(l => l.DiscountOf(l.PickedQuantity));
        TaxMinor = _lines.Sum(l => l.TaxOf(l.PickedQuantity));
        TotalMinor = SubtotalMinor - DiscountMinor + DeliveryFeeMinor + TaxMinor;
    }
}
