using QCommerce.Core.Data;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Ordering;

public sealed record OrderSummaryView(int OrderId, OrderStatus Status, Money Total, int ItemCount, DateTime CreatedAtUtc,
    int StoreId, string StoreName, DeliveryKind DeliveryKind, DateTime? DeliveryFromUtc, DateTime DeliveryByUtc)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);
}

/// <summary>
/// A line as the shopper sees it: what they ordered, how many of those the store could not find (not charged), and how many
/// were refunded (of those, <see cref="RemovedQuantity"/> before the pick: not delivered).
/// </summary>
public sealed record OrderLineView(int SkuId, int ProductId, string Title, string SizeLabel, string? ImageUrl, Money UnitPrice, int Quantity, int ShortQuantity = 0,
    int RefundedQuantity = 0, int RemovedQuantity = 0)
{
    /// <summary>Units that leave the store for the shopper: ordered, less short and refunded before the pick.</summary>
    public int Delivered => Quantity - ShortQuantity - RemovedQuantity;

    public Money LineTotal => UnitPrice * Delivered;
}

public sealed record OrderEventView(long Id, DateTime AtUtc, string Actor, OrderStatus? From, OrderStatus To, string? Reason);

public sealed record OrderDetailView(
    int OrderId, string UserId, OrderStatus Status, PaymentMethod PaymentMethod, StoreSummary Store,
    IReadOnlyList<OrderLineView> Lines, PriceBreakdown Price, string? CouponCode, DeliveryAddress Address, DeliveryPromise Delivery,
    ReservationStatus ReservationStatus, DateTime ReservationExpiresAtUtc, DateTime CreatedAtUtc, DateTime UpdatedAtUtc, int Version,
    IReadOnlyList<OrderEventView> Timeline, bool CanBeModified, bool CanBeCancelled, Money? Refunded = null)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);
}

/// <summary>A cash-on-delivery order waiting for the store's yes or no.</summary>
public sealed record CashOrderView(int OrderId, int StoreId, string StoreName, Money Total, int ItemCount, string CustomerEmail,
    DeliveryAddress Address, DateTime CreatedAtUtc, DateTime ReservationExpiresAtUtc)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);
}

/// <summary>Orders as their shopper reads them. Another shopper's order does not exist for them.</summary>
public sealed class OrderQueries(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores)
{
    public async Task<Page<OrderSummaryView>> ListAsync(string userId, int page, int pageSize, CancellationToken ct = default)
    {
        if (page < 1) throw new DomainException("Page numbers start at 1.");
        if (pageSize is < 1 or > Paging.MaxPageSize) throw new DomainException($"Page size must be between 1 and {Paging.MaxPageSize}.");
        var storeNames = (await stores.ListAsync(ct)).ToDictionary(s => s.Id, s => s.Name);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var mine = db.Orders.AsNoTracking().Where(o => o.UserId == userId);
        var total = await mine.CountAsync(ct);
        var rows = await mine.OrderByDescending(o => o.CreatedAtUtc).ThenByDescending(o => o.Id)
            .Skip((page - 1) * pageSize).Take(pageSize)
            .Select(o => new
            {
                o.Id, o.Status, o.Currency, o.TotalMinor, o.CreatedAtUtc, o.StoreId, o.DeliveryKind, o.DeliveryFromUtc, o.DeliveryByUtc,
                Items = o.Lines.Sum(l => l.Quantity),
            })
            .ToListAsync(ct);
        return new Page<OrderSummaryView>(rows.Select(o => new OrderSummaryView(o.Id, o.Status, new Money(o.Currency, o.TotalMinor), o.Items,
            o.CreatedAtUtc, o.StoreId, storeNames.GetValueOrDefault(o.StoreId, "?"), o.DeliveryKind, o.DeliveryFromUtc, o.DeliveryByUtc)).ToList(), page, pageSize, total);
    }

    /// <summary>Where and how the shopper's latest order was delivered, to start their next checkout from; null before a first order.</summary>
    public async Task<DeliveryAddress?> LastDeliveryAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var last = await db.Orders.AsNoTracking().Where(o => o.UserId == userId).OrderByDescending(o => o.Id)
            .Select(o => new { o.AddressLine1, o.AddressLine2, o.AddressCity, o.AddressZip, o.ContactPhone, o.DeliveryInstructions })
            .FirstOrDefaultAsync(ct);
        return last is null ? null
            : new DeliveryAddress(last.AddressLine1, last.AddressLine2, last.AddressCity, last.AddressZip, last.ContactPhone, last.DeliveryInstructions);
    }

    /// <summary>One order with its lines and timeline, or null when it is not this shopper's (or does not exist).</summary>
    public async Task<OrderDetailView?> FindAsync(string userId, int orderId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await db.Orders.AsNoTracking().AsSplitQuery()
            .Include(o => o.Lines).Include(o => o.Events)
            .FirstOrDefaultAsync(o => o.Id == orderId && o.UserId == userId, ct);
        if (order is null) return null;
        var store = await stores.GetAsync(order.StoreId, ct);
        return new OrderDetailView(order.Id, order.UserId, order.Status, order.PaymentMethod, store,
            order.Lines.OrderBy(l => l.Id).Select(l => new OrderLineView(l.SkuId, l.ProductId, l.Title, l.SizeLabel, l.ImageUrl, l.UnitPrice, l.Quantity, l.ShortQuantity,
                l.RefundedQuantity, l.RemovedQuantity)).ToList(),
            order.Price, order.CouponCode, order.Address, order.Delivery, order.ReservationStatus, order.ReservationExpiresAtUtc,
            order.CreatedAtUtc, order.UpdatedAtUtc, order.Version,
            // Staff notes stay with staff; a member of staff is "store" to the shopper, never their email.
            order.Events.Where(e => !e.StaffOnly).OrderBy(e => e.AtUtc).ThenBy(e => e.Id)
                .Select(e => new OrderEventView(e.Id, e.AtUtc, e.Actor.StartsWith(StaffActor.LabelPrefix, StringComparison.Ordinal) ? "store" : e.Actor, e.FromStatus, e.ToStatus, e.Reason)).ToList(),
            order.CanBeChangedByShopper, order.CanBeCancelledByShopper, new Money(order.Currency, order.RefundedMinor + order.RefundPendingMinor));
    }

    /// <summary>Cash orders waiting for a yes or no, soonest to run out first, of the stores <paramref name="staff"/> works for.</summary>
    public async Task<IReadOnlyList<CashOrderView>> AwaitingConfirmationAsync(StaffActor staff, CancellationToken ct = default)
    {
        var storeNames = (await stores.ListAsync(ct)).ToDictionary(s => s.Id, s => s.Name);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var scope = staff.StoreIds?.ToList();
        var rows = await db.Orders.AsNoTracking()
            .Where(o => o.Status == OrderStatus.PendingConfirmation && (scope == null || scope.Contains(o.StoreId)))
            .OrderBy(o => o.ReservationExpiresAtUtc).ThenBy(o => o.Id)
            .Take(200)
            .Select(o => new
            {
                o.Id, o.StoreId, o.Currency, o.TotalMinor, o.AddressLine1, o.AddressLine2, o.AddressCity, o.AddressZip, o.ContactPhone, o.DeliveryInstructions,
                o.CreatedAtUtc, o.ReservationExpiresAtUtc,
                Items = o.Lines.Sum(l => l.Quantity),
                Email = db.Users.Where(u => u.Id == o.UserId).Select(u => u.Email).FirstOrDefault(),
            })
            .ToListAsync(ct);
        return rows.Select(o => new CashOrderView(o.Id, o.StoreId, storeNames.GetValueOrDefault(o.StoreId, "?"), new Money(o.Currency, o.TotalMinor), o.Items,
            o.Email ?? "", new DeliveryAddress(o.AddressLine1, o.AddressLine2, o.AddressCity, o.AddressZip, o.ContactPhone, o.DeliveryInstructions), o.CreatedAtUtc, o.ReservationExpiresAtUtc)).ToList();
    }
}
