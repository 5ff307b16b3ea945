using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Fulfillment;

/// <summary>
/// An order's way through the store once picking starts: who picked it and when, what was short, the rider, and when it
/// reached the door against its promise. Kept beside the order (one row per order picked) so the board and the
/// dashboard's pick and delivery times read one narrow, indexed table instead of every order's timeline.
/// </summary>
public sealed class OrderFulfillment
{
    private OrderFulfillment() { }

    internal OrderFulfillment(Order order, string picker, DateTime now)
    {
        OrderId = order.Id;
        StoreId = order.StoreId;
        PlacedAtUtc = order.CreatedAtUtc;
        PromisedByUtc = order.DeliveryByUtc;
        PickStartedAtUtc = now;
        PickStartedBy = picker;
    }

    public int OrderId { get; private set; }
    public int StoreId { get; private set; }
    public DateTime PlacedAtUtc { get; private set; }
    public DateTime PromisedByUtc { get; private set; }
    public DateTime PickStartedAtUtc { get; private set; }
    public string PickStartedBy { get; private set; } = "";

    /// <summary>Set when every line is ticked (or short-picked): the bag waits for a rider.</summary>
    public DateTime? PickedAtUtc { get; private set; }
    public int ShortUnits { get; private set; }
    public string? RiderName { get; private set; }
    public DateTime? DispatchedAtUtc { get; private set; }
    public DateTime? DeliveredAtUtc { get; private set; }
    public long? CashCollectedMinor { get; private set; }

    /// <summary>Delivered by the time promised to the shopper.</summary>
    public bool? OnTime { get; private set; }

    public bool IsPicked => PickedAtUtc is not null;

    internal void Picked(int shortUnits, DateTime now)
    {
        if (IsPicked) throw new ConflictException($"Order {PublicId.Format(PublicId.Order, OrderId)} is picked already.");
        PickedAtUtc = now;
        ShortUnits = shortUnits;
    }

    internal void Dispatched(string rider, DateTime now)
    {
        if (!IsPicked) throw new ConflictException($"Order {PublicId.Format(PublicId.Order, OrderId)} has lines not yet picked; finish the pick list first.");
        RiderName = rider;
        DispatchedAtUtc = now;
    }

    internal void Delivered(long? cashMinor, DateTime now)
    {
        DeliveredAtUtc = now;
        CashCollectedMinor = cashMinor;
        OnTime = now <= PromisedByUtc;
    }
}

internal sealed class OrderFulfillmentConfiguration : IEntityTypeConfiguration<OrderFulfillment>
{
    public void Configure(EntityTypeBuilder<OrderFulfillment> b)
    {
        b.ToTable("Fulfillments");
        b.HasKey(f => f.OrderId);
        b.Property(f => f.OrderId).ValueGeneratedNever();
        b.HasOne<Order>().WithOne().HasForeignKey<OrderFulfillment>(f => f.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.Property(f => f.PickStartedBy).HasMaxLength(300);
        b.Property(f => f.RiderName).HasMaxLength(80);
        b.Ignore(f => f.IsPicked);
        // The dashboard's pick and door times and on-time rate: one store's deliveries in a period, a range seek.
        b.HasIndex(f => new { f.StoreId, f.DeliveredAtUtc });
        b.HasIndex(f => f.DeliveredAtUtc);
    }
}
