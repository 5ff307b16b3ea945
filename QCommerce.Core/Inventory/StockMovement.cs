using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Catalog;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Inventory;

/// <summary>Why a store's stock of a SKU moved.</summary>
public enum StockMovementKind
{
    /// <summary>What a store had on hand when the ledger began (the demo seed, or the migration that started the ledger).</summary>
    OpeningBalance,
    Received,
    CountCorrection,
    Damaged,
    Expired,
    Sold,

    /// <summary>A picker could not find units the system counted: written off the shelf, not sold.</summary>
    ShortPick,

    /// <summary>Units back on the shelf from a cancelled or refunded order.</summary>
    Returned,
}

/// <summary>The movements staff write by hand (the others come from orders, picking and refunds).</summary>
public enum StockAdjustmentKind
{
    Received,

    /// <summary>A shelf count: the quantity is the counted total, and the movement is the difference to the books.</summary>
    Count,
    Damaged,
    Expired,
}

/// <summary>
/// One line of a store's stock ledger: a signed change of <see cref="StockLevel.OnHand"/> (zero for a short pick's
/// record, whose units had already left the books with the sale), why, for which order, by whom. Every change of
/// OnHand writes one in the same transaction, so a store's movements of a SKU always sum to its OnHand.
/// </summary>
public sealed class StockMovement
{
    private StockMovement() { }

    public StockMovement(int storeId, int skuId, StockMovementKind kind, int quantity, string? reference, string actor, string? note, DateTime now)
    {
        StoreId = storeId;
        SkuId = skuId;
        Kind = kind;
        Quantity = quantity;
        Reference = reference;
        Actor = actor;
        Note = note is null ? null : TextRules.Clean(note, 300);
        AtUtc = now;
    }

    public long Id { get; private set; }
    public int StoreId { get; private set; }
    public int SkuId { get; private set; }
    public StockMovementKind Kind { get; private set; }

    /// <summary>Units added to (positive) or taken from (negative) what the store has on hand.</summary>
    public int Quantity { get; private set; }

    /// <summary>The order (or other document) it came from, as a public id.</summary>
    public string? Reference { get; private set; }
    public string Actor { get; private set; } = "";
    public string? Note { get; private set; }
    public DateTime AtUtc { get; private set; }
}

internal sealed class StockMovementConfiguration : IEntityTypeConfiguration<StockMovement>
{
    public void Configure(EntityTypeBuilder<StockMovement> b)
    {
        b.ToTable("StockMovements");
        b.Property(m => m.Kind).HasConversion<string>().HasMaxLength(20);
        b.Property(m => m.Reference).HasMaxLength(40);
        b.Property(m => m.Actor).HasMaxLength(300);
        b.Property(m => m.Note).HasMaxLength(300);
        b.HasOne<DarkStore>().WithMany().HasForeignKey(m => m.StoreId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<Sku>().WithMany().HasForeignKey(m => m.SkuId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(m => new { m.StoreId, m.SkuId, m.Id });
    }
}
