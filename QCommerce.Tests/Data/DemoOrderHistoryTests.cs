using QCommerce.Core.Ops;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;

namespace QCommerce.Tests.Data;

/// <summary>
/// The demo order history a new ops user starts with, on each provider: orders in many states over 14 days, whose
/// totals, payments, refunds and fulfilment rows add up as the domain would have left them, and a dashboard with a
/// living day (orders today, some delivered, something stuck).
/// </summary>
public abstract class DemoOrderHistoryTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _db = null!;

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(provider);
        await _db.InitializeAsync(demoOrders: 600);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    [Fact]
    public async Task TheHistory_HasManyStates_AndEachOrderAddsUp()
    {
        await using var db = _db.CreateContext();
        var orders = await db.Orders.AsNoTracking().Include(o => o.Lines).AsSplitQuery().ToListAsync();
        Assert.InRange(orders.Count, 590, 600);
        var states = orders.GroupBy(o => o.Status).ToDictionary(g => g.Key, g => g.Count());
        Assert.True(states.GetValueOrDefault(OrderStatus.Delivered) > orders.Count / 2, string.Join(", ", states));
        foreach (var s in new[] { OrderStatus.Cancelled, OrderStatus.Paid, OrderStatus.Picking, OrderStatus.OutForDelivery })
            Assert.True(states.ContainsKey(s), $"no {s} order in the history: {string.Join(", ", states)}");
        Assert.Contains(orders, o => o.Lines.Any(l => l.ShortQuantity > 0));
        Assert.True(orders.Min(o => o.CreatedAtUtc) < DateTime.UtcNow.AddDays(-12));

        // Each order's subtotal is its picked lines; each card payment never gives back more than it took.
        Assert.All(orders, o => Assert.Equal(o.Lines.Sum(l => l.UnitPriceMinor * l.PickedQuantity), o.SubtotalMinor));
        var payments = await db.Payments.AsNoTracking().ToListAsync();
        Assert.All(payments, p => Assert.InRange(p.RefundedMinor, 0, p.CapturedMinor));
        Assert.All(payments.Where(p => p.RefundedMinor > 0), p => Assert.True(p.Refunds.Sum(r => r.AmountMinor) == p.RefundedMinor));
        // Card orders are held, then charged for what was picked (the rest released), or released when cancelled first.
        Assert.Contains(payments, p => p.Status == PaymentStatus.Voided && p.ReleasedMinor == p.AuthorizedMinor);
        Assert.Contains(orders, o => o.Hold == CardHold.Captured && o.HoldReleasedMinor > 0); // a short pick, never charged
        Assert.All(orders.Where(o => o.Hold == CardHold.Captured), o => Assert.Equal(o.HeldMinor, o.CapturedMinor + o.HoldReleasedMinor));
        Assert.All(orders.Where(o => o.Hold == CardHold.Captured && o.PickedAtUtc is not null), o => Assert.Equal(o.TotalMinor, o.CapturedMinor));
        var delivered = orders.Where(o => o.Status == OrderStatus.Delivered).Select(o => o.Id).ToHashSet();
        var fulfilled = await db.Fulfillments.AsNoTracking().Where(f => f.DeliveredAtUtc != null).Select(f => f.OrderId).ToListAsync();
        Assert.Equal(delivered.Order(), fulfilled.Order());
    }

    [Fact]
    public async Task TheDashboard_OfTheHistory_ShowsALivingDay()
    {
        var dashboard = new OpsDashboard(_db.ContextFactory(), new Core.Stores.StoreDirectory(_db.ContextFactory(), new Microsoft.Extensions.Caching.Memory.MemoryCache(
            new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions())), new Microsoft.Extensions.Caching.Memory.MemoryCache(new Microsoft.Extensions.Caching.Memory.MemoryCacheOptions()),
            Microsoft.Extensions.Options.Options.Create(new Core.Payments.PaymentsOptions()), TimeProvider.System);

        var figures = await dashboard.ReadAsync(TestStaff.Admin, null);

        Assert.True(figures.GmvPerDay.Count(d => d.Gmv.MinorUnits > 0) >= 10, "sales on most of the last 14 days");
        Assert.NotEmpty(figures.Stuck);
        Assert.True(figures.OpenByState.Values.Sum() > 0);
        Assert.True(figures.OrdersPerHourLastWeek.Sum() > 0);
    }
}

public sealed class SqliteDemoOrderHistoryTests() : DemoOrderHistoryTests(DatabaseProvider.Sqlite);

public sealed class PostgresDemoOrderHistoryTests() : DemoOrderHistoryTests(DatabaseProvider.Postgres);
