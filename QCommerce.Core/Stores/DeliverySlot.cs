using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Data;

namespace QCommerce.Core.Stores;

/// <summary>
/// A delivery window of one store with room for a fixed number of orders. A slot is held by an
/// order's reservation (<see cref="Booked"/> + 1, only while there is room) and released with it.
/// </summary>
public sealed class DeliverySlot
{
    private DeliverySlot() { }

    public DeliverySlot(int storeId, DateTime startUtc, DateTime endUtc, int capacity)
    {
        if (endUtc <= startUtc) throw new DomainException("A slot must end after it starts.");
        if (capacity < 1) throw new DomainException("A slot needs room for at least one order.");
        StoreId = storeId;
        StartUtc = startUtc;
        EndUtc = endUtc;
        Capacity = capacity;
    }

    public int Id { get; private set; }
    public int StoreId { get; private set; }
    public DateTime StartUtc { get; private set; }
    public DateTime EndUtc { get; private set; }
    public int Capacity { get; private set; }
    public int Booked { get; private set; }

    public int Remaining => Math.Max(0, Capacity - Booked);
}

internal sealed class DeliverySlotConfiguration : IEntityTypeConfiguration<DeliverySlot>
{
    public void Configure(EntityTypeBuilder<DeliverySlot> b)
    {
        b.ToTable("DeliverySlots", t => t.HasCheckConstraint("CK_DeliverySlots_Booked", "\"Booked\" >= 0 AND \"Booked\" <= \"Capacity\""));
        b.HasOne<DarkStore>().WithMany().HasForeignKey(s => s.StoreId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(s => new { s.StoreId, s.StartUtc }).IsUnique();
        b.Ignore(s => s.Remaining);
    }
}

public sealed record SlotView(int Id, DateTime StartUtc, DateTime EndUtc, int Remaining)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Slot, Id);
    public bool IsFull => Remaining == 0;
}

/// <summary>
/// The delivery windows shoppers can book: slots of the store's length and capacity inside its opening hours for the
/// next two days, from the next full hour, created ahead by <see cref="EnsureSlotsAsync"/> (safe to run on several instances).
/// </summary>
public sealed class DeliverySlots(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores, TimeProvider clock, ILogger<DeliverySlots> logger)
{
    public static readonly TimeSpan Horizon = TimeSpan.FromDays(2);

    /// <summary>A slot starting sooner than this cannot be booked: pickers need the time.</summary>
    public static readonly TimeSpan BookingLeadTime = TimeSpan.FromMinutes(30);

    public async Task<int> EnsureSlotsAsync(CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var created = 0;
        foreach (var store in await stores.ListAsync(ct))
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var from = now.UtcDateTime;
            var to = from + Horizon;
            var existing = await db.DeliverySlots.AsNoTracking().Where(s => s.StoreId == store.Id && s.EndUtc > from && s.StartUtc < to)
                .Select(s => new { s.StartUtc, s.EndUtc }).ToListAsync(ct);
            var firstHour = new DateTimeOffset(now.Year, now.Month, now.Day, now.Hour, 0, 0, TimeSpan.Zero).AddHours(1);
            var length = TimeSpan.FromMinutes(store.SlotMinutes);
            for (var start = firstHour; start < now + Horizon; start += length)
            {
                // The whole window must lie in opening hours (a slot ending at closing time is fine).
                if (!store.Hours.IsOpenAt(start) || !store.Hours.IsOpenAt(start + length - TimeSpan.FromMinutes(1))) continue;
                // A slot kept from before a change of length (it has bookings) is not overlapped by a new one.
                if (existing.Any(e => e.StartUtc < (start + length).UtcDateTime && e.EndUtc > start.UtcDateTime)) continue;
                db.DeliverySlots.Add(new DeliverySlot(store.Id, start.UtcDateTime, (start + length).UtcDateTime, store.SlotCapacity));
                created++;
            }
            try
            {
                await db.SaveChangesAsync(ct);
            }
            catch (DbUpdateException)
            {
                // Another instance created some of the same slots first: theirs are as good as ours.
                logger.LogDebug("Delivery slots of store {StoreId} were created concurrently", store.Id);
            }
        }
        return created;
    }

    /// <summary>The bookable slots of a store from now on, full ones included so a shopper sees they exist.</summary>
    public async Task<IReadOnlyList<SlotView>> UpcomingAsync(int storeId, CancellationToken ct = default)
    {
        var earliest = clock.UtcNow() + BookingLeadTime;
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.DeliverySlots.AsNoTracking()
            .Where(s => s.StoreId == storeId && s.StartUtc >= earliest)
            .OrderBy(s => s.StartUtc)
            .Take(24)
            .Select(s => new SlotView(s.Id, s.StartUtc, s.EndUtc, s.Capacity - s.Booked))
            .ToListAsync(ct);
    }

    /// <summary>Takes one place in a slot, only if it has room and can still be booked.</summary>
    public static async Task<bool> HoldAsync(QCommerceDbContext db, int slotId, int storeId, DateTime now, CancellationToken ct)
    {
        var earliest = now + BookingLeadTime;
        return await db.DeliverySlots
            .Where(s => s.Id == slotId && s.StoreId == storeId && s.StartUtc >= earliest && s.Booked < s.Capacity)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Booked, x => x.Booked + 1), ct) == 1;
    }

    public static Task ReleaseAsync(QCommerceDbContext db, int slotId, CancellationToken ct) =>
        db.DeliverySlots.Where(s => s.Id == slotId && s.Booked > 0)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Booked, x => x.Booked - 1), ct);
}

/// <summary>Keeps every store's delivery slots made two days ahead, on every instance every ten minutes (a unique index settles races).</summary>
public sealed class DeliverySlotService(DeliverySlots slots, TimeProvider clock, ILogger<DeliverySlotService> logger) : PeriodicJob(clock, logger)
{
    protected override TimeSpan Interval => TimeSpan.FromMinutes(10);
    protected override string Name => "Making delivery slots";
    protected override Task RunOnceAsync(CancellationToken ct) => slots.EnsureSlotsAsync(ct);
}
