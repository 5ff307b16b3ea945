using QCommerce.Core.Catalog;
using QCommerce.Core.Data;
using QCommerce.Core.Inventory;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Cart;

/// <summary>
/// A cart line as the shopper sees it now. <see cref="PreviousPrice"/> is set when the price moved
/// since they last saw it; <see cref="Problem"/> says why the line cannot be bought as it is.
/// </summary>
public sealed record CartLineView(
    int SkuId, int ProductId, string Slug, string Title, string Brand, string SizeLabel, string? ImageUrl,
    int Quantity, Money? UnitPrice, Money? PreviousPrice, Availability Availability, string? Problem)
{
    public string PublicSkuId => PublicId.Format(PublicId.Sku, SkuId);
    public Money? LineTotal => UnitPrice * Quantity;
    public bool PriceChanged => PreviousPrice is not null;
    public bool IsBlocked => Problem is not null;

    /// <summary>The most the shopper can have of this line now.</summary>
    public int MaxQuantity => Math.Min(OrderLimits.MaxQuantityPerLine, Availability.AvailableQty);
}

public sealed record CartView(StoreSummary Store, IReadOnlyList<CartLineView> Lines, PriceBreakdown Price, Money? AmountToFreeDelivery)
{
    public int ItemCount => Lines.Sum(l => l.Quantity);
    public bool IsEmpty => Lines.Count == 0;
    public bool HasProblems => Lines.Any(l => l.IsBlocked);
    public bool HasPriceChanges => Lines.Any(l => l.PriceChanged);

    /// <summary>Checkout needs every line buyable and every price change seen and accepted.</summary>
    public bool CanCheckout => !IsEmpty && !HasProblems && !HasPriceChanges;
}

/// <summary>Why a cart refused a change, for a page to put in its own words.</summary>
public enum CartRefusal
{
    NotSold,
    SoldOut,
    NotEnoughLeft,
    QuantityOutOfRange,
}

/// <summary>The shopper's cart at a store: revalidated against the catalog and the shelf on every view.</summary>
public sealed class CartService(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores, TimeProvider clock, IOptions<PricingOptions> pricing)
{
    public async Task<CartView> ViewAsync(CartOwner owner, int storeId, CancellationToken ct = default)
    {
        var store = await stores.GetAsync(storeId, ct);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var cart = await FindAsync(db, owner, storeId, tracking: false, ct);
        return await BuildViewAsync(db, store, cart?.Lines ?? [], ct);
    }

    /// <summary>How many items the header's badge shows; cheap, no revalidation.</summary>
    public async Task<int> CountAsync(CartOwner owner, int storeId, CancellationToken ct = default) =>
        (await QuantitiesAsync(owner, storeId, ct)).Values.Sum();

    /// <summary>
    /// How many of each SKU the cart holds, for the header's badge and the catalog's tiles (which show a stepper for what is
    /// in the cart); one small query, no revalidation.
    /// </summary>
    public async Task<IReadOnlyDictionary<int, int>> QuantitiesAsync(CartOwner owner, int storeId, CancellationToken ct = default)
    {
        if (!owner.IsKnown) return new Dictionary<int, int>();
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.CartLines.Where(l => db.Carts.Any(c => c.Id == l.CartId && c.StoreId == storeId
                && (owner.UserId != null ? c.UserId == owner.UserId : c.AnonymousId == owner.AnonymousId)))
            .GroupBy(l => l.SkuId).Select(g => new { SkuId = g.Key, Quantity = g.Sum(l => l.Quantity) })
            .ToDictionaryAsync(l => l.SkuId, l => l.Quantity, ct);
    }

    /// <summary>Adds to what the cart already holds of a SKU.</summary>
    public async Task<CartView> AddAsync(CartOwner owner, int storeId, int skuId, int quantity, CancellationToken ct = default)
    {
        if (quantity < 1) throw new RequestRejectedException(new Dictionary<string, string[]> { ["qty"] = ["Add at least one."] }, CartRefusal.QuantityOutOfRange);
        return await ChangeAsync(owner, storeId, skuId, current => current + quantity, ct);
    }

    /// <summary>Sets the quantity of a SKU; 0 removes it.</summary>
    public Task<CartView> SetQuantityAsync(CartOwner owner, int storeId, int skuId, int quantity, CancellationToken ct = default) =>
        ChangeAsync(owner, storeId, skuId, _ => quantity, ct);

    public Task<CartView> RemoveAsync(CartOwner owner, int storeId, int skuId, CancellationToken ct = default) =>
        ChangeAsync(owner, storeId, skuId, _ => 0, ct);

    /// <summary>The shopper has seen the new prices: they become the prices the cart expects.</summary>
    public Task<CartView> AcceptPricesAsync(CartOwner owner, int storeId, CancellationToken ct = default) =>
        SettleRacesAsync(() => AcceptPricesOnceAsync(owner, storeId, ct));

    private async Task<CartView> AcceptPricesOnceAsync(CartOwner owner, int storeId, CancellationToken ct)
    {
        var store = await stores.GetAsync(storeId, ct);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var cart = await FindAsync(db, owner, storeId, tracking: true, ct);
        if (cart is null) return await BuildViewAsync(db, store, [], ct);
        var snapshots = await SkuSnapshots.LoadAsync(db, store, cart.Lines.Select(l => l.SkuId).ToList(), now, ct);
        foreach (var line in cart.Lines)
            cart.AcknowledgePrice(line.SkuId, snapshots.GetValueOrDefault(line.SkuId)?.Price?.MinorUnits, now);
        await db.SaveChangesAsync(ct);
        return await BuildViewAsync(db, store, cart.Lines, ct);
    }

    /// <summary>
    /// At sign-in the browser's anonymous carts join the account's: quantities of one SKU are added
    /// (capped at the per-line limit), and the anonymous carts are removed.
    /// </summary>
    public Task MergeAsync(Guid anonymousId, string userId, CancellationToken ct = default) =>
        SettleRacesAsync(async () => { await MergeOnceAsync(anonymousId, userId, ct); return true; });

    private async Task MergeOnceAsync(Guid anonymousId, string userId, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var anonymous = await db.Carts.Include(c => c.Lines).Where(c => c.AnonymousId == anonymousId).ToListAsync(ct);
        if (anonymous.Count == 0) return;
        foreach (var source in anonymous)
        {
            var target = await FindAsync(db, CartOwner.User(userId), source.StoreId, tracking: true, ct);
            if (target is null)
            {
                target = new ShoppingCart(CartOwner.User(userId), source.StoreId, now);
                db.Carts.Add(target);
            }
            foreach (var line in source.Lines)
            {
                var merged = Math.Min(OrderLimits.MaxQuantityPerLine, (target.Find(line.SkuId)?.Quantity ?? 0) + line.Quantity);
                if (target.Find(line.SkuId) is null && target.Lines.Count >= OrderLimits.MaxLines) continue;
                target.SetQuantity(line.SkuId, merged, line.PriceSeenMinor, now);
            }
            db.Carts.Remove(source);
        }
        await db.SaveChangesAsync(ct);
    }

    private Task<CartView> ChangeAsync(CartOwner owner, int storeId, int skuId, Func<int, int> quantity, CancellationToken ct) =>
        SettleRacesAsync(() => ChangeOnceAsync(owner, storeId, skuId, quantity, ct));

    /// <summary>
    /// One shopper's tabs or app calls racing on one cart: the loser's insert meets the unique index (a cart
    /// or a line created a moment ago) or its update finds the line removed. Nothing of it was saved, so it
    /// reads the cart again and applies its change on top: the last write wins, and nobody sees an error.
    /// </summary>
    private static async Task<T> SettleRacesAsync<T>(Func<Task<T>> change)
    {
        for (var round = 0; ; round++)
        {
            try
            {
                return await change();
            }
            catch (DbUpdateException) when (round < 12) // every round, one of the racing writers wins
            {
            }
        }
    }

    private async Task<CartView> ChangeOnceAsync(CartOwner owner, int storeId, int skuId, Func<int, int> quantity, CancellationToken ct)
    {
        if (!owner.IsKnown) throw new DomainException("A cart needs an owner.");
        var store = await stores.GetAsync(storeId, ct);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var cart = await FindAsync(db, owner, storeId, tracking: true, ct);
        var current = cart?.Find(skuId)?.Quantity ?? 0;
        var wanted = quantity(current);

        if (wanted != 0)
        {
            var problems = new ProblemList();
            if (wanted is < 0 or > OrderLimits.MaxQuantityPerLine)
                problems.Add("qty", $"A quantity is between 1 and {OrderLimits.MaxQuantityPerLine} (0 removes the item).", CartRefusal.QuantityOutOfRange);
            var snapshot = (await SkuSnapshots.LoadAsync(db, store, [skuId], now, ct)).GetValueOrDefault(skuId)
                ?? throw new NotFoundException("SKU", PublicId.Format(PublicId.Sku, skuId));
            if (!snapshot.IsSold) problems.Add("skuId", $"{snapshot.Title} is not sold at {store.Name}.", CartRefusal.NotSold);
            else if (snapshot.AvailableQty <= 0) problems.Add("qty", $"{snapshot.Title} is sold out at {store.Name}.", CartRefusal.SoldOut);
            else if (wanted > snapshot.AvailableQty && !problems.Has("qty"))
                problems.Add("qty", $"Only {snapshot.AvailableQty} of {snapshot.Title} left; you can have at most {snapshot.AvailableQty}.", CartRefusal.NotEnoughLeft);
            problems.ThrowIfAny();

            if (cart is null)
            {
                cart = new ShoppingCart(owner, storeId, now);
                db.Carts.Add(cart);
            }
            cart.SetQuantity(skuId, wanted, snapshot.Price?.MinorUnits, now);
        }
        else if (cart is not null)
        {
            cart.SetQuantity(skuId, 0, null, now);
        }

        await db.SaveChangesAsync(ct);
        return await BuildViewAsync(db, store, cart?.Lines ?? [], ct);
    }

    private static Task<ShoppingCart?> FindAsync(QCommerceDbContext db, CartOwner owner, int storeId, bool tracking, CancellationToken ct)
    {
        var carts = tracking ? db.Carts : db.Carts.AsNoTracking();
        carts = carts.Include(c => c.Lines).Where(c => c.StoreId == storeId);
        carts = owner.UserId is { } userId ? carts.Where(c => c.UserId == userId) : carts.Where(c => c.AnonymousId == owner.AnonymousId);
        return carts.FirstOrDefaultAsync(ct);
    }

    private async Task<CartView> BuildViewAsync(QCommerceDbContext db, StoreSummary store, IReadOnlyList<CartLine> lines, CancellationToken ct)
    {
        var now = clock.UtcNow();
        var snapshots = await SkuSnapshots.LoadAsync(db, store, lines.Select(l => l.SkuId).ToList(), now, ct);
        var views = lines.OrderBy(l => l.AddedAtUtc).ThenBy(l => l.Id).Select(line =>
        {
            var s = snapshots.GetValueOrDefault(line.SkuId);
            if (s is null)
                return new CartLineView(line.SkuId, 0, "", "An item no longer in the catalog", "", "", null, line.Quantity, null, null, Availability.None,
                    "No longer sold; remove it.");
            var previous = s.Price is { } price && line.PriceSeenMinor is { } seen && seen != price.MinorUnits ? new Money(price.Currency, seen) : (Money?)null;
            var problem = !s.IsSold ? $"No longer sold at {store.Name}; remove it."
                : s.AvailableQty <= 0 ? "Sold out; remove it or come back later."
                : line.Quantity > s.AvailableQty ? $"Only {s.AvailableQty} left; lower the quantity."
                : null;
            return new CartLineView(s.SkuId, s.ProductId, s.Slug, s.Title, s.Brand, s.SizeLabel, s.ImageUrl, line.Quantity,
                s.IsSold ? s.Price : null, previous, s.Availability, problem);
        }).ToList();

        var subtotal = Money.Sum(store.Currency, views.Where(v => v.UnitPrice is not null).Select(v => v.LineTotal!.Value));
        var price = OrderPricing.Calculate(subtotal, null, store, pricing.Value.TaxRateFor(store.RegionCode));
        var toFree = subtotal.IsZero || subtotal >= store.FreeDeliveryThreshold ? (Money?)null : store.FreeDeliveryThreshold - subtotal;
        return new CartView(store, views, price, toFree);
    }
}
