using QCommerce.Core.Data;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Inventory;

/// <summary>A hand-made stock movement: received units, a shelf count (the counted total), or units written off.</summary>
public sealed record StockAdjustment(int SkuId, StockAdjustmentKind Kind, int Quantity, string? Note);

/// <summary>What an adjustment did: the signed change, and the SKU's stock in the store after it.</summary>
public sealed record StockAdjusted(int StoreId, int SkuId, StockMovementKind Kind, int Change, int OnHand, int Reserved);

/// <summary>A SKU's settings in one store: when to alert, and where pickers find it.</summary>
public sealed record StockSettings(int? LowStockThreshold, string? ShelfLocation);

/// <summary>
/// What staff do to a store's stock by hand. Each action is one transaction holding the change of on hand, its ledger
/// movement and its audit row, so the ledger always sums to on hand; on hand never drops below what open orders have
/// reserved (that is refused, naming both figures); a store outside the staff member's stores does not exist for them.
/// </summary>
public sealed class StockAdjustmentService(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores,
    TimeProvider clock, ILogger<StockAdjustmentService> logger)
{
    public const int MaxNoteLength = 300;

    /// <summary>The threshold a SKU starts with in a store that had never stocked it.</summary>
    public const int DefaultLowStockThreshold = 5;

    public async Task<StockAdjusted> AdjustAsync(StaffActor staff, int storeId, StockAdjustment adjustment, CancellationToken ct = default)
    {
        await RequireStoreAsync(staff, storeId, ct);
        var note = string.IsNullOrWhiteSpace(adjustment.Note) ? null : adjustment.Note.Trim();
        var problems = new ProblemList();
        var least = adjustment.Kind == StockAdjustmentKind.Count ? 0 : 1;
        if (!Enum.IsDefined(adjustment.Kind)) problems.Add("type", "Use received, count, damaged or expired.");
        else if (adjustment.Quantity < least || adjustment.Quantity > StockLevel.MaxUnits)
            problems.Add("qty", adjustment.Kind == StockAdjustmentKind.Count
                ? $"A count is the number of units on the shelf, 0 to {StockLevel.MaxUnits:N0}."
                : $"Say how many units, 1 to {StockLevel.MaxUnits:N0} (a positive number; the type says which way they go).");
        if (TextRules.Problem(note, MaxNoteLength, "A note") is { } noteProblem) problems.Add("note", noteProblem);
        if (note is null && adjustment.Kind is StockAdjustmentKind.Damaged or StockAdjustmentKind.Expired)
            problems.Add("note", "Say what happened: a write-off needs a note.");
        problems.ThrowIfAny();

        var now = clock.UtcNow();
        var kind = adjustment.Kind switch
        {
            StockAdjustmentKind.Received => StockMovementKind.Received,
            StockAdjustmentKind.Count => StockMovementKind.CountCorrection,
            StockAdjustmentKind.Damaged => StockMovementKind.Damaged,
            _ => StockMovementKind.Expired,
        };
        // Orders reserve while we work: the new on hand is written only if on hand is still what we read (else read again).
        for (var attempt = 1; ; attempt++)
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            await using var tx = await db.Database.BeginTransactionAsync(ct);
            var skuId = adjustment.SkuId;
            if (!await db.Skus.AnyAsync(s => s.Id == skuId, ct)) throw new NotFoundException("SKU", PublicId.Format(PublicId.Sku, skuId));
            var level = await db.Stock.AsNoTracking().Where(s => s.StoreId == storeId && s.SkuId == skuId)
                .Select(s => new { s.OnHand, s.Reserved }).FirstOrDefaultAsync(ct);
            if (level is null)
            {
                if (kind is StockMovementKind.Damaged or StockMovementKind.Expired)
                    Reject("skuId", $"{StoreLabel(storeId)} does not stock {PublicId.Format(PublicId.Sku, skuId)}; there is nothing to write off.");
                // Receiving (or counting) a SKU the store never had: it stocks it from now on.
                db.Stock.Add(new StockLevel(storeId, skuId, 0, DefaultLowStockThreshold));
                await db.SaveChangesAsync(ct);
                level = new { OnHand = 0, Reserved = 0 };
            }
            var change = kind switch
            {
                StockMovementKind.Received => adjustment.Quantity,
                StockMovementKind.CountCorrection => adjustment.Quantity - level.OnHand,
                _ => -adjustment.Quantity,
            };
            var onHand = level.OnHand + change;
            if (onHand < level.Reserved)
                Reject("qty", onHand < 0
                    ? $"Only {level.OnHand} are on hand; {adjustment.Quantity} cannot be written off."
                    : kind == StockMovementKind.CountCorrection
                        ? $"A count of {onHand} is below the {level.Reserved} reserved for open orders. Pick them first (a unit not found is a short pick), or cancel them, then count again."
                        : $"That would leave {onHand} on hand, but {level.Reserved} are reserved for open orders. Cancel or pick those orders first, or write off fewer.");
            if (onHand > StockLevel.MaxUnits) Reject("qty", $"A store holds at most {StockLevel.MaxUnits:N0} units of a SKU; this would make {onHand:N0}.");
            var before = level.OnHand;
            var written = await db.Stock.Where(s => s.StoreId == storeId && s.SkuId == skuId && s.OnHand == before && s.Reserved <= onHand)
                .ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, onHand), ct);
            if (written != 1)
            {
                if (attempt < 5) continue; // an order reserved or committed in between: read again
                throw new ConflictException("The stock of this SKU keeps changing as orders come in; try again in a moment.");
            }
            db.StockMovements.Add(new StockMovement(storeId, skuId, kind, change, null, staff.Label, note, now));
            Audit.Record(db, staff, AuditActions.StockAdjust, "stock", StockEntity(storeId, skuId), storeId,
                new { onHand = before }, new { onHand, type = adjustment.Kind.ToString().ToLowerInvariant(), qty = adjustment.Quantity }, note, now);
            await db.SaveChangesAsync(ct);
            await LowStock.RefreshAsync(db, storeId, [skuId], now, ct);
            StockCache.Changed(db, storeId, [skuId]);
            await tx.CommitAsync(ct);
            logger.LogInformation("Stock of {SkuId} in store {StoreId}: {Kind} {Change:+#;-#;0} by {StaffId}, on hand {Before} -> {After}",
                PublicId.Format(PublicId.Sku, skuId), storeId, kind, change, staff.UserId, before, onHand);
            return new StockAdjusted(storeId, skuId, kind, change, onHand, level.Reserved);
        }
    }

    /// <summary>Changes a SKU's low-stock threshold and/or shelf location in one store (null leaves a setting as it is).</summary>
    public async Task ChangeSettingsAsync(StaffActor staff, int storeId, int skuId, StockSettings settings, CancellationToken ct = default)
    {
        await RequireStoreAsync(staff, storeId, ct);
        var problems = new ProblemList();
        if (settings.LowStockThreshold is < 0 or > StockLevel.MaxUnits)
            problems.Add("lowStockThreshold", $"A low-stock threshold is between 0 and {StockLevel.MaxUnits:N0}.");
        if (TextRules.Problem(settings.ShelfLocation, StockLevel.MaxShelfLocationLength, "A shelf location") is { } location) problems.Add("location", location);
        problems.ThrowIfAny();
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var level = await db.Stock.FirstOrDefaultAsync(s => s.StoreId == storeId && s.SkuId == skuId, ct)
            ?? throw new NotFoundException("Stock of SKU", $"{PublicId.Format(PublicId.Sku, skuId)} in {StoreLabel(storeId)}");
        var before = new { lowStockThreshold = level.LowStockThreshold, location = level.ShelfLocation };
        if (settings.LowStockThreshold is { } threshold) level.SetLowStockThreshold(threshold);
        if (settings.ShelfLocation is not null)
        {
            try
            {
                level.PlaceAt(settings.ShelfLocation);
            }
            catch (DomainException bad)
            {
                Reject("location", bad.Message);
            }
        }
        Audit.Record(db, staff, AuditActions.StockSettings, "stock", StockEntity(storeId, skuId), storeId, before,
            new { lowStockThreshold = level.LowStockThreshold, location = level.ShelfLocation }, null, now);
        await db.SaveChangesAsync(ct);
        await LowStock.RefreshAsync(db, storeId, [skuId], now, ct);
        StockCache.Changed(db, storeId, [skuId]);
        await tx.CommitAsync(ct);
    }

    public static string StockEntity(int storeId, int skuId) => $"{PublicId.Format(PublicId.Store, storeId)}/{PublicId.Format(PublicId.Sku, skuId)}";

    private async Task RequireStoreAsync(StaffActor staff, int storeId, CancellationToken ct)
    {
        if (!staff.CanSee(storeId) || await stores.FindAsync(storeId, ct) is null) throw new NotFoundException("Store", PublicId.Format(PublicId.Store, storeId));
    }

    private static string StoreLabel(int storeId) => PublicId.Format(PublicId.Store, storeId);

    [System.Diagnostics.CodeAnalysis.DoesNotReturn]
    private static void Reject(string field, string message) =>
        throw new RequestRejectedException(new Dictionary<string, string[]> { [field] = [message] });
}
