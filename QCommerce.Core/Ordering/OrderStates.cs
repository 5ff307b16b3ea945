namespace QCommerce.Core.Ordering;

public enum OrderStatus
{
    PendingPayment,
    PaymentFailed,
    Paid,
    PendingConfirmation,
    Confirmed,
    Picking,
    OutForDelivery,
    Delivered,
    Cancelled,
    RefundPending,
    Refunded,
}

public enum PaymentMethod
{
    Card,
    CashOnDelivery,
}

/// <summary>Where the stock of an order stands: held for it, taken off the shelf, or given back.</summary>
public enum ReservationStatus
{
    Held,
    Committed,
    Released,
}

public enum DeliveryKind
{
    Asap,
    Slot,
}

/// <summary>The address an order goes to, copied from the shopper's input when it was placed.</summary>
public sealed record DeliveryAddress(string Line1, string? Line2, string City, string Zip);

/// <summary>
/// When the order will arrive: as soon as possible by an estimated time, or inside a booked slot.
/// </summary>
public sealed record DeliveryPromise(DeliveryKind Kind, int? SlotId, DateTime? FromUtc, DateTime ByUtc)
{
    public static DeliveryPromise Asap(DateTime byUtc) => new(DeliveryKind.Asap, null, null, byUtc);
    public static DeliveryPromise InSlot(int slotId, DateTime fromUtc, DateTime toUtc) => new(DeliveryKind.Slot, slotId, fromUtc, toUtc);
}
