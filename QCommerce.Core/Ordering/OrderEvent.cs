namespace QCommerce.Core.Ordering;

/// <summary>One entry of an order's timeline: who moved it from what to what, and why.</summary>
public sealed class OrderEvent
{
    private OrderEvent() { }

    public OrderEvent(DateTime atUtc, string actor, OrderStatus? from, OrderStatus to, string? reason, bool staffOnly = false, long? refundMinor = null)
    {
        StaffOnly = staffOnly;
        RefundMinor = refundMinor;
        AtUtc = atUtc;
        Actor = actor;
        FromStatus = from;
        ToStatus = to;
        Reason = reason;
    }

    public long Id { get; private set; }
    public int OrderId { get; private set; }
    public DateTime AtUtc { get; private set; }
    public string Actor { get; private set; } = "";
    public OrderStatus? FromStatus { get; private set; }
    public OrderStatus ToStatus { get; private set; }
    public string? Reason { get; private set; }

    /// <summary>
    /// Money this entry gives back to the shopper's card (minor units, the order's currency), as its text says; negative when a
    /// refund promised earlier failed. The entries' sum is what the shopper has been refunded, or is being refunded.
    /// </summary>
    public long? RefundMinor { get; private set; }

    /// <summary>A staff note: on the ops timeline, never on the shopper's.</summary>
    public bool StaffOnly { get; private set; }
}
