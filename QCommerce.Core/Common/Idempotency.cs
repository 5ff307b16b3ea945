using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Common;

/// <summary>The same Idempotency-Key was sent with a different request (the API answers 422).</summary>
public sealed class IdempotencyKeyReusedException()
    : DomainException("This Idempotency-Key was already used for a different request; use a new key for a new request.");

public enum IdempotencyState
{
    InFlight,
    Completed,
}

/// <summary>
/// What a caller's <c>Idempotency-Key</c> has already done, with the response to replay: claimed while the request
/// runs and completed in the same transaction as the use case's own writes, or, where every effect of the use case is
/// in that one transaction, written completed with them.
/// </summary>
public sealed class IdempotencyRecord
{
    private IdempotencyRecord() { }

    internal IdempotencyRecord(string scope, string key, string requestHash, DateTime now, TimeSpan lease, TimeSpan retention)
    {
        Scope = scope;
        Key = key;
        RequestHash = requestHash;
        State = IdempotencyState.InFlight;
        CreatedAtUtc = now;
        LockedUntilUtc = now + lease;
        ExpiresAtUtc = now + retention;
    }

    /// <summary>A key's answer written with the work itself, by a use case that claims nothing beforehand.</summary>
    internal static IdempotencyRecord Completed(IdempotentUse use, int status, string body, string? resultId, DateTime now) =>
        new(use.Scope, use.Key, use.RequestHash, now, TimeSpan.Zero, IdempotencyGuard.Retention)
        {
            State = IdempotencyState.Completed,
            ResponseStatus = status,
            ResponseBody = body,
            ResultId = resultId,
        };

    public long Id { get; private set; }
    public string Scope { get; private set; } = "";
    public string Key { get; private set; } = "";
    public string RequestHash { get; private set; } = "";
    public IdempotencyState State { get; private set; }
    public int? ResponseStatus { get; private set; }
    public string? ResponseBody { get; private set; }
    public string? ResultId { get; private set; }
    public DateTime CreatedAtUtc { get; private set; }
    public DateTime LockedUntilUtc { get; private set; }
    public DateTime ExpiresAtUtc { get; private set; }
}

internal sealed class IdempotencyRecordConfiguration : IEntityTypeConfiguration<IdempotencyRecord>
{
    public void Configure(EntityTypeBuilder<IdempotencyRecord> b)
    {
        b.ToTable("IdempotencyRecords");
        b.Property(r => r.Scope).HasMaxLength(120);
        b.Property(r => r.Key).HasMaxLength(IdempotencyGuard.MaxKeyLength);
        b.Property(r => r.RequestHash).HasMaxLength(64);
        b.Property(r => r.State).HasConversion<string>().HasMaxLength(16);
        b.Property(r => r.ResultId).HasMaxLength(64);
        b.HasIndex(r => new { r.Scope, r.Key }).IsUnique();
        b.HasIndex(r => r.ExpiresAtUtc);
    }
}

/// <summary>The right to run one request under a key; completed by the use case or released on failure.</summary>
public sealed record IdempotencyClaim(long RecordId, string Scope, string Key);

/// <summary>
/// A request's use of a key in a use case that claims nothing beforehand (<see cref="IdempotencyGuard.RunInOneTransactionAsync"/>):
/// the work writes the key's answer with <see cref="Record{T}"/> in its own transaction.
/// </summary>
public sealed record IdempotentUse(string Scope, string Key, string RequestHash)
{
    /// <summary>Adds the key's answer to the work's unit of work; it commits with the work or not at all.</summary>
    public void Record<T>(DbContext db, int status, T response, string? resultId, DateTime now) =>
        db.Set<IdempotencyRecord>().Add(IdempotencyRecord.Completed(this, status, IdempotencyGuard.Serialize(response), resultId, now));
}

/// <summary>What to do with a request that carries an idempotency key.</summary>
public abstract record IdempotencyDecision
{
    private IdempotencyDecision() { }

    /// <summary>First time: run it, then complete the claim in the same transaction.</summary>
    public sealed record Proceed(IdempotencyClaim Claim) : IdempotencyDecision;

    /// <summary>Done before with this very request: answer what was answered then.</summary>
    public sealed record Replay(int Status, string Body, string? ResultId) : IdempotencyDecision;

    /// <summary>The key was used for a different request.</summary>
    public sealed record Mismatch : IdempotencyDecision;

    /// <summary>The first request with this key has not finished yet.</summary>
    public sealed record InFlight : IdempotencyDecision;
}

/// <summary>
/// Idempotency keys in the IETF draft's sense (architecture §4): keys are scoped to the caller and the
/// operation and kept 24 hours; a claim whose request died is taken over once its lease lapses.
/// </summary>
public sealed class IdempotencyGuard(IDatabaseContexts contexts, TimeProvider clock)
{
    public const int MaxKeyLength = 100;
    public static readonly TimeSpan Retention = TimeSpan.FromHours(24);

    /// <summary>How long a claim protects a running request before another may take it over.</summary>
    public static readonly TimeSpan Lease = TimeSpan.FromSeconds(60);

    private static readonly JsonSerializerOptions HashJson = new(JsonSerializerDefaults.Web);

    /// <summary>A stable fingerprint of a request: two requests are "the same" when their commands are.</summary>
    public static string Hash<T>(T request) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, HashJson))));

    public static string? CheckKey(string? key) => key switch
    {
        null or "" => "An Idempotency-Key header is required for this request.",
        { Length: > MaxKeyLength } => $"An Idempotency-Key is at most {MaxKeyLength} characters.",
        _ when key.Any(c => c < 0x21 || c > 0x7e) => "An Idempotency-Key is printable ASCII without spaces.",
        _ => null,
    };

    public async Task<IdempotencyDecision> BeginAsync(string scope, string key, string requestHash, CancellationToken ct = default)
    {
        if (CheckKey(key) is { } problem) throw new DomainException(problem);
        // A few rounds at most: each round either decides or loses a race it then re-reads.
        for (var round = 0; round < 4; round++)
        {
            var now = clock.UtcNow();
            await using var db = await contexts.CreateAsync(ct);
            // The claim first: a new key (nearly every request) costs one INSERT; only a key already held is read.
            var record = new IdempotencyRecord(scope, key, requestHash, now, Lease, Retention);
            db.Set<IdempotencyRecord>().Add(record);
            try
            {
                await db.SaveChangesAsync(ct);
                return new IdempotencyDecision.Proceed(new IdempotencyClaim(record.Id, scope, key));
            }
            catch (DbUpdateException)
            {
                db.ChangeTracker.Clear(); // the key is held (the unique index said so): read what holds it
            }
            var existing = await db.Set<IdempotencyRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.Scope == scope && r.Key == key, ct);
            if (existing is null) continue; // released or purged in between: claim again
            if (existing.ExpiresAtUtc <= now)
            {
                await db.Set<IdempotencyRecord>().Where(r => r.Id == existing.Id && r.ExpiresAtUtc <= now).ExecuteDeleteAsync(ct);
                continue;
            }
            if (Decide(existing, requestHash, now) is { } decision) return decision;

            // The first request died mid-way (its claim was never completed nor released): take it over.
            var taken = await db.Set<IdempotencyRecord>()
                .Where(r => r.Id == existing.Id && r.State == IdempotencyState.InFlight && r.LockedUntilUtc == existing.LockedUntilUtc)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LockedUntilUtc, now + Lease), ct);
            if (taken == 1) return new IdempotencyDecision.Proceed(new IdempotencyClaim(existing.Id, scope, key));
        }
        return new IdempotencyDecision.InFlight();
    }

    /// <summary>What a key already held means for a request, or null for a claim whose request died (its lease lapsed).</summary>
    private static IdempotencyDecision? Decide(IdempotencyRecord existing, string requestHash, DateTime now)
    {
        if (existing.RequestHash != requestHash) return new IdempotencyDecision.Mismatch();
        if (existing.State == IdempotencyState.Completed)
            return new IdempotencyDecision.Replay(existing.ResponseStatus ?? 200, existing.ResponseBody ?? "", existing.ResultId);
        return existing.LockedUntilUtc > now ? new IdempotencyDecision.InFlight() : null;
    }

    /// <summary>
    /// Runs a use case whose every effect is in its one transaction (placing an order) at most once per scope and key,
    /// without claiming the key first: the work writes the key's answer with <see cref="IdempotentUse.Record{T}"/> in
    /// that transaction, so the key is done exactly when the work commits, and a failed request leaves nothing to
    /// release. A key already used is looked up before the work (a read): a repeat is replayed, another request with
    /// it refused. Requests that race with one key all do the work; one commits. The others fail: at the key's unique
    /// index, or earlier, refused by what the winner just took (the customer's last use of a coupon, the last units).
    /// So whenever the work fails, the key is looked up again, and if the winner has answered it, that answer is
    /// theirs too. One write transaction a request instead of <see cref="RunOnceAsync"/>'s two, which a use case that
    /// calls out (the PSP) between claim and commit still needs.
    /// </summary>
    public async Task<(T Response, bool Replayed)> RunInOneTransactionAsync<TRequest, T>(string scope, string key, TRequest request,
        Func<IdempotentUse, Task<T>> work, string stillRunning, CancellationToken ct)
    {
        if (CheckKey(key) is { } problem) throw new DomainException(problem);
        var use = new IdempotentUse(scope, key, Hash(request));
        if (Settled<T>(await LookUpAsync(use, ct), stillRunning) is { } earlier) return earlier;
        try
        {
            return (await work(use), false);
        }
        catch (Exception e) when (e is DbUpdateException or DomainException)
        {
            if (Settled<T>(await LookUpAsync(use, ct), stillRunning) is { } winners) return winners;
            throw; // the key is still free: the failure is this request's own
        }
    }

    /// <summary>
    /// A repeat's answer (replayed), or the refusal of a key used for another request or still running; null when the
    /// work may run.
    /// </summary>
    private static (T Response, bool Replayed)? Settled<T>(IdempotencyDecision? decision, string stillRunning) => decision switch
    {
        IdempotencyDecision.Replay replay => (JsonSerializer.Deserialize<T>(replay.Body, ResponseJson)!, true),
        IdempotencyDecision.Mismatch => throw new IdempotencyKeyReusedException(),
        IdempotencyDecision.InFlight => throw new ConflictException(stillRunning),
        _ => null,
    };

    /// <summary>The decision for a key already held, or null when it is free (an expired answer or a dead claim is removed).</summary>
    private async Task<IdempotencyDecision?> LookUpAsync(IdempotentUse use, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateAsync(ct);
        var existing = await db.Set<IdempotencyRecord>().AsNoTracking().FirstOrDefaultAsync(r => r.Scope == use.Scope && r.Key == use.Key, ct);
        if (existing is null) return null;
        var decision = existing.ExpiresAtUtc <= now ? null : Decide(existing, use.RequestHash, now);
        if (decision is null) // expired, or a claim whose request died: forget it, and the work writes the key anew
            await db.Set<IdempotencyRecord>().Where(r => r.Id == existing.Id && r.LockedUntilUtc == existing.LockedUntilUtc).ExecuteDeleteAsync(ct);
        return decision;
    }

    /// <summary>
    /// Runs a use case at most once per scope and key: a repeat of the same request gets the first
    /// response back (<c>Replayed</c>), another request with the key is refused, one still running is a
    /// conflict. The work completes its claim with <see cref="CompleteAsync{T}"/> in its own
    /// transaction; if it fails, the claim is released so a corrected request may use the key again.
    /// </summary>
    public async Task<(T Response, bool Replayed)> RunOnceAsync<TRequest, T>(string scope, string key, TRequest request,
        Func<IdempotencyClaim, Task<T>> work, string stillRunning, CancellationToken ct)
    {
        var decision = await BeginAsync(scope, key, Hash(request), ct);
        if (Settled<T>(decision, stillRunning) is { } earlier) return earlier;
        var claim = ((IdempotencyDecision.Proceed)decision).Claim;
        try
        {
            return (await work(claim), false);
        }
        catch
        {
            await ReleaseAsync(claim);
            throw;
        }
    }

    private static readonly JsonSerializerOptions ResponseJson = new(JsonSerializerDefaults.Web);

    /// <summary>Completes a claim with the response that <see cref="RunOnceAsync"/> replays to repeats.</summary>
    public static Task CompleteAsync<T>(DbContext db, IdempotencyClaim claim, int status, T response, string? resultId, CancellationToken ct) =>
        CompleteAsync(db, claim, status, Serialize(response), resultId, ct);

    internal static string Serialize<T>(T response) => JsonSerializer.Serialize(response, ResponseJson);

    /// <summary>
    /// Records the response inside the use case's own transaction, so the key is "done" exactly when
    /// the work is. Throws if the claim was lost, which rolls the work back.
    /// </summary>
    public static async Task CompleteAsync(DbContext db, IdempotencyClaim claim, int status, string body, string? resultId, CancellationToken ct)
    {
        // Plain SQL, not ExecuteUpdate: it runs inside every order's write transaction, where LINQ's translation per call
        // was measurable CPU while the database's write lock is held. The rule is the same: only a claim still in flight.
        var completed = nameof(IdempotencyState.Completed);
        var inFlight = nameof(IdempotencyState.InFlight);
        var updated = await db.Database.ExecuteSqlAsync(
            $"""UPDATE "IdempotencyRecords" SET "State" = {completed}, "ResponseStatus" = {status}, "ResponseBody" = {body}, "ResultId" = {resultId} WHERE "Id" = {claim.RecordId} AND "State" = {inFlight}""",
            ct);
        if (updated != 1) throw new ConflictException("This request's idempotency key was completed by another request.");
    }

    /// <summary>Forgets a claim whose request failed, so the caller may fix it and try again with the same key.</summary>
    public async Task ReleaseAsync(IdempotencyClaim claim)
    {
        await using var db = await contexts.CreateAsync(CancellationToken.None);
        await db.Set<IdempotencyRecord>().Where(r => r.Id == claim.RecordId && r.State == IdempotencyState.InFlight).ExecuteDeleteAsync();
    }

    public async Task<int> PurgeExpiredAsync(CancellationToken ct = default)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateAsync(ct);
        return await db.Set<IdempotencyRecord>().Where(r => r.ExpiresAtUtc <= now).ExecuteDeleteAsync(ct);
    }
}
