using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Ordering;

namespace QCommerce.Core.Fulfillment;

/// <summary>How many of one SKU the picker has found so far: saved at each tick or scan, so a reload or a second device shows it.</summary>
public sealed class PickTick
{
    private PickTick() { }

    internal PickTick(int skuId, int found, string by, DateTime now)
    {
        SkuId = skuId;
        Found = found;
        By = by;
        AtUtc = now;
    }

    public int OrderId { get; private set; }
    public int SkuId { get; private set; }
    public int Found { get; internal set; }
    public string By { get; internal set; } = "";
    public DateTime AtUtc { get; internal set; }
}

/// <summary>
/// An order's way through the store once picking starts: who picked it and when, the pick list's ticks as they are made,
/// what was short, the rider, and when it reached the door against its promise. Kept beside the order (one row per order
/// picked) so the board and the dashboard's pick and delivery times read one narrow, indexed table instead of every
/// order's timeline. Live pages follow it: a tick on one device shows on the others.
/// </summary>
public sealed class OrderFulfillment : ILiveEntity
{
    private readonly List<PickTick> _ticks = [];

    private OrderFulfillment() { }

    internal OrderFulfillment(Order order, string picker, DateTime now)
    {
        OrderId = order.Id;
        StoreId = order.StoreId;
        PlacedAtUtc = order.CreatedAtUtc;
        PromisedByUtc = order.DeliveryByUtc;
        PickStartedAtUtc = now;
        PickStartedBy = picker;
        UpdatedAtUtc = now;
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

    public IReadOnlyList<PickTick> Ticks => _ticks;
    public DateTime UpdatedAtUtc { get; private set; }

    /// <summary>Optimistic concurrency: two devices ticking one pick list at once are saved one after the other.</summary>
    public int Version { get; private set; }

    public bool IsPicked => PickedAtUtc is not null;

    /// <summary>The order's pages follow its pick list.</summary>
    public ChangedRow Changed() => new("Fulfillments", OrderId, Version, [new Change("order", OrderId), new Change("store", StoreId)]);

    /// <summary>What was found of a SKU so far (null: not ticked yet), as the picker says it; the pick list's check is the order's.</summary>
    internal void Tick(int skuId, int? found, string by, DateTime now)
    {
        if (IsPicked) throw new ConflictException($"Order {PublicId.Format(PublicId.Order, OrderId)} is picked already; its pick list is closed.");
        var tick = _ticks.FirstOrDefault(t => t.SkuId == skuId);
        if (found is null) { if (tick is not null) _ticks.Remove(tick); }
        else if (tick is null) _ticks.Add(new PickTick(skuId, found.Value, by, now));
        else (tick.Found, tick.By, tick.AtUtc) = (found.Value, by, now);
        Touch(now);
    }

    private void Touch(DateTime now)
    {
        UpdatedAtUtc = now;
        Version++;
    }

    internal void Picked(int shortUnits, DateTime now)
    {
        if (IsPicked) throw new ConflictException($"Order {PublicId.Format(PublicId.Order, OrderId)} is picked already.");
        PickedAtUtc = now;
        ShortUnits = shortUnits;
        Touch(now);
    }

    internal void Dispatched(string rider, DateTime now)
    {
        if (!IsPicked) throw new ConflictException($"Order {PublicId.Format(PublicId.Order, OrderId)} has lines not yet picked; finish the pick list first.");
        RiderName = rider;
        DispatchedAtUtc = now;
        Touch(now);
    }

    internal void Delivered(long? cashMinor, DateTime now)
    {
        DeliveredAtUtc = now;
        CashCollectedMinor = cashMinor;
        OnTime = now <= PromisedByUtc;
        Touch(now);
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
        b.Property(f => f.Version).IsConcurrencyToken();
        b.HasIndex(f => f.UpdatedAtUtc); // the live feed's look for other instances' ticks
        b.HasMany(f => f.Ticks).WithOne().HasForeignKey(t => t.OrderId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(f => f.Ticks).UsePropertyAccessMode(PropertyAccessMode.Field).AutoInclude();
        // The dashboard's pick and door times and on-time rate: one store's deliveries in a period, a range seek.
        b.HasIndex(f => new { f.StoreId, f.DeliveredAtUtc });
        b.HasIndex(f => f.DeliveredAtUtc);
    }
}

internal sealed class PickTickConfiguration : IEntityTypeConfiguration<PickTick>
{
    public void Configure(EntityTypeBuilder<PickTick> b)
    {
        b.ToTable("PickTicks", t => t.HasCheckConstraint("CK_PickTicks_Found", "\"Found\" >= 0"));
        b.HasKey(t => new { t.OrderId, t.SkuId });
        b.Property(t => t.By).HasMaxLength(300);
    }
}

/// <summary>Fulfilments other instances wrote lately (a tick on another device), for this instance's live pages.</summary>
internal sealed class FulfillmentChangeSource : IChangeSource
{
    public IReadOnlyCollection<string> Topics { get; } = ["order", "store"];

    public async Task<IReadOnlyList<ChangedRow>> ChangedSinceAsync(DbContext db, DateTime sinceUtc, CancellationToken ct) =>
        (await db.Set<OrderFulfillment>().AsNoTracking().IgnoreAutoIncludes().Where(f => f.UpdatedAtUtc >= sinceUtc)
            .Select(f => new { f.OrderId, f.StoreId, f.Version }).ToListAsync(ct))
        .Select(f => new ChangedRow("Fulfillments", f.OrderId, f.Version, [new Change("order", f.OrderId), new Change("store", f.StoreId)]))
        .ToList();
}
