using QCommerce.Core.Common;

namespace QCommerce.Web.Components.Shared;

/// <summary>
/// The live updates of an interactive page, from the one change feed: the page refreshes when something it shows
/// changed (on this instance at once, on another within about a second), never by asking the database on a timer of
/// its own. Changes that arrive while a refresh runs make one more refresh, not one each. Leaving the page or the app
/// stopping ends it quietly; a failed refresh is logged and the next change tries again.
/// </summary>
public sealed class LiveUpdates : IAsyncDisposable
{
    private readonly Func<CancellationToken, Task> _refresh;
    private readonly ILogger _logger;
    private readonly string _what;
    private readonly SemaphoreSlim _one = new(1, 1);
    private readonly CancellationTokenSource _stop = new();
    private readonly IDisposable _watch;
    private int _queued;

    private LiveUpdates(ChangeFeed feed, IReadOnlyCollection<Change> changes, Func<CancellationToken, Task> refresh, ILogger logger, string what)
    {
        _refresh = refresh;
        _logger = logger;
        _what = what;
        _watch = feed.Watch(changes, RefreshAsync);
    }

    /// <summary>Starts following <paramref name="changes"/>; refreshes once at once, for what changed while the page was being built.</summary>
    public static LiveUpdates Follow(ChangeFeed feed, IReadOnlyCollection<Change> changes, Func<CancellationToken, Task> refresh, ILogger logger, string what)
    {
        var live = new LiveUpdates(feed, changes, refresh, logger, what);
        _ = live.RefreshAsync();
        return live;
    }

    public async Task RefreshAsync()
    {
        if (Interlocked.Exchange(ref _queued, 1) == 1) return; // one is waiting already: it will see this change too
        try
        {
            await _one.WaitAsync(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            return;
        }
        try
        {
            Interlocked.Exchange(ref _queued, 0);
            await _refresh(_stop.Token);
        }
        catch (OperationCanceledException)
        {
            // The person left the page.
        }
        catch (ObjectDisposedException)
        {
            // The app is shutting down under an open page.
        }
        catch (Exception ex)
        {
            _logger.LogWarning(ex, "Live update of {What} failed; the next change tries again", _what);
        }
        finally
        {
            _one.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _watch.Dispose();
        await _stop.CancelAsync();
        await _one.WaitAsync(); // a refresh under way finishes first
        _one.Release();
        _stop.Dispose();
    }
}
