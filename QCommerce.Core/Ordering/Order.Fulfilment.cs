using QCommerce.Core.Promotions;

namespace QCommerce.Core.Ordering;

/// <summary>The order in the store's hands: picking (short picks included), out for delivery, delivered, refunds and staff notes.</summary>
public sealed partial class Order
{
    public void StartPicking(string actor, DateTime now)
    {
        Require("start picking", OrderStatus.Paid, OrderStatus.Confirmed);
        MoveTo(OrderStatus.Picking, actor, "Picking your items.", now);
    }

    /// <summary>
    /// Picking found fewer of some lines than ordered (<paramref name="foundByLine"/>: line id → units found, every line
    /// named): those lines shrink and the order costs <paramref name="price"/> from now on. Returns the units short per SKU.
    /// </summary>
    public IReadOnlyDictionary<int, int> RecordPick(IReadOnlyDictionary<int, int> foundByLine, PriceBreakdown price, string actor, DateTime now)
    {
        Require("finish picking", OrderStatus.Picking);
        if (_lines.Any(l => !foundByLine.ContainsKey(l.Id)) || foundByLine.Keys.Any(id => _lines.All(l => l.Id != id)))
            throw new DomainException("Every line of the order is picked once, and only its lines.");
        foreach (var line in _lines) line.ShortPick(foundByLine[line.Id]);
        if (_lines.All(l => l.PickedQuantity == 0)) throw new DomainException("Nothing of the order was found: cancel it instead.");
        if (Common.Money.Sum(Currency, _lines.Select(l => l.LineTotal)) != price.Subtotal)
            throw new DomainException("An order's subtotal must be the sum of its lines.");
        var shortBySku = _lines.Where(l => l.ShortQuantity > 0).GroupBy(l => l.SkuId).ToDictionary(g => g.Key, g => g.Sum(l => l.ShortQuantity));
        if (shortBySku.Count > 0)
        {
            var was = Total;
            SetTotals(price);
            var what = string.Join(", ", _lines.Where(l => l.ShortQuantity > 0).Select(l => $"{l.ShortQuantity} × {l.Title}"));
            Touch(now, actor, PaymentMethod == PaymentMethod.Card
                ? $"Not in stock after all: {what}. You pay {Total} instead of {was}; the difference is refunded to your card."
                : $"Not in stock after all: {what}. You pay {Total} instead of {was} on delivery.");
        }
        else Touch(now, actor, "All your items are packed; a rider takes them next.");
        return shortBySku;
    }

    public void SendOut(string riderName, string actor, DateTime now)
    {
        Require("send out", OrderStatus.Picking);
        MoveTo(OrderStatus.OutForDelivery, actor, $"On its way to you with {riderName}.", now);
    }

    public void Deliver(Money? cashCollected, string actor, DateTime now)
    {
        Require("deliver", OrderStatus.OutForDelivery);
        if (PaymentMethod == PaymentMethod.CashOnDelivery && cashCollected is null)
            throw new DomainException("Say how much cash was collected.");
        if (cashCollected is { } cash && (PaymentMethod != PaymentMethod.CashOnDelivery || cash.Currency != Currency || cash.IsNegative))
            throw new DomainException(PaymentMethod == PaymentMethod.Card ? "A card order collects no cash." : $"Cash is collected in {Currency}, zero or more.");
        MoveTo(OrderStatus.Delivered, actor, cashCollected switch
        {
            { } c when c == Total => $"Delivered; {c} collected in cash.",
            { } c => $"Delivered; {c} collected in cash of {Total} due.",
            _ => "Delivered.",
        }, now);
    }

    /// <summary>Staff gave money back for some units (and/or an amount): the shopper's timeline says what and how much.</summary>
    public void RecordRefund(IReadOnlyDictionary<int, int> unitsByLine, Money amount, string actor, DateTime now)
    {
        Require("refund", OrderStatus.Paid, OrderStatus.Picking, OrderStatus.OutForDelivery, OrderStatus.Delivered);
        if (PaymentMethod != PaymentMethod.Card) throw new ConflictException($"Order {PublicId} was paid in cash; give the money back in person.");
        foreach (var (lineId, units) in unitsByLine)
            (_lines.FirstOrDefault(l => l.Id == lineId) ?? throw new DomainException("A refunded line must be one of the order's.")).Refund(units);
        var what = string.Join(", ", unitsByLine.Select(x => $"{x.Value} × {_lines.First(l => l.Id == x.Key).Title}"));
        Touch(now, actor, what.Length > 0 ? $"Refunding {amount} for {what}." : $"Refunding {amount}.");
    }

    /// <summary>A note by staff for staff: on the ops timeline only.</summary>
    public void AddStaffNote(string actor, string text, DateTime now)
    {
        _events.Add(new OrderEvent(now, actor, Status, Status, text, staffOnly: true));
        UpdatedAtUtc = now;
        Version++;
    }
}
