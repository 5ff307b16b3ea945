using Microsoft.Extensions.DependencyInjection;

namespace QCommerce.Tests.Common;

/// <summary>At-least-once delivery with retry and backoff, effects once, order per aggregate; on each provider.</summary>
public abstract class OutboxDispatcherTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ServiceHarness _h = null!;
    private FlakyHandler _handler = null!;
    private OutboxDispatcher _dispatcher = null!;

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider, s => s.AddSingleton<IOutboxHandler, FlakyHandler>());
        _handler = _h.Get<IEnumerable<IOutboxHandler>>().OfType<FlakyHandler>().Single();
        _dispatcher = _h.Get<OutboxDispatcher>();
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<OutboxMessage> EnqueueAsync(string aggregate, string note)
    {
        await using var db = _h.Database.CreateContext();
        Outbox.Enqueue(db, "TestEvent", aggregate, new { note }, _h.Clock.GetUtcNow().UtcDateTime);
        await db.SaveChangesAsync();
        return await db.OutboxMessages.AsNoTracking().OrderBy(m => m.Id).LastAsync();
    }

    private async Task<OutboxMessage> ReloadAsync(long id)
    {
        await using var db = _h.Database.CreateContext();
        return await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id);
    }

    [Fact]
    public async Task Dispatch_AHandlerFailingTwiceThenSucceeding_IsRetriedWithBackoffUntilSuccess_AndItsEffectHappensOnce()
    {
        _handler.FailuresLeft = 2;
        var message = await EnqueueAsync("o_1", "first");

        Assert.Equal(1, await _dispatcher.DispatchDueAsync());
        var failed = await ReloadAsync(message.Id);
        Assert.Equal(1, failed.Attempts);
        Assert.Null(failed.ProcessedAtUtc);
        Assert.Contains("downstream unavailable", failed.LastError);

        Assert.Equal(0, await _dispatcher.DispatchDueAsync()); // not due before its backoff
        _h.Clock.Advance(OutboxDispatcher.Backoff(1));
        Assert.Equal(1, await _dispatcher.DispatchDueAsync());
        Assert.Equal(2, (await ReloadAsync(message.Id)).Attempts);

        _h.Clock.Advance(OutboxDispatcher.Backoff(2));
        Assert.Equal(1, await _dispatcher.DispatchDueAsync());
        var done = await ReloadAsync(message.Id);
        Assert.NotNull(done.ProcessedAtUtc);
        Assert.Equal(3, done.Attempts);
        Assert.Equal(3, _handler.Calls);
        Assert.Equal(1, _handler.Effects);

        // Delivered again (an instance died before recording success): the handler's inbox stops a second effect.
        await using (var db = _h.Database.CreateContext())
            await db.OutboxMessages.Where(m => m.Id == message.Id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAtUtc, (DateTime?)null));
        Assert.Equal(1, await _dispatcher.DispatchDueAsync());
        Assert.Equal(4, _handler.Calls);
        Assert.Equal(1, _handler.Effects);
    }

    [Fact]
    public async Task Dispatch_KeepsEachAggregatesEventsInOrder_WhileOtherAggregatesFlow()
    {
        _handler.FailuresLeft = 1;
        await EnqueueAsync("o_1", "first");
        await EnqueueAsync("o_1", "second");
        await EnqueueAsync("o_2", "other");

        await _dispatcher.DispatchDueAsync();
        Assert.Equal(["other"], _handler.Delivered); // o_1's first failed, so its second waits

        _h.Clock.Advance(OutboxDispatcher.Backoff(1));
        await _dispatcher.DispatchDueAsync();
        await _dispatcher.DispatchDueAsync();
        Assert.Equal(["other", "first", "second"], _handler.Delivered);
    }

    [Fact]
    public async Task Dispatch_FromTwoInstancesAtOnce_DeliversEachMessageOnce()
    {
        _handler.FailuresLeft = 0;
        for (var i = 0; i < 30; i++) await EnqueueAsync($"o_{i}", $"m{i}");
        var second = new OutboxDispatcher(new DatabaseContexts(_h.Database.ContextFactory()), [_handler], [], _h.Clock,
            _h.Get<Microsoft.Extensions.Logging.ILogger<OutboxDispatcher>>());

        while (await Task.WhenAll(_dispatcher.DispatchDueAsync(), second.DispatchDueAsync()) is var taken && taken.Sum() > 0) { }

        Assert.Equal(30, _handler.Effects);
        Assert.Equal(30, _handler.Calls);
    }

    [Fact]
    public void Backoff_GrowsExponentiallyAndIsCapped()
    {
        Assert.Equal(TimeSpan.FromSeconds(1), OutboxDispatcher.Backoff(1));
        Assert.Equal(TimeSpan.FromSeconds(8), OutboxDispatcher.Backoff(4));
        Assert.Equal(TimeSpan.FromMinutes(5), OutboxDispatcher.Backoff(40));
    }

    [Fact]
    public async Task ASaveThatAddsAMessage_WakesTheDispatcherWhenItCommits_NeverBefore_AndNeverForARollback()
    {
        // The app's own contexts, with the interceptors the app registers.
        Task<QCommerceDbContext> AppContextAsync() => _h.Get<Microsoft.EntityFrameworkCore.IDbContextFactory<QCommerceDbContext>>().CreateDbContextAsync();
        var signal = _h.Get<OutboxSignal>();
        await signal.WaitAsync(TimeSpan.Zero, default); // whatever the set-up's own saves left

        await using (var db = await AppContextAsync())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            Outbox.Enqueue(db, "TestEvent", "o_1", new { note = "rolled back" }, _h.Clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync();
            Assert.False(await signal.WaitAsync(TimeSpan.Zero, default)); // saved, not committed: nothing to deliver yet
            await tx.RollbackAsync();
        }
        Assert.False(await signal.WaitAsync(TimeSpan.Zero, default));

        await using (var db = await AppContextAsync())
        {
            await using var tx = await db.Database.BeginTransactionAsync();
            Outbox.Enqueue(db, "TestEvent", "o_1", new { note = "committed" }, _h.Clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync();
            Assert.False(await signal.WaitAsync(TimeSpan.Zero, default));
            await tx.CommitAsync();
        }
        Assert.True(await signal.WaitAsync(TimeSpan.Zero, default));

        // A save without a transaction of its own commits by itself; a save with no message wakes nobody.
        await using (var db = await AppContextAsync())
        {
            Outbox.Enqueue(db, "TestEvent", "o_2", new { note = "alone" }, _h.Clock.GetUtcNow().UtcDateTime);
            await db.SaveChangesAsync();
        }
        Assert.True(await signal.WaitAsync(TimeSpan.Zero, default));
        await using (var db = await AppContextAsync())
        {
            db.ProcessedMessages.Add(new ProcessedMessage("test-other", Guid.NewGuid(), _h.Clock.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync();
        }
        Assert.False(await signal.WaitAsync(TimeSpan.Zero, default));
    }

    [Fact]
    public void TheDispatcher_LooksLessOftenWhileItFindsNothing_AndAtOnceMoreWhenItDoes()
    {
        var wait = OutboxDispatcherService.BusyLook;
        var waits = new List<TimeSpan>();
        for (var pass = 0; pass < 6; pass++) waits.Add(wait = OutboxDispatcherService.NextLook(0, wait));
        Assert.Equal([1, 2, 4, 5, 5, 5], waits.Select(w => w.TotalSeconds));
        Assert.Equal(OutboxDispatcherService.BusyLook, OutboxDispatcherService.NextLook(3, wait));
    }

    /// <summary>Fails a given number of times, then applies its effect once per event, recorded in its inbox.</summary>
    private sealed class FlakyHandler(Microsoft.EntityFrameworkCore.IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock) : IOutboxHandler
    {
        private int _calls, _effects;
        public int FailuresLeft { get; set; }
        public int Calls => _calls;
        public int Effects => _effects;
        public List<string> Delivered { get; } = [];

        public string Name => "test-flaky";

        public bool Handles(string eventType) => eventType == "TestEvent";

        public async Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
        {
            Interlocked.Increment(ref _calls);
            if (FailuresLeft > 0)
            {
                FailuresLeft--;
                throw new InvalidOperationException("downstream unavailable");
            }
            await using var db = await contexts.CreateDbContextAsync(ct);
            if (await Outbox.AlreadyProcessedAsync(db, Name, message.EventId, ct)) return;
            db.ProcessedMessages.Add(new ProcessedMessage(Name, message.EventId, clock.GetUtcNow().UtcDateTime));
            await db.SaveChangesAsync(ct);
            Interlocked.Increment(ref _effects);
            lock (Delivered) Delivered.Add(System.Text.Json.JsonDocument.Parse(message.Data).RootElement.GetProperty("note").GetString()!);
        }
    }
}

public sealed class SqliteOutboxDispatcherTests() : OutboxDispatcherTests(DatabaseProvider.Sqlite);

public sealed class PostgresOutboxDispatcherTests() : OutboxDispatcherTests(DatabaseProvider.Postgres);
