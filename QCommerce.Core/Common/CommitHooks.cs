using System.Data.Common;
using System.Runtime.CompilerServices;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace QCommerce.Core.Common;

/// <summary>
/// Work to do once what a context wrote is durable (publishing to the change feed, telling a cache): at once when no transaction is open
/// (the write committed by itself), or when the open transaction commits; dropped if it rolls back. It joins every
/// context (<c>AddQCommerceData</c>).
/// </summary>
public sealed class CommitHooks : DbTransactionInterceptor
{
    public static readonly CommitHooks Instance = new();

    private readonly ConditionalWeakTable<DbContext, List<Action>> _pending = new();

    public static void AfterCommit(DbContext db, Action action)
    {
        if (db.Database.CurrentTransaction is null) action();
        else Instance._pending.GetOrCreateValue(db).Add(action); // a context serves one caller at a time
    }

    public override DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        Forget(eventData.Context);
        return result;
    }

    public override ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context); // a pooled context may carry what an earlier, abandoned transaction left
        return ValueTask.FromResult(result);
    }

    public override void TransactionCommitted(DbTransaction transaction, TransactionEndEventData eventData) => Run(eventData.Context);

    public override Task TransactionCommittedAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Run(eventData.Context);
        return Task.CompletedTask;
    }

    public override void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData) => Forget(eventData.Context);

    public override Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        Forget(eventData.Context);
        return Task.CompletedTask;
    }

    private void Forget(DbContext? db)
    {
        if (db is not null) _pending.Remove(db);
    }

    private void Run(DbContext? db)
    {
        if (db is null || !_pending.TryGetValue(db, out var actions)) return;
        _pending.Remove(db);
        foreach (var action in actions) action();
    }
}
