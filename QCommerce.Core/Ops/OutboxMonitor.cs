using QCommerce.Core.Data;

namespace QCommerce.Core.Ops;

/// <summary>An outbox message that has failed at least once and is not yet delivered.</summary>
public sealed record OutboxTrouble(long Id, string Type, string AggregateId, int Attempts, string? LastError, DateTime OccurredAtUtc, DateTime NextAttemptAtUtc);

public sealed record OutboxHealth(int Pending, int Failing, DateTime? OldestPendingUtc, IReadOnlyList<OutboxTrouble> Troubles);

/// <summary>
/// The outbox as an operator watches it: how much waits, how old the oldest is, which messages keep failing and why; and
/// "retry now" for one of them (its backoff skipped, the dispatcher woken), audited. Reads the pending rows through the
/// dispatcher's own index <c>(ProcessedAtUtc, NextAttemptAtUtc)</c>. Admins only: messages are not about one store.
/// </summary>
public sealed class OutboxMonitor(IDbContextFactory<QCommerceDbContext> contexts, OutboxSignal signal, TimeProvider clock)
{
    public async Task<OutboxHealth> ReadAsync(StaffActor staff, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var pending = db.OutboxMessages.AsNoTracking().Where(m => m.ProcessedAtUtc == null);
        var count = await pending.CountAsync(ct);
        var failing = await pending.CountAsync(m => m.Attempts > 0, ct);
        var oldest = await pending.OrderBy(m => m.Id).Select(m => (DateTime?)m.OccurredAtUtc).FirstOrDefaultAsync(ct);
        var troubles = await pending.Where(m => m.Attempts > 0).OrderBy(m => m.Id).Take(50)
            .Select(m => new OutboxTrouble(m.Id, m.Type, m.AggregateId, m.Attempts, m.LastError, m.OccurredAtUtc, m.NextAttemptAtUtc)).ToListAsync(ct);
        return new OutboxHealth(count, failing, oldest, troubles);
    }

    public async Task RetryNowAsync(StaffActor staff, long messageId, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var message = await db.OutboxMessages.AsNoTracking().Where(m => m.Id == messageId)
            .Select(m => new { m.Type, m.AggregateId, m.ProcessedAtUtc, m.NextAttemptAtUtc }).FirstOrDefaultAsync(ct)
            ?? throw new NotFoundException("Outbox message", messageId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        if (message.ProcessedAtUtc is not null) throw new ConflictException($"Outbox message {messageId} was delivered already.");
        await db.OutboxMessages.Where(m => m.Id == messageId && m.ProcessedAtUtc == null)
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAtUtc, now).SetProperty(m => m.LockedUntilUtc, (DateTime?)null), ct);
        Audit.Record(db, staff, AuditActions.OutboxRetry, "outbox", $"{message.Type}:{messageId}", null,
            new { nextAttemptAtUtc = message.NextAttemptAtUtc }, new { nextAttemptAtUtc = now }, message.AggregateId, now);
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        signal.Notify();
    }

    private static void RequireAdmin(StaffActor staff)
    {
        if (!staff.IsAdmin) throw new AccessDeniedException("The outbox is for admins: its messages are not about one store.");
    }
}
