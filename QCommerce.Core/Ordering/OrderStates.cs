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

/// <summary>
/// Where and how an order is handed over, copied from the shopper's input when it was placed: the address, the number the
/// rider calls (E.164) and what the rider should know (door, buzzer, leave it at the door). The phone and the instructions
/// are personal data: shown to the shopper and to the store's staff, never written to a log.
/// </summary>
public sealed record DeliveryAddress(string Line1, string? Line2, string City, string Zip, string? Phone = null, string? Instructions = null);

/// <summary>
/// When the order will arrive: as soon as possible by an estimated time, or inside a booked slot.
/// </summary>
public sealed record DeliveryPromise(DeliveryKind Kind, int? SlotId, DateTime? FromUtc, DateTime ByUtc)
{
    public static DeliveryPromise Asap(DateTime byUtc) => new(DeliveryKind.Asap, null, null, byUtc);
    public static DeliveryPromise InSlot(int slotId, DateTime fromUtc, DateTime toUtc) => new(DeliveryKind.Slot, slotId, fromUtc, toUtc);
}
