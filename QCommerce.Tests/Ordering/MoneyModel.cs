using QCommerce.Core.Ordering;

namespace QCommerce.Tests.Ordering;

/// <summary>One thing staff, the shopper or the PSP does to a paid order; its numbers are read against the order as it stands.</summary>
public abstract record MoneyStep
{
    /// <summary>Units of a line refunded by staff (<see cref="Line"/> is taken modulo the order's lines).</summary>
    public sealed record RefundUnits(int Line, int Units, bool Restock) : MoneyStep;

    /// <summary>An amount refunded by staff: goodwill.</summary>
    public sealed record RefundAmount(int Minor) : MoneyStep;

    public sealed record StartPicking : MoneyStep;

    /// <summary>The pick finished with this share (in percent) of each line's units to pick found.</summary>
    public sealed record FinishPick(int[] FoundPercent) : MoneyStep
    {
        public override string ToString() => $"FinishPick {{ FoundPercent = [{string.Join(", ", FoundPercent)}] }}";
    }

    /// <summary>The pick finished with these units of each line found, as counted before it ran (two staff at once: see the parallel form).</summary>
    public sealed record FinishFound(int[] Units) : MoneyStep
    {
        public override string ToString() => $"FinishFound {{ Units = [{string.Join(", ", Units)}] }}";
    }

    public sealed record StaffCancel : MoneyStep;
    public sealed record ShopperCancel : MoneyStep;
    public sealed record Dispatch : MoneyStep;
    public sealed record Deliver : MoneyStep;

    /// <summary>A refund made in the PSP's dashboard, of this share of what is left there.</summary>
    public sealed record PspRefund(int Percent) : MoneyStep;

    /// <summary>A past PSP event of the order delivered once more.</summary>
    public sealed record ReplayEvent(int Index) : MoneyStep;

    /// <summary>The step's PSP events are held back, then delivered shuffled and some twice.</summary>
    public sealed record Reordered(MoneyStep Step, int Seed) : MoneyStep;

    /// <summary>The card's hold runs out at the PSP (the sandbox's clock, for this payment, a week on).</summary>
    public sealed record HoldLapses : MoneyStep;
}

/// <summary>
/// The order's money as the test expects it, written from the rule and not from the code (README "Refunds"): the card
/// holds the order's total at checkout; the pick takes what the shopper keeps (the units neither short nor refunded: their
/// price less their part of the discount, plus their part of the tax, those parts rounded half away from zero, plus the
/// delivery fee) and releases the rest; refunds come only after that, and a refund beyond the worth of units is goodwill;
/// the shopper pays what they keep less goodwill, never below zero; a cancelled order keeps nothing (before the capture
/// its hold is released, after it its money goes back). A hold that lapses leaves nothing to take: the order cannot leave.
/// It predicts which actions are accepted and what the order, its payment, the PSP, the timeline and the stock then say.
/// </summary>
public sealed class MoneyModel
{
    public sealed class Line(int skuId, int ordered, long unitMinor, long discountMinor, long taxMinor)
    {
        public int SkuId { get; } = skuId;
        public int Ordered { get; } = ordered;
        public long UnitMinor { get; } = unitMinor;
        public long DiscountMinor { get; } = discountMinor;
        public long TaxMinor { get; } = taxMinor;
        public int Short { get; set; }
        public int Refunded { get; set; }
        public int Removed { get; set; }
        public int Kept => Ordered - Short - Refunded;
        public int ToPick => Ordered - Removed;
        public long Worth(int units) => UnitMinor * units - Part(DiscountMinor, units) + Part(TaxMinor, units);
        private long Part(long whole, int units) => (2 * whole * units + Ordered) / (2L * Ordered);
        public Line Copy() => new(SkuId, Ordered, UnitMinor, DiscountMinor, TaxMinor) { Short = Short, Refunded = Refunded, Removed = Removed };
    }

    public required List<Line> Lines { get; init; }
    public required long FeeMinor { get; init; }

    /// <summary>What the card holds: the order's total at checkout.</summary>
    public required long Held { get; init; }
    public long Captured { get; private set; }

    /// <summary>Held money back with the card uncharged (the rest after the capture; all of a hold released or lapsed).</summary>
    public long Released { get; private set; }

    /// <summary>The pick asked for the money and the PSP has not said it took it yet (it does by <see cref="Settle"/>).</summary>
    public bool Capturing { get; private set; }
    public bool Lapsed { get; private set; }
    public long Refunded { get; private set; }
    public long Goodwill { get; private set; }
    public bool Picked { get; private set; }
    public OrderStatus Status { get; private set; } = OrderStatus.Paid;

    /// <summary>Units back on the shelf since the order was paid, per SKU.</summary>
    public Dictionary<int, int> Restocked { get; init; } = [];

    private bool Closed => Status is OrderStatus.Cancelled or OrderStatus.RefundPending or OrderStatus.Refunded;
    private bool Refundable => Captured > 0 && !Capturing && Status is OrderStatus.Paid or OrderStatus.Picking or OrderStatus.OutForDelivery or OrderStatus.Delivered;

    /// <summary>The money is held and nothing of it was taken or released yet.</summary>
    private bool OnlyHeld => Captured == 0 && Released == 0 && !Capturing;
    public long Left => Captured - Refunded;
    public long KeptWorth => Closed ? 0 : FeeMinor + Lines.Sum(l => l.Worth(l.Kept));
    public long Owed => Math.Max(0, KeptWorth - Goodwill);

    public MoneyModel Copy() => new()
    {
        Lines = Lines.Select(l => l.Copy()).ToList(), FeeMinor = FeeMinor, Held = Held, Captured = Captured, Released = Released, Capturing = Capturing,
        Lapsed = Lapsed, Refunded = Refunded, Goodwill = Goodwill, Picked = Picked, Status = Status, Restocked = new(Restocked),
    };

    /// <summary>What the PSP does once nothing else moves: the capture asked is taken (the rest of the hold released); a hold the order gave up is released.</summary>
    public void Settle()
    {
        if (Capturing) Capturing = false;
        if (Status == OrderStatus.Cancelled && Captured == 0) Released = Held;
    }

    /// <summary>Applies a step as the rule says it goes; false when the rule refuses it (nothing changes then).</summary>
    public bool Apply(MoneyStep step, long pspAmount = 0)
    {
        switch (step)
        {
            case MoneyStep.Reordered(var inner, _):
                return Apply(inner, pspAmount);
            case MoneyStep.RefundUnits(var index, var units, var restock):
            {
                var line = Lines[index % Lines.Count];
                if (!Refundable || units > line.Kept) return false;
                var gone = line.Worth(line.Kept) - line.Worth(line.Kept - units);
                var due = Math.Max(0, Left - Math.Max(0, KeptWorth - gone - Goodwill));
                if (due <= 0) return false;
                line.Refunded += units;
                if (!Picked) line.Removed += units;
                if (!Picked || restock) Restock(line.SkuId, units);
                Refunded += due;
                return true;
            }
            case MoneyStep.RefundAmount(var minor):
                if (!Refundable || minor > Left) return false;
                Goodwill += minor;
                Refunded += minor;
                return true;
            case MoneyStep.StartPicking:
                if (Status != OrderStatus.Paid || Lapsed) return false; // nothing could be charged for it
                Status = OrderStatus.Picking;
                return true;
            case MoneyStep.FinishPick(var percents):
                return Apply(Concrete(step));
            case MoneyStep.FinishFound(var found):
            {
                if (Status != OrderStatus.Picking || Picked || Lines.All(l => l.ToPick == 0)) return false;
                if (Lines.Where((l, i) => found[i] > l.ToPick).Any() || found.Sum() == 0) return false;
                for (var i = 0; i < Lines.Count; i++) Lines[i].Short = Lines[i].ToPick - found[i];
                Picked = true;
                if (OnlyHeld && !Lapsed)
                {
                    // What was picked is taken of the hold; the rest goes back to the card, never charged.
                    Captured = Math.Min(Held, Owed);
                    Released = Held - Captured;
                    Capturing = true;
                }
                else Refunded += Math.Max(0, Left - Owed);
                return true;
            }
            case MoneyStep.StaffCancel or MoneyStep.ShopperCancel:
                if (Status is not (OrderStatus.Paid or OrderStatus.Picking) || (step is MoneyStep.ShopperCancel && Status != OrderStatus.Paid) || Capturing) return false;
                if (Captured == 0)
                {
                    // Nothing was taken: the hold is released (when the PSP answers) and the order is simply cancelled.
                    Close(OrderStatus.Cancelled);
                    return true;
                }
                Refunded = Captured;
                Close(OrderStatus.Refunded);
                return true;
            case MoneyStep.HoldLapses:
                if (!OnlyHeld || Lapsed || Status is not (OrderStatus.Paid or OrderStatus.Picking)) return false;
                Lapsed = true;
                Released = Held;
                return true;
            case MoneyStep.Dispatch:
                if (Status != OrderStatus.Picking || !Picked || Captured == 0 || Capturing) return false;
                Status = OrderStatus.OutForDelivery;
                return true;
            case MoneyStep.Deliver:
                if (Status != OrderStatus.OutForDelivery) return false;
                Status = OrderStatus.Delivered;
                return true;
            case MoneyStep.PspRefund:
                if (pspAmount <= 0) return false;
                Refunded += pspAmount;
                Goodwill += pspAmount;
                if (Left == 0 && Status is OrderStatus.Paid or OrderStatus.Picking) Close(OrderStatus.Refunded);
                return true;
            case MoneyStep.ReplayEvent:
                return true;
            default:
                throw new ArgumentOutOfRangeException(nameof(step), step, null);
        }
    }

    /// <summary>A step with its shares of units made counts, as the order stands now.</summary>
    public MoneyStep Concrete(MoneyStep step) => step is MoneyStep.FinishPick(var percents)
        ? new MoneyStep.FinishFound(Lines.Select((l, i) => l.ToPick * percents[i % percents.Length] / 100).ToArray())
        : step;

    /// <summary>The order closes (refunded once its money is back, or cancelled before any was taken): the units still the shopper's go back on the shelf.</summary>
    private void Close(OrderStatus status)
    {
        foreach (var line in Lines) Restock(line.SkuId, line.Kept);
        Status = status;
    }

    private void Restock(int skuId, int units) => Restocked[skuId] = Restocked.GetValueOrDefault(skuId) + units;
}
