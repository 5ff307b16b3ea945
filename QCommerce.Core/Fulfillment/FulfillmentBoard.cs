using QCommerce.Core.Data;
using QCommerce.Core.Ordering;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Fulfillment;

public enum BoardColumn
{
    ToPick,
    Picking,
    OutForDelivery,
    DeliveredToday,
}

/// <summary>One order on the board: what the card shows, and the promise its SLA timer counts down to.</summary>
public sealed record BoardCard(int OrderId, int StoreId, BoardColumn Column, OrderStatus Status, PaymentMethod PaymentMethod, int Items, Money Total,
    DateTime PlacedAtUtc, DateTime PromisedByUtc, string? Picker, bool Packed, string? Rider, DateTime? DeliveredAtUtc, bool? OnTime)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);

    /// <summary>Late: still on its way after the promise, or delivered after it.</summary>
    public bool IsLateAt(DateTime now) => OnTime == false || (DeliveredAtUtc is null && now > PromisedByUtc);
}

/// <summary>
/// The picking board of a store's day: orders to pick (paid, or cash confirmed), being picked, out for delivery, and
/// delivered since the earliest local midnight among the stores shown (each store's "today"). One indexed read per column set:
/// <c>Orders (StoreId, Status)</c> for the open columns and <c>Fulfillments (StoreId, DeliveredAtUtc)</c> for the last.
/// </summary>
public sealed class FulfillmentBoard(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores, TimeProvider clock)
{
    private static readonly OrderStatus[] Open = [OrderStatus.Paid, OrderStatus.Confirmed, OrderStatus.Picking, OrderStatus.OutForDelivery];

    /// <summary>The board for one store, or for every store <paramref name="staff"/> works for when <paramref name="storeId"/> is null.</summary>
    public async Task<IReadOnlyList<BoardCard>> ReadAsync(StaffActor staff, int? storeId, CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        var scope = storeId is { } one ? (staff.CanSee(one) ? [one] : []) : staff.StoreIds?.ToList();
        var since = (await stores.ListAsync(ct)).Where(s => scope == null || scope.Contains(s.Id)).Select(s => LocalMidnightUtc(s, now)).DefaultIfEmpty(now.Date).Min();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var orders = db.Orders.AsNoTracking().IgnoreAutoIncludes().Where(o => scope == null || scope.Contains(o.StoreId));
        var open = await orders.Where(o => Open.Contains(o.Status))
            .Select(o => new
            {
                o.Id, o.StoreId, o.Status, o.PaymentMethod, o.Currency, o.TotalMinor, o.CreatedAtUtc, o.DeliveryByUtc,
                Items = o.Lines.Sum(l => l.Quantity - l.ShortQuantity),
                F = db.Fulfillments.Where(f => f.OrderId == o.Id).Select(f => new { f.PickStartedBy, f.PickedAtUtc, f.RiderName }).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var delivered = await (from f in db.Fulfillments.AsNoTracking()
                               where f.DeliveredAtUtc >= since && (scope == null || scope.Contains(f.StoreId))
                               join o in db.Orders.AsNoTracking() on f.OrderId equals o.Id
                               select new
                               {
                                   o.Id, o.StoreId, o.Status, o.PaymentMethod, o.Currency, o.TotalMinor, o.CreatedAtUtc, o.DeliveryByUtc,
                                   Items = o.Lines.Sum(l => l.Quantity - l.ShortQuantity), f.PickStartedBy, f.RiderName, f.DeliveredAtUtc, f.OnTime,
                               }).ToListAsync(ct);
        var cards = open.Select(o => new BoardCard(o.Id, o.StoreId,
                o.Status switch { OrderStatus.Picking => BoardColumn.Picking, OrderStatus.OutForDelivery => BoardColumn.OutForDelivery, _ => BoardColumn.ToPick },
                o.Status, o.PaymentMethod, o.Items, new Money(o.Currency, o.TotalMinor), o.CreatedAtUtc, o.DeliveryByUtc,
                o.F?.PickStartedBy, o.F?.PickedAtUtc is not null, o.F?.RiderName, null, null))
            .Concat(delivered.Where(d => d.Status == OrderStatus.Delivered).Select(d => new BoardCard(d.Id, d.StoreId, BoardColumn.DeliveredToday, d.Status,
                d.PaymentMethod, d.Items, new Money(d.Currency, d.TotalMinor), d.CreatedAtUtc, d.DeliveryByUtc, d.PickStartedBy, true, d.RiderName,
                d.DeliveredAtUtc, d.OnTime)));
        // Soonest promise first: the card most at risk is at the top of its column; delivered ones newest first.
        return cards.OrderBy(c => c.Column).ThenBy(c => c.Column == BoardColumn.DeliveredToday ? -c.DeliveredAtUtc!.Value.Ticks : c.PromisedByUtc.Ticks).ToList();
    }

    private static DateTime LocalMidnightUtc(StoreSummary store, DateTime nowUtc)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(store.Hours.TimeZoneId);
        var localMidnight = TimeZoneInfo.ConvertTimeFromUtc(nowUtc, zone).Date;
        return TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(localMidnight, DateTimeKind.Unspecified), zone);
    }
}
