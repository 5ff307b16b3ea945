using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace QCommerce.Tests.Support;

/// <summary>What the app logged (at the level the test host lets through), so a test can hold it to what an operator would read.</summary>
public sealed class LogCapture : ILoggerProvider
{
    private readonly ConcurrentQueue<LogEntry> _entries = new();

    public IReadOnlyList<LogEntry> Entries => _entries.ToArray();

    public IEnumerable<LogEntry> Since(int mark) => Entries.Skip(mark);

    public int Mark => _entries.Count;

    public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

    public void Dispose() { }

    private sealed class Logger(LogCapture capture, string category) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state) where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => logLevel != LogLevel.None;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            capture._entries.Enqueue(new LogEntry(logLevel, category, formatter(state, exception), exception,
                state is IEnumerable<KeyValuePair<string, object?>> values ? string.Join(" | ", values.Select(v => $"{v.Key}={v.Value}")) : ""));
    }
}

/// <param name="Values">The entry's structured values as a JSON log line would carry them (<c>name=value | …</c>).</param>
public sealed record LogEntry(LogLevel Level, string Category, string Message, Exception? Exception, string Values = "");
