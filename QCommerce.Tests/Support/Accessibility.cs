using Deque.AxeCore.Playwright;
using Microsoft.Playwright;

namespace QCommerce.Tests.Support;

public static class Accessibility
{
    /// <summary>Runs axe on the page as it is now; serious and critical violations fail the test, named with where they are.</summary>
    public static async Task AssertNoSeriousViolationsAsync(IPage page, string name)
    {
        // A snackbar fading in or out is half transparent: axe would judge the contrast of a frame nobody reads.
        await page.WaitForFunctionAsync("() => document.getAnimations().every(a => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity)");
        var result = await page.RunAxe();
        var serious = result.Violations.Where(v => v.Impact is "serious" or "critical").ToList();
        Assert.True(serious.Count == 0, $"{name}: " + string.Join("; ", serious.Select(v => $"{v.Id} ({v.Impact}): {v.Help} at {string.Join(", ", v.Nodes.Take(3).Select(n => $"{n.Html} [{string.Join(" ", n.Any.Select(c => c.Message))}]"))}")));
    }
}
