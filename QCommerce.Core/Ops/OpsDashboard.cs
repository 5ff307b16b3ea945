using Microsoft.Extensions.Caching.Memory;
using QCommerce.Core.Data;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Ops;

/// <summary>An order that has waited too long where it is, and for how long.</summary>
public sealed record StuckOrder(int OrderId, int StoreId, OrderStatus Status, string Why, DateTime SinceUtc)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);
}

/// <summary>
/// Money held on a card that a person should look at: held longer than an order takes (<paramref name="Why"/> "held"),
/// lapsing within a day ("lapses soon"), or its capture refused by the PSP ("capture refused").
/// </summary>
public sealed record HeldPayment(int OrderId, int StoreId, Money Held, DateTime HeldSinceUtc, DateTime LapsesAtUtc, string Why)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);
}

/// <summary>The dashboard's figures for "today" (from the stores' local midnight) and the charts' series.</summary>
public sealed record DashboardFigures(
    DateTime SinceUtc, int OrdersToday, Money Gmv, Money AverageBasket, double? PaymentSuccessRate, int CartsToday, int PaymentsStartedToday, int PaidToday,
    IReadOnlyDictionary<OrderStatus, int> OpenByState, IReadOnlyList<StuckOrder> Stuck, double? AveragePickMinutes, double? AverageDoorMinutes,
    double? OnTimeRate, int DeliveredToday, IReadOnlyList<int> OrdersPerHourToday, IReadOnlyList<int> OrdersPerHourLastWeek,
    IReadOnlyList<(DateOnly Day, Money Gmv)> GmvPerDay)
{
    /// <summary>Card holds to look at, oldest first (see <see cref="HeldPayment"/>).</summary>
    public IReadOnlyList<HeldPayment> Holds { get; init; } = [];
}

/// <summary>
/// The ops dashboard, live and per store. Every figure is an aggregate over an indexed range, never a scan of all orders:
/// today's orders read an <c>Orders(CreatedAtUtc)</c> range of one day, grouped in SQL; the days before (a week-ago day,
/// 13 days of GMV) are read once per ten minutes and kept in memory; open states read <c>Orders(Status, Id)</c>; pick and door times read <c>Fulfillments(DeliveredAtUtc)</c>;
/// stuck orders are the open states' oldest rows; holds to look at read <c>Payments(Status, …)</c> for the Authorized ones.
/// </summary>
public sealed class OpsDashboard(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores, IMemoryCache cache, IOptions<PaymentsOptions> payments,
    TimeProvider clock)
{
    private static readonly TimeSpan PastDaysFresh = TimeSpan.FromMinutes(10);

    private static readonly OrderStatus[] Open =
        [OrderStatus.PendingPayment, OrderStatus.PaymentFailed, OrderStatus.PendingConfirmation, OrderStatus.Paid, OrderStatus.Confirmed,
         OrderStatus.Picking, OrderStatus.OutForDelivery, OrderStatus.RefundPending];

    public async Task<DashboardFigures> ReadAsync(StaffActor staff, int? storeId, CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        var scope = storeId is { } one ? (staff.CanSee(one) ? [one] : []) : staff.StoreIds?.ToList();
        var shown = (await stores.ListAsync(ct)).Where(s => scope == null || scope.Contains(s.Id)).ToList();
        var zone = TimeZoneInfo.FindSystemTimeZoneById(shown.FirstOrDefault()?.Hours.TimeZoneId ?? "UTC");
        var localToday = TimeZoneInfo.ConvertTimeFromUtc(now, zone).Date;
        DateTime Utc(DateTime local) => TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
        var since = Utc(localToday);
        var currency = shown.FirstOrDefault()?.Currency ?? "USD";

        await using var db = await contexts.CreateDbContextAsync(ct);
        var orders = db.Orders.AsNoTracking().IgnoreAutoIncludes().Where(o => scope == null || scope.Contains(o.StoreId));

        // Grouped in SQL by the stores' local hour and day (an offset from UTC: our stores share one zone), so a refresh reads
        // a few dozen rows whatever the number of orders; the range keeps each one a seek on Orders(CreatedAtUtc).
        var offset = (int)zone.GetUtcOffset(now).TotalMinutes;
        var todayByHour = await orders.Where(o => o.CreatedAtUtc >= since)
            .GroupBy(o => new { Hour = o.CreatedAtUtc.AddMinutes(offset).Hour, Sold = o.Status != OrderStatus.Cancelled && o.Status != OrderStatus.Refunded })
            .Select(g => new { g.Key.Hour, g.Key.Sold, Count = g.Count(), Total = g.Sum(o => o.TotalMinor) }).ToListAsync(ct);
        var ordersToday = todayByHour.Sum(h => h.Count);
        var soldCount = todayByHour.Where(h => h.Sold).Sum(h => h.Count);
        var gmv = todayByHour.Where(h => h.Sold).Sum(h => h.Total);

        int[] PerHour(IEnumerable<(int Hour, int Count)> rows) => [.. Enumerable.Range(0, 24).Select(h => rows.Where(r => r.Hour == h).Sum(r => r.Count))];

        // Days that are over change little (a late cancellation, a refund): their figures are read once every ten minutes per
        // scope, so a refresh reads only today's orders however long the history; today is always read live.
        var scopeKey = scope is null ? "all" : string.Join(",", scope.Order());
        var lastWeek = await cache.GetOrCreateAsync($"ops-dashboard:week-ago:{scopeKey}:{localToday:yyyyMMdd}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = PastDaysFresh;
            var weekAgo = Utc(localToday.AddDays(-7));
            var weekAgoEnd = weekAgo.AddDays(1);
            var rows = await orders.Where(o => o.CreatedAtUtc >= weekAgo && o.CreatedAtUtc < weekAgoEnd)
                .GroupBy(o => o.CreatedAtUtc.AddMinutes(offset).Hour).Select(g => new { Hour = g.Key, Count = g.Count() }).ToListAsync(ct);
            return PerHour(rows.Select(r => (r.Hour, r.Count)));
        });
        var pastDays = await cache.GetOrCreateAsync($"ops-dashboard:gmv:{scopeKey}:{localToday:yyyyMMdd}", async entry =>
        {
            entry.AbsoluteExpirationRelativeToNow = PastDaysFresh;
            var fortnight = Utc(localToday.AddDays(-13));
            return (await orders.Where(o => o.CreatedAtUtc >= fortnight && o.CreatedAtUtc < since && o.Status != OrderStatus.Cancelled && o.Status != OrderStatus.Refunded)
                    .GroupBy(o => o.CreatedAtUtc.AddMinutes(offset).Date).Select(g => new { Day = g.Key, Total = g.Sum(o => o.TotalMinor) }).ToListAsync(ct))
                .ToDictionary(d => DateOnly.FromDateTime(d.Day), d => d.Total);
        });
        var perDay = new Dictionary<DateOnly, long>(pastDays!) { [DateOnly.FromDateTime(localToday)] = gmv };
        var days = Enumerable.Range(0, 14).Select(i => DateOnly.FromDateTime(localToday.AddDays(i - 13)))
            .Select(d => (d, new Money(currency, perDay.GetValueOrDefault(d)))).ToList();

        var openByState = (await orders.Where(o => Open.Contains(o.Status)).GroupBy(o => o.Status).Select(g => new { g.Key, Count = g.Count() }).ToListAsync(ct))
            .ToDictionary(g => g.Key, g => g.Count);

        var attempts = (await (from a in db.PaymentAttempts.AsNoTracking()
                               join p in db.Payments.AsNoTracking() on a.PaymentId equals p.Id
                               join o in orders on p.OrderId equals o.Id
                               where a.CreatedAtUtc >= since
                               group a by a.Status into g
                               select new { Status = g.Key, Count = g.Count() }).ToListAsync(ct)).ToDictionary(a => a.Status, a => a.Count);
        // A card the bank accepted is a success, whatever became of its hold (taken, released, lapsed).
        var succeeded = attempts.Where(a => a.Key is PaymentStatus.Authorized or PaymentStatus.Captured or PaymentStatus.Refunded or PaymentStatus.Voided
            or PaymentStatus.Expired).Sum(a => a.Value);
        var settled = succeeded + attempts.GetValueOrDefault(PaymentStatus.Failed);
        var cartsToday = await db.Carts.AsNoTracking().CountAsync(c => c.UpdatedAtUtc >= since && (scope == null || scope.Contains(c.StoreId)), ct);

        var fulfilled = await db.Fulfillments.AsNoTracking().Where(f => f.DeliveredAtUtc >= since && (scope == null || scope.Contains(f.StoreId)))
            .Select(f => new { f.PlacedAtUtc, f.PickStartedAtUtc, f.PickedAtUtc, f.DeliveredAtUtc, f.OnTime }).ToListAsync(ct);
        var picks = fulfilled.Where(f => f.PickedAtUtc is not null).Select(f => (f.PickedAtUtc!.Value - f.PickStartedAtUtc).TotalMinutes).ToList();
        var doors = fulfilled.Select(f => (f.DeliveredAtUtc!.Value - f.PlacedAtUtc).TotalMinutes).ToList();

        var stuck = await StuckAsync(db, orders, now, ct);
        return new DashboardFigures(since, ordersToday, new Money(currency, gmv), new Money(currency, soldCount == 0 ? 0 : gmv / soldCount),
            settled == 0 ? null : (double)succeeded / settled, cartsToday, attempts.Values.Sum(), succeeded,
            openByState, stuck, picks.Count == 0 ? null : picks.Average(), doors.Count == 0 ? null : doors.Average(),
            fulfilled.Count == 0 ? null : (double)fulfilled.Count(f => f.OnTime == true) / fulfilled.Count, fulfilled.Count,
            PerHour(todayByHour.Select(h => (h.Hour, h.Count))), lastWeek!, days)
        {
            Holds = await HoldsAsync(db, orders, now, ct),
        };
    }

    /// <summary>Held longer than <see cref="PaymentsOptions.HoldAgeWarning"/>, lapsing within a day, or a capture the PSP refused.</summary>
    private async Task<IReadOnlyList<HeldPayment>> HoldsAsync(QCommerceDbContext db, IQueryable<Order> orders, DateTime now, CancellationToken ct)
    {
        var options = payments.Value;
        var oldBefore = now - options.HoldAgeWarning;
        var lapsingBefore = now + TimeSpan.FromDays(1) - options.HoldValidity;
        var rows = await (from p in db.Payments.AsNoTracking().IgnoreAutoIncludes()
                          join o in orders on p.OrderId equals o.Id
                          where p.Status == PaymentStatus.Authorized && (p.AuthorizedAtUtc < oldBefore || p.CaptureFailure != null)
                          orderby p.AuthorizedAtUtc
                          select new { o.Id, o.StoreId, p.Currency, p.AuthorizedMinor, p.AuthorizedAtUtc, p.CaptureFailure }).Take(50).ToListAsync(ct);
        return rows.Select(r =>
        {
            var since = r.AuthorizedAtUtc ?? now;
            var why = r.CaptureFailure is not null ? "capture refused" : since < lapsingBefore ? "lapses soon" : "held";
            return new HeldPayment(r.Id, r.StoreId, new Money(r.Currency, r.AuthorizedMinor), since, since + options.HoldValidity, why);
        }).ToList();
    }

    /// <summary>Unpaid over 15 minutes, paid or confirmed but not picked over 10, picking over 20, a refund pending over an hour.</summary>
    private static async Task<IReadOnlyList<StuckOrder>> StuckAsync(QCommerceDbContext db, IQueryable<Order> orders, DateTime now, CancellationToken ct)
    {
        var unpaid = now.AddMinutes(-15);
        var unpicked = now.AddMinutes(-10);
        var refund = now.AddHours(-1);
        var picking = now.AddMinutes(-20);
        var waiting = await orders
            .Where(o => ((o.Status == OrderStatus.PendingPayment || o.Status == OrderStatus.PaymentFailed) && o.CreatedAtUtc < unpaid)
                || ((o.Status == OrderStatus.Paid || o.Status == OrderStatus.Confirmed) && o.UpdatedAtUtc < unpicked)
                || (o.Status == OrderStatus.RefundPending && o.UpdatedAtUtc < refund))
            .OrderBy(o => o.UpdatedAtUtc).Take(50)
            .Select(o => new { o.Id, o.StoreId, o.Status, o.CreatedAtUtc, o.UpdatedAtUtc }).ToListAsync(ct);
        var slowPicks = await (from f in db.Fulfillments.AsNoTracking()
                               join o in orders on f.OrderId equals o.Id
                               where o.Status == OrderStatus.Picking && f.PickedAtUtc == null && f.PickStartedAtUtc < picking
                               orderby f.PickStartedAtUtc
                               select new { o.Id, o.StoreId, f.PickStartedAtUtc }).Take(50).ToListAsync(ct);
        return waiting.Select(o => o.Status switch
            {
                OrderStatus.PendingPayment or OrderStatus.PaymentFailed => new StuckOrder(o.Id, o.StoreId, o.Status, "unpaid", o.CreatedAtUtc),
                OrderStatus.RefundPending => new StuckOrder(o.Id, o.StoreId, o.Status, "refund pending", o.UpdatedAtUtc),
                _ => new StuckOrder(o.Id, o.StoreId, o.Status, "not picked", o.UpdatedAtUtc),
            })
            .Concat(slowPicks.Select(p => new StuckOrder(p.Id, p.StoreId, OrderStatus.Picking, "picking", p.PickStartedAtUtc)))
            .OrderBy(s => s.SinceUtc).ToList();
    }
}
