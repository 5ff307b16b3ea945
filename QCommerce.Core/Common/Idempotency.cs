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
/// What a caller's <c>Idempotency-Key</c> has already done: claimed while the request runs, then
/// completed in the same transaction as the use case's own writes, with the response to replay.
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
/// Idempotency keys in the IETF draft's sense (DESIGN §4): keys are scoped to the caller and the
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
            if (existing.RequestHash != requestHash) return new IdempotencyDecision.Mismatch();
            if (existing.State == IdempotencyState.Completed)
                return new IdempotencyDecision.Replay(existing.ResponseStatus ?? 200, existing.ResponseBody ?? "", existing.ResultId);
            if (existing.LockedUntilUtc > now) return new IdempotencyDecision.InFlight();

            // The first request died mid-way (its claim was never completed nor released): take it over.
            var taken = await db.Set<IdempotencyRecord>()
                .Where(r => r.Id == existing.Id && r.State == IdempotencyState.InFlight && r.LockedUntilUtc == existing.LockedUntilUtc)
                .ExecuteUpdateAsync(s => s.SetProperty(r => r.LockedUntilUtc, now + Lease), ct);
            if (taken == 1) return new IdempotencyDecision.Proceed(new IdempotencyClaim(existing.Id, scope, key));
        }
        return new IdempotencyDecision.InFlight();
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
        switch (decision)
        {
            case IdempotencyDecision.Replay replay:
                return (JsonSerializer.Deserialize<T>(replay.Body, ResponseJson)!, true);
            case IdempotencyDecision.Mismatch:
                throw new IdempotencyKeyReusedException();
            case IdempotencyDecision.InFlight:
                throw new ConflictException(stillRunning);
        }
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
        CompleteAsync(db, claim, status, JsonSerializer.Serialize(response, ResponseJson), resultId, ct);

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
