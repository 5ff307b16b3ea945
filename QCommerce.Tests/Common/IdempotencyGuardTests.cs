namespace QCommerce.Tests.Common;

/// <summary>
/// The Idempotency-Key guard on its own, on a real database of each provider: claim, replay, mismatch, a claim still
/// running, a dead claim taken over, expiry, release, and two requests that both find the key unused.
/// </summary>
public abstract class IdempotencyGuardTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ServiceHarness _h = null!;
    private IdempotencyGuard _guard = null!;

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        _guard = _h.Get<IdempotencyGuard>();
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task CompleteAsync(IdempotencyClaim claim, string body)
    {
        await using var db = _h.Database.CreateContext();
        await IdempotencyGuard.CompleteAsync(db, claim, 201, body, "o_1", CancellationToken.None);
    }

    private static IdempotencyClaim Claimed(IdempotencyDecision decision) => Assert.IsType<IdempotencyDecision.Proceed>(decision).Claim;

    [Fact]
    public async Task AKeyIsClaimedOnce_ThenReplaysWhatTheFirstRequestAnswered()
    {
        var claim = Claimed(await _guard.BeginAsync("orders:ana", "k1", "hash-a"));
        Assert.IsType<IdempotencyDecision.InFlight>(await _guard.BeginAsync("orders:ana", "k1", "hash-a"));

        await CompleteAsync(claim, """{"orderId":"o_1"}""");

        var replay = Assert.IsType<IdempotencyDecision.Replay>(await _guard.BeginAsync("orders:ana", "k1", "hash-a"));
        Assert.Equal((201, """{"orderId":"o_1"}""", "o_1"), (replay.Status, replay.Body, replay.ResultId));
        Assert.IsType<IdempotencyDecision.Mismatch>(await _guard.BeginAsync("orders:ana", "k1", "hash-b"));
    }

    [Fact]
    public async Task KeysAreScopedToTheCallerAndOperation()
    {
        Claimed(await _guard.BeginAsync("orders:ana", "k1", "hash-a"));
        Claimed(await _guard.BeginAsync("orders:ben", "k1", "hash-a"));
        Claimed(await _guard.BeginAsync("payments:ana", "k1", "hash-a"));
    }

    [Fact]
    public async Task AClaimWhoseRequestDied_IsTakenOverOnceItsLeaseLapses_AndOnlyOnce()
    {
        var first = Claimed(await _guard.BeginAsync("orders:ana", "k1", "hash-a"));
        _h.Clock.Advance(IdempotencyGuard.Lease - TimeSpan.FromSeconds(1));
        Assert.IsType<IdempotencyDecision.InFlight>(await _guard.BeginAsync("orders:ana", "k1", "hash-a"));

        _h.Clock.Advance(TimeSpan.FromSeconds(2));
        var second = Claimed(await _guard.BeginAsync("orders:ana", "k1", "hash-a"));
        Assert.Equal(first.RecordId, second.RecordId);
        Assert.IsType<IdempotencyDecision.InFlight>(await _guard.BeginAsync("orders:ana", "k1", "hash-a"));
    }

    [Fact]
    public async Task AfterItsRetention_AKeyIsNewAgain_AndPurgedWithItsKind()
    {
        await CompleteAsync(Claimed(await _guard.BeginAsync("orders:ana", "old", "hash-a")), "{}");
        _h.Clock.Advance(IdempotencyGuard.Retention - TimeSpan.FromMinutes(1));
        Claimed(await _guard.BeginAsync("orders:ana", "young", "hash-a"));
        _h.Clock.Advance(TimeSpan.FromMinutes(2));

        Assert.Equal(1, await _guard.PurgeExpiredAsync());
        Claimed(await _guard.BeginAsync("orders:ana", "old", "hash-b")); // another request is welcome under it now
        await using var db = _h.Database.CreateContext();
        Assert.Equal(["old", "young"], (await db.IdempotencyRecords.Select(r => r.Key).ToListAsync()).Order());
    }

    [Fact]
    public async Task AFailedRequest_ReleasesItsKey_SoTheCorrectedOneMayUseIt()
    {
        await Assert.ThrowsAsync<RequestRejectedException>(() => _guard.RunOnceAsync<string, string>("orders:ana", "k1", "wrong",
            _ => throw new RequestRejectedException(new Dictionary<string, string[]> { ["qty"] = ["too many"] }), "busy", CancellationToken.None));

        var (response, replayed) = await _guard.RunOnceAsync<string, string>("orders:ana", "k1", "corrected", async claim =>
        {
            await CompleteAsync(claim, "\"done\"");
            return "done";
        }, "busy", CancellationToken.None);
        Assert.Equal(("done", false), (response, replayed));
        Assert.Equal(("done", true), await _guard.RunOnceAsync<string, string>("orders:ana", "k1", "corrected", _ => Task.FromResult("again"), "busy", CancellationToken.None));
        await Assert.ThrowsAsync<IdempotencyKeyReusedException>(() =>
            _guard.RunOnceAsync<string, string>("orders:ana", "k1", "another", _ => Task.FromResult("x"), "busy", CancellationToken.None));
    }

    [Fact]
    public async Task CompletingAClaimThatWasLost_Throws_SoTheWorkRollsBack()
    {
        var claim = Claimed(await _guard.BeginAsync("orders:ana", "k1", "hash-a"));
        await CompleteAsync(claim, "{}");
        await Assert.ThrowsAsync<ConflictException>(() => CompleteAsync(claim, "{}"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("has space")]
    [InlineData("tab\there")]
    [InlineData("ключ")]
    public async Task AMalformedKey_IsRefusedBeforeAnythingIsStored(string key)
    {
        Assert.NotNull(IdempotencyGuard.CheckKey(key));
        await Assert.ThrowsAsync<DomainException>(() => _guard.BeginAsync("orders:ana", key, "hash-a"));
        Assert.NotNull(IdempotencyGuard.CheckKey(new string('k', IdempotencyGuard.MaxKeyLength + 1)));
        Assert.Null(IdempotencyGuard.CheckKey(new string('k', IdempotencyGuard.MaxKeyLength)));
        await using var db = _h.Database.CreateContext();
        Assert.Equal(0, await db.IdempotencyRecords.CountAsync());
    }

    [Fact]
    public async Task TwoRequestsClaimingTheKeyAtOnce_OneProceeds_TheOtherIsToldItIsInFlight()
    {
        // Both insert their claim together: the unique (scope, key) index is all that stands between them.
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var racers = Enumerable.Range(0, 2).Select(_ => Task.Run(async () =>
        {
            await go.Task;
            return await _guard.BeginAsync("orders:ana", "k1", "hash-a");
        })).ToList();
        go.SetResult();
        var decisions = await Task.WhenAll(racers);

        Assert.Single(decisions.OfType<IdempotencyDecision.Proceed>());
        Assert.Single(decisions.OfType<IdempotencyDecision.InFlight>());
    }
}

public sealed class SqliteIdempotencyGuardTests() : IdempotencyGuardTests(DatabaseProvider.Sqlite);

public sealed class PostgresIdempotencyGuardTests() : IdempotencyGuardTests(DatabaseProvider.Postgres);
