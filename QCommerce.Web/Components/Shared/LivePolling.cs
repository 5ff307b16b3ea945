namespace QCommerce.Web.Components.Shared;

/// <summary>
/// The live updates of an interactive page: every tick it runs <c>tick</c>, until that returns false or
/// the page goes away. Leaving the page or the app stopping ends it quietly; any other failure is
/// logged and ends only the updates (the page keeps working, it just stops refreshing by itself).
/// </summary>
public static class LivePolling
{
    public static async Task RunAsync(TimeSpan every, Func<CancellationToken, Task<bool>> tick, ILogger logger, string what, CancellationToken ct)
    {
        using var timer = new PeriodicTimer(every);
        try
        {
            while (await timer.WaitForNextTickAsync(ct))
                if (!await tick(ct)) return;
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
            logger.LogWarning(ex, "Live updates of {What} stopped", what);
        }
    }
}
