using QCommerce.Core.Data;

namespace QCommerce.Core.Stores;

/// <summary>A store's settings as an admin edits them; times are the store's local time.</summary>
public sealed record StoreSettings(TimeOnly? Opens, TimeOnly? Closes, IReadOnlyList<string>? DeliveryZips, long? DeliveryFeeMinor,
    long? FreeDeliveryThresholdMinor, int? BaseEtaMinutes, int? SlotMinutes, int? SlotCapacity);

/// <summary>
/// Changing how a store trades (Admin only): opening hours, the zips it delivers to, its fee and free-delivery threshold,
/// its base ETA and the length and capacity of its delivery slots. The storefront reads the new settings at once (the
/// store directory is refreshed); upcoming slots follow: unbooked ones that no longer fit are replaced, booked ones are
/// kept (an order holds them) and take the new capacity where their bookings allow. One audit row in the transaction.
/// </summary>
public sealed class StoreSettingsService(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory directory, DeliverySlots slots, TimeProvider clock,
    ILogger<StoreSettingsService> logger)
{
    public const long MaxFeeMinor = 100_000;

    public async Task ChangeAsync(StaffActor staff, int storeId, StoreSettings settings, CancellationToken ct = default)
    {
        if (!staff.IsAdmin) throw new AccessDeniedException("Only an admin changes a store's settings.");
        var problems = new ProblemList();
        if (settings.Opens is null) problems.Add("opens", "Say when the store opens (07:00).");
        if (settings.Closes is null) problems.Add("closes", "Say when it closes (23:00; the same as opening for around the clock).");
        var zips = settings.DeliveryZips ?? [];
        if (zips.Count == 0) problems.Add("deliveryZips", "A store delivers to at least one zip.");
        if (zips.Count > 200) problems.Add("deliveryZips", "A store delivers to at most 200 zips.");
        foreach (var bad in zips.Where(z => Zips.Normalize(z) is null).Take(5)) problems.Add("deliveryZips", $"'{TextRules.Excerpt(bad)}' is not a zip code.");
        if (settings.DeliveryFeeMinor is not (>= 0 and <= MaxFeeMinor)) problems.Add("deliveryFee", $"A delivery fee is 0 to {MaxFeeMinor:N0} minor units.");
        if (settings.FreeDeliveryThresholdMinor is not (>= 0 and <= 10 * MaxFeeMinor))
            problems.Add("freeDeliveryThreshold", $"A free-delivery threshold is 0 (always free) to {10 * MaxFeeMinor:N0} minor units.");
        if (settings.BaseEtaMinutes is not (>= 5 and <= 240)) problems.Add("baseEtaMinutes", "A base ETA is 5 to 240 minutes.");
        if (settings.SlotMinutes is not { } length || !DarkStore.SlotLengths.Contains(length))
            problems.Add("slotMinutes", $"A delivery slot is {string.Join(", ", DarkStore.SlotLengths)} minutes long.");
        if (settings.SlotCapacity is not (>= 1 and <= 500)) problems.Add("slotCapacity", "A slot takes 1 to 500 orders.");
        problems.ThrowIfAny();

        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var store = await db.Stores.Include(s => s.DeliveryZips).FirstOrDefaultAsync(s => s.Id == storeId, ct)
            ?? throw new NotFoundException("Store", PublicId.Format(PublicId.Store, storeId));
        var before = Snapshot(store);
        var lengthChanged = store.SlotMinutes != settings.SlotMinutes || store.Hours.Opens != settings.Opens || store.Hours.Closes != settings.Closes;
        store.Change(store.Hours with { Opens = settings.Opens!.Value, Closes = settings.Closes!.Value }, zips, settings.DeliveryFeeMinor!.Value,
            settings.FreeDeliveryThresholdMinor!.Value, settings.BaseEtaMinutes!.Value, settings.SlotMinutes!.Value, settings.SlotCapacity!.Value);
        Audit.Record(db, staff, AuditActions.StoreChange, "store", PublicId.Format(PublicId.Store, storeId), storeId, before, Snapshot(store), null, now);
        await db.SaveChangesAsync(ct);
        var capacity = settings.SlotCapacity.Value;
        if (lengthChanged)
            await db.DeliverySlots.Where(s => s.StoreId == storeId && s.StartUtc > now && s.Booked == 0).ExecuteDeleteAsync(ct);
        await db.DeliverySlots.Where(s => s.StoreId == storeId && s.StartUtc > now)
            .ExecuteUpdateAsync(s => s.SetProperty(x => x.Capacity, x => x.Booked > capacity ? x.Booked : capacity), ct);
        await tx.CommitAsync(ct);
        directory.Invalidate();
        await slots.EnsureSlotsAsync(ct);
        logger.LogInformation("Store {StoreId} settings changed by {StaffId}", PublicId.Format(PublicId.Store, storeId), staff.UserId);
    }

    private static object Snapshot(DarkStore s) => new
    {
        opens = s.Hours.Opens.ToString("HH:mm"), closes = s.Hours.Closes.ToString("HH:mm"), zips = s.DeliveryZips.Select(z => z.Zip).Order().ToList(),
        fee = s.DeliveryFeeMinor, freeFrom = s.FreeDeliveryThresholdMinor, eta = s.BaseEtaMinutes, slotMinutes = s.SlotMinutes, slotCapacity = s.SlotCapacity,
    };
}
