using System.Diagnostics;

namespace QCommerce.Tests.Support;

/// <summary>Prometheus's own checker of metrics, configuration and queries (Debian's prometheus package; <c>./test.sh</c> installs it).</summary>
public static class Promtool
{
    public static Task<(int ExitCode, string Output)> CheckMetricsAsync(string metrics) => RunAsync("check metrics", metrics);

    public static async Task<(int ExitCode, string Output)> RunAsync(string arguments, string? input = null)
    {
        var path = new[] { "/usr/bin/promtool", "/usr/local/bin/promtool" }.FirstOrDefault(File.Exists);
        Assert.True(path is not null, "promtool is not installed: ./test.sh installs Debian's prometheus package, or run apt-get install prometheus");
        using var process = Process.Start(new ProcessStartInfo(path!, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        })!;
        if (input is not null) await process.StandardInput.WriteAsync(input);
        process.StandardInput.Close();
        var output = await process.StandardOutput.ReadToEndAsync() + await process.StandardError.ReadToEndAsync();
        await process.WaitForExitAsync();
        return (process.ExitCode, output);
    }
}
