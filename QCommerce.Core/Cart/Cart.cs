using Microsoft.EntityFrameworkCore.Metadata.Builders;
using QCommerce.Core.Identity;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Cart;

/// <summary>Who a cart belongs to: a signed-in shopper, or a browser known only by its cart cookie.</summary>
public readonly record struct CartOwner(string? UserId, Guid? AnonymousId)
{
    public static CartOwner User(string userId) => new(userId, null);
    public static CartOwner Anonymous(Guid id) => new(null, id);
    public bool IsKnown => UserId is not null || AnonymousId is not null;
}

/// <summary>
/// A shopper's basket at one store. It holds SKUs and quantities only; prices are looked up on every
/// view. <see cref="CartLine.PriceSeenMinor"/> remembers the price the shopper last saw, so a change
/// is shown to them instead of being silently applied.
/// </summary>
public sealed class ShoppingCart
{
    private readonly List<CartLine> _lines = [];

    private ShoppingCart() { }

    public ShoppingCart(CartOwner owner, int storeId, DateTime now)
    {
        if (!owner.IsKnown) throw new DomainException("A cart needs an owner.");
        UserId = owner.UserId;
        AnonymousId = owner.AnonymousId;
        StoreId = storeId;
        UpdatedAtUtc = now;
    }

    public int Id { get; private set; }
    public string? UserId { get; private set; }
    public Guid? AnonymousId { get; private set; }
    public int StoreId { get; private set; }
    public DateTime UpdatedAtUtc { get; private set; }
    public IReadOnlyList<CartLine> Lines => _lines;

    public CartLine? Find(int skuId) => _lines.FirstOrDefault(l => l.SkuId == skuId);

    /// <summary>Sets a line's quantity (0 removes it) and records the price the shopper is seeing.</summary>
    public void SetQuantity(int skuId, int quantity, long? priceSeenMinor, DateTime now)
    {
        if (quantity is < 0 or > OrderLimits.MaxQuantityPerLine)
            throw new DomainException($"A quantity is between 1 and {OrderLimits.MaxQuantityPerLine} (0 removes the item).");
        var line = Find(skuId);
        if (quantity == 0)
        {
            if (line is not null) _lines.Remove(line);
        }
        else if (line is null)
        {
            if (_lines.Count >= OrderLimits.MaxLines) throw new DomainException($"A cart holds at most {OrderLimits.MaxLines} different items.");
            _lines.Add(new CartLine(skuId, quantity, priceSeenMinor, now));
        }
        else
        {
            line.Change(quantity, priceSeenMinor);
        }
        UpdatedAtUtc = now;
    }

    public void AcknowledgePrice(int skuId, long? priceMinor, DateTime now)
    {
        Find(skuId)?.Change(Find(skuId)!.Quantity, priceMinor);
        UpdatedAtUtc = now;
    }

    public void Clear(DateTime now)
    {
        _lines.Clear();
        UpdatedAtUtc = now;
    }
}

public sealed class CartLine
{
    private CartLine() { }

    internal CartLine(int skuId, int quantity, long? priceSeenMinor, DateTime now)
    {
        SkuId = skuId;
        Quantity = quantity;
        PriceSeenMinor = priceSeenMinor;
        AddedAtUtc = now;
    }

    public int Id { get; private set; }
    public int CartId { get; private set; }
    public int SkuId { get; private set; }
    public int Quantity { get; private set; }
    public long? PriceSeenMinor { get; private set; }
    public DateTime AddedAtUtc { get; private set; }

    internal void Change(int quantity, long? priceSeenMinor)
    {
        Quantity = quantity;
        PriceSeenMinor = priceSeenMinor;
    }
}

internal sealed class CartConfigurations : IEntityTypeConfiguration<ShoppingCart>, IEntityTypeConfiguration<CartLine>
{
    public void Configure(EntityTypeBuilder<ShoppingCart> b)
    {
        b.ToTable("Carts");
        b.Property(c => c.UserId).HasMaxLength(450);
        b.HasOne<AppUser>().WithMany().HasForeignKey(c => c.UserId).OnDelete(DeleteBehavior.Cascade);
        b.HasOne<DarkStore>().WithMany().HasForeignKey(c => c.StoreId).OnDelete(DeleteBehavior.Cascade);
        // One cart per shopper and store; NULLs are distinct, so each index binds only its kind of owner.
        b.HasIndex(c => new { c.UserId, c.StoreId }).IsUnique();
        b.HasIndex(c => new { c.AnonymousId, c.StoreId }).IsUnique();
        b.HasMany(c => c.Lines).WithOne().HasForeignKey(l => l.CartId).OnDelete(DeleteBehavior.Cascade);
        b.Navigation(c => c.Lines).UsePropertyAccessMode(PropertyAccessMode.Field);
    }

    public void Configure(EntityTypeBuilder<CartLine> b)
    {
        b.ToTable("CartLines", t => t.HasCheckConstraint("CK_CartLines_Quantity", "\"Quantity\" BETWEEN 1 AND 99"));
        b.HasOne<Catalog.Sku>().WithMany().HasForeignKey(l => l.SkuId).OnDelete(DeleteBehavior.Cascade);
        b.HasIndex(l => new { l.CartId, l.SkuId }).IsUnique();
        // A change reads the line's quantity and writes it back: two adds at once must not both write "one more than 3".
        // The write names the quantity it read; the one that lost is read again and applied on top (SettleRacesAsync).
        b.Property(l => l.Quantity).IsConcurrencyToken();
    }
}
