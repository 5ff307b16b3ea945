using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace QCommerce.Tests.Support;

/// <summary>
/// Forces a race: the first <c>count</c> queries whose SQL contains <c>sqlFragment</c> each wait, after reading,
/// until all of them have read. So every racer acts on what it saw before anyone wrote: the interleaving is
/// certain, not a matter of timing. Later queries (a racer's retry) pass straight through.
/// With <c>orGoOnAfter</c> a reader waits at most that long: where the database itself queues the others (SQLite's
/// writers wait at BEGIN IMMEDIATE for the first to commit), the first is paused after its read while they queue.
/// </summary>
public sealed class ReadersMeet(string sqlFragment, int count = 2, TimeSpan? orGoOnAfter = null) : DbCommandInterceptor
{
    private readonly TaskCompletionSource _allHaveRead = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _arrived;

    public bool Met => _allHaveRead.Task.IsCompletedSuccessfully;

    public override async ValueTask<DbDataReader> ReaderExecutedAsync(DbCommand command, CommandExecutedEventData eventData, DbDataReader result,
        CancellationToken cancellationToken = default)
    {
        if (command.CommandText.Contains(sqlFragment, StringComparison.Ordinal) && Interlocked.Increment(ref _arrived) <= count)
        {
            if (_arrived >= count) _allHaveRead.TrySetResult();
            if (orGoOnAfter is { } patience)
                await Task.WhenAny(_allHaveRead.Task, Task.Delay(patience, cancellationToken));
            else
                await _allHaveRead.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        return result;
    }
}
