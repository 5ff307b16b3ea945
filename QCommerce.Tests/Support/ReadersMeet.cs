using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace QCommerce.Tests.Support;

/// <summary>
/// Forces a race: the first <c>count</c> queries whose SQL contains <c>sqlFragment</c> each wait, after reading,
/// until all of them have read. So every racer acts on what it saw before anyone wrote: the interleaving is
/// certain, not a matter of timing. Later queries (a racer's retry) pass straight through.
/// </summary>
public sealed class ReadersMeet(string sqlFragment, int count = 2) : DbCommandInterceptor
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
            await _allHaveRead.Task.WaitAsync(TimeSpan.FromSeconds(10), cancellationToken);
        }
        return result;
    }
}
