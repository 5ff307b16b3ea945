using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Ordering;

namespace QCommerce.Tests.Common;

/// <summary>
/// The one feed of the live pages, on a real database of each provider: a committed save reaches its watchers at once,
/// one never committed never does, and another instance's save arrives through one query per source a second, made
/// only while somebody watches.
/// </summary>
public abstract class ChangeFeedTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly TimeSpan Patience = TimeSpan.FromSeconds(5);

    private ServiceHarness _h = null!;
    private ChangeFeed _feed = null!;
    private readonly QueryCounter _queries = new();
    private string _ana = "";
    private int[] _skus = [];

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        _feed = _h.Get<ChangeFeed>();
        // The app adds the feed's interceptors to every context it makes (Data); the harness's contexts get them here.
        var saves = _h.Get<ChangeFeedInterceptor>();
        _h.Database.Interceptors.AddRange([saves, _queries]);
        _ana = await _h.CreateUserAsync("ana@example.com");
        _skus = await Demo.SkusAsync(_h.Database, 2);
        foreach (var sku in _skus) await _h.SetStockAsync(Demo.Downtown, sku, 50);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<int> PlaceCashOrderAsync() =>
        (await _h.Get<CheckoutService>().PlaceOrderAsync(new PlaceOrderCommand(_ana, Demo.Downtown, [new(_skus[0], 1)],
            Demo.DowntownAddress, null, null, PaymentMethod.CashOnDelivery), Guid.NewGuid().ToString())).Receipt.OrderId;

    /// <summary>A watcher that counts its calls.</summary>
    private sealed class Watcher
    {
        private int _calls;
        private readonly SemaphoreSlim _called = new(0);

        public int Calls => Volatile.Read(ref _calls);

        public Task OnChangeAsync()
        {
            Interlocked.Increment(ref _calls);
            _called.Release();
            return Task.CompletedTask;
        }

        public Task<bool> CalledAsync() => _called.WaitAsync(Patience);
    }

    private (Watcher Watcher, IDisposable Subscription) Watch(params Change[] changes)
    {
        var watcher = new Watcher();
        return (watcher, _feed.Watch(changes, watcher.OnChangeAsync));
    }

    [Fact]
    public async Task ACommittedSave_ReachesTheOrdersAndTheStoresWatchers_AndNobodyElse()
    {
        var id = await PlaceCashOrderAsync();
        var (order, _) = Watch(new Change("order", id));
        var (anyStore, _) = Watch(new Change("store", 0));
        var (downtown, _) = Watch(new Change("store", Demo.Downtown));
        var (brooklyn, _) = Watch(new Change("store", Demo.Brooklyn));
        var (otherOrder, _) = Watch(new Change("order", id + 1000));
        var (leaving, subscription) = Watch(new Change("order", id));
        subscription.Dispose();

        await _h.Get<StaffOrderService>().ConfirmCashOrderAsync(TestStaff.Admin, id);

        Assert.True(await order.CalledAsync());
        Assert.True(await anyStore.CalledAsync());
        Assert.True(await downtown.CalledAsync());
        Assert.Equal((0, 0, 0), (brooklyn.Calls, otherOrder.Calls, leaving.Calls));
    }

    [Fact]
    public async Task ASaveInATransaction_ReachesWatchersWhenItCommits_AndNeverWhenItRollsBack()
    {
        var kept = await PlaceCashOrderAsync();
        var dropped = await PlaceCashOrderAsync();
        var (keptWatcher, _) = Watch(new Change("order", kept));
        var (droppedWatcher, _) = Watch(new Change("order", dropped));

        await using (var db = _h.Database.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            (await db.Orders.SingleAsync(o => o.Id == kept)).ExtendReservation(_h.Clock.GetUtcNow().UtcDateTime.AddHours(1));
            await db.SaveChangesAsync();
            await Task.Delay(200);
            Assert.Equal(0, keptWatcher.Calls); // saved, not yet committed: a page would show what may never be
            await transaction.CommitAsync();
        }
        Assert.True(await keptWatcher.CalledAsync());

        await using (var db = _h.Database.CreateContext())
        {
            await using var transaction = await db.Database.BeginTransactionAsync();
            (await db.Orders.SingleAsync(o => o.Id == dropped)).ExtendReservation(_h.Clock.GetUtcNow().UtcDateTime.AddHours(1));
            await db.SaveChangesAsync();
            await transaction.RollbackAsync();
        }
        await Task.Delay(200);
        Assert.Equal(0, droppedWatcher.Calls);
    }

    [Fact]
    public void AVersion_IsPublishedOnce_HoweverItArrives()
    {
        var (watcher, _) = Watch(new Change("order", 7));
        var row = new ChangedRow("Orders", 7, 3, [new Change("order", 7)]);

        _feed.Publish([row]);
        _feed.Publish([row]); // the same save, seen again by the look across instances
        _feed.Publish([row with { Version = 2 }]); // an older one, read late

        SpinWait.SpinUntil(() => watcher.Calls > 0, Patience);
        Thread.Sleep(100);
        Assert.Equal(1, watcher.Calls);
        _feed.Publish([row with { Version = 4 }]);
        Assert.True(SpinWait.SpinUntil(() => watcher.Calls == 2, Patience));
    }

    [Fact]
    public async Task AnotherInstancesSave_ArrivesWithinASecondOrTwo_ThroughOneQueryPerSourceASecond_MadeOnlyWhileSomebodyWatches()
    {
        var id = await PlaceCashOrderAsync();
        using var watcher = new ChangeFeedWatcher(_feed, _h.Services.GetServices<IChangeSource>(), _h.Get<IDatabaseContexts>(), _h.Clock,
            Microsoft.Extensions.Logging.Abstractions.NullLogger<ChangeFeedWatcher>.Instance);
        await watcher.StartAsync(CancellationToken.None);

        // Nobody watches: seconds pass without a query.
        var mark = _queries.Count;
        for (var i = 0; i < 5; i++)
        {
            _h.Clock.Advance(ChangeFeedWatcher.Every);
            await Task.Delay(50);
        }
        Assert.True(_queries.Count == mark, _queries.Since(mark));

        // Another instance writes (its save passes no interceptor of ours): the watcher finds it on its next pass.
        var (page, _) = Watch(new Change("order", id));
        var later = _h.Clock.GetUtcNow().UtcDateTime;
        await using (var other = _h.Database.CreateContext())
            await other.Orders.Where(o => o.Id == id).ExecuteUpdateAsync(s => s.SetProperty(o => o.Version, o => o.Version + 1).SetProperty(o => o.UpdatedAtUtc, later));
        mark = _queries.Count;
        _h.Clock.Advance(ChangeFeedWatcher.Every);
        Assert.True(await page.CalledAsync());

        // Three more seconds with a watcher: one query per source each second, for all pages at once.
        for (var i = 0; i < 3; i++)
        {
            _h.Clock.Advance(ChangeFeedWatcher.Every);
            await Task.Delay(100);
        }
        var sources = _h.Services.GetServices<IChangeSource>().Count();
        Assert.True(_queries.Count - mark <= 4 * sources, _queries.Since(mark));
        // Only the sources of watched topics are asked: an order page costs no look at the stock's low-stock marks.
        Assert.DoesNotContain("\"Stock\"", _queries.Since(mark));
        Assert.Equal(1, page.Calls); // the same version seen again is not news
        await watcher.StopAsync(CancellationToken.None);
    }
}

public sealed class SqliteChangeFeedTests() : ChangeFeedTests(DatabaseProvider.Sqlite);

public sealed class PostgresChangeFeedTests() : ChangeFeedTests(DatabaseProvider.Postgres);
