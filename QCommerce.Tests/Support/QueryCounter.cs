using System.Collections.Concurrent;
using System.Data.Common;
using Microsoft.EntityFrameworkCore.Diagnostics;

namespace QCommerce.Tests.Support;

/// <summary>Counts the commands the app sends its database (every one EF Core runs), with their text for a failure's message.</summary>
public sealed class QueryCounter : DbCommandInterceptor
{
    private readonly ConcurrentQueue<string> _commands = new();
    private int _count;

    public int Count => Volatile.Read(ref _count);

    /// <summary>The text of every command since <paramref name="mark"/> (a <see cref="Count"/> read earlier).</summary>
    public IReadOnlyList<string> CommandsSince(int mark) => _commands.Skip(mark).ToList();

    /// <summary>The commands since <paramref name="mark"/> (a <see cref="Count"/> read earlier), shortened, for a message.</summary>
    public string Since(int mark) =>
        string.Join("\n", _commands.Skip(mark).Select(c => c.ReplaceLineEndings(" ")[..Math.Min(c.Length, 160)]));

    private void Saw(DbCommand command)
    {
        _commands.Enqueue(command.CommandText);
        Interlocked.Increment(ref _count);
    }

    public override InterceptionResult<DbDataReader> ReaderExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<DbDataReader> result)
    {
        Saw(command);
        return result;
    }

    public override ValueTask<InterceptionResult<DbDataReader>> ReaderExecutingAsync(DbCommand command, CommandEventData eventData,
        InterceptionResult<DbDataReader> result, CancellationToken cancellationToken = default)
    {
        Saw(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<int> NonQueryExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<int> result)
    {
        Saw(command);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> NonQueryExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Saw(command);
        return ValueTask.FromResult(result);
    }

    public override InterceptionResult<object> ScalarExecuting(DbCommand command, CommandEventData eventData, InterceptionResult<object> result)
    {
        Saw(command);
        return result;
    }

    public override ValueTask<InterceptionResult<object>> ScalarExecutingAsync(DbCommand command, CommandEventData eventData, InterceptionResult<object> result,
        CancellationToken cancellationToken = default)
    {
        Saw(command);
        return ValueTask.FromResult(result);
    }
}
