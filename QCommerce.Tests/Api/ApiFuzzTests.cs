using Xunit.Abstractions;

namespace QCommerce.Tests.Api;

/// <summary>
/// The fuzz suite: every /v1 route in the OpenAPI document, sent malformed (see <see cref="ApiFuzzer"/>).
/// No 5xx, problem details on every 4xx, nothing written by a refused request. Its table of answers per
/// route is printed and kept in artifacts/fuzz/.
/// </summary>
public abstract class ApiFuzzTests(QCommerceApp app, ITestOutputHelper output, int minimumRequests)
{
    /// <summary>Fixed, so a failure can be replayed; QC_FUZZ_SEED picks another run.</summary>
    private static int Seed => int.TryParse(Environment.GetEnvironmentVariable("QC_FUZZ_SEED"), out var seed) ? seed : 20261201;

    [Fact]
    public async Task EveryRoute_Malformed_NeverA5xx_AlwaysProblemDetails_AndRefusedRequestsChangeNoRow()
    {
        var fuzzer = new ApiFuzzer(app);

        await fuzzer.RunAsync(minimumRequests, Seed);

        var report = $"{fuzzer.Requests} requests on {app.Database.Provider}, seed {Seed}\n\n{fuzzer.StatusTable()}"
            + (fuzzer.Failures.Count == 0 ? "" : $"\n{fuzzer.Failures.Count} problems:\n{string.Join("\n", fuzzer.Failures)}\n");
        output.WriteLine(report);
        await File.WriteAllTextAsync(Path.Combine(Artifacts.Folder("fuzz"), $"{app.Database.Provider}.md".ToLowerInvariant()), report);
        Assert.True(fuzzer.Requests >= minimumRequests, $"only {fuzzer.Requests} requests were sent");
        Assert.True(fuzzer.Failures.Count == 0, $"{fuzzer.Failures.Count} problems:\n{string.Join("\n", fuzzer.Failures)}");
    }
}

public sealed class SqliteApiFuzzTests(SqliteApp app, ITestOutputHelper output) : ApiFuzzTests(app, output, 2000), IClassFixture<SqliteApp>;

public sealed class PostgresApiFuzzTests(PostgresApp app, ITestOutputHelper output) : ApiFuzzTests(app, output, 2000), IClassFixture<PostgresApp>;
