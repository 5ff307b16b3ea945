using System.Diagnostics.Metrics;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace QCommerce.Tests.Operations;

/// <summary>
/// The files an operator deploys with, held to the tools that will read them: the Grafana dashboard's queries are PromQL
/// that promtool accepts and name only metrics the app serves; Prometheus's configuration passes <c>promtool check
/// config</c>; every file compose.yaml mounts is in the repository. (nginx's configuration is run for real by
/// <see cref="TwoInstancesBehindNginxTests"/>.)
/// </summary>
public sealed class DeploymentFilesTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly string Root = Artifacts.RepositoryRoot();

    [Fact]
    public async Task TheGrafanaDashboard_QueriesInPromQLThatPromtoolAccepts_OnlyMetricsTheAppServes()
    {
        var dashboard = JsonDocument.Parse(await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "grafana", "dashboards", "qcommerce.json"))).RootElement;
        var queries = dashboard.GetProperty("panels").EnumerateArray()
            .SelectMany(p => p.GetProperty("targets").EnumerateArray().Select(t => (Panel: p.GetProperty("title").GetString()!, Expr: t.GetProperty("expr").GetString()!)))
            .ToList();
        Assert.True(queries.Count >= 10);
        foreach (var title in new[] { "Orders per minute", "Card payment success", "Webhook lag (PSP event created → applied)", "Oldest undelivered outbox event", "p95 latency per route" })
            Assert.Contains(queries, q => q.Panel == title);

        // As recording rules, the queries are parsed by Prometheus's own parser.
        var rules = Path.GetTempFileName();
        await File.WriteAllTextAsync(rules, "groups:\n  - name: dashboard\n    rules:\n"
            + string.Concat(queries.Select((q, i) => $"      - record: dashboard:query{i}\n        expr: {JsonSerializer.Serialize(q.Expr)}\n")));
        var check = await Promtool.RunAsync("check rules " + rules);
        File.Delete(rules);
        Assert.True(check.ExitCode == 0, check.Output);

        var served = await ServedMetricNamesAsync();
        var named = queries.SelectMany(q => Regex.Matches(q.Expr, @"\b(qcommerce_[a-z_]+|http_server_[a-z_]+)\b").Select(m => m.Value)).Distinct().ToList();
        Assert.Contains("qcommerce_webhook_lag_seconds_bucket", named);
        var unknown = named.Where(name => !served.Contains(name)).ToList();
        Assert.True(unknown.Count == 0, "the dashboard asks for metrics the app does not serve: " + string.Join(", ", unknown));
    }

    [Fact]
    public async Task PrometheusConfiguration_PassesPromtool()
    {
        // The token file is compose's secret; promtool wants one to exist.
        var token = Path.GetTempFileName();
        var config = Path.GetTempFileName();
        await File.WriteAllTextAsync(token, "token");
        await File.WriteAllTextAsync(config, (await File.ReadAllTextAsync(Path.Combine(Root, "deploy", "prometheus", "prometheus.yml"))).Replace("/run/secrets/metrics_token", token));
        var check = await Promtool.RunAsync("check config " + config);
        File.Delete(token);
        File.Delete(config);
        Assert.True(check.ExitCode == 0, check.Output);
    }

    [Fact]
    public void EveryFileComposeMounts_IsInTheRepository()
    {
        var compose = File.ReadAllText(Path.Combine(Root, "compose.yaml"));
        var mounts = Regex.Matches(compose, @"- \./(?<path>[^:\s]+):").Select(m => m.Groups["path"].Value).ToList();
        Assert.True(mounts.Count >= 4, string.Join(", ", mounts));
        var missing = mounts.Where(path => !File.Exists(Path.Combine(Root, path)) && !Directory.Exists(Path.Combine(Root, path))).ToList();
        Assert.True(missing.Count == 0, "compose.yaml mounts what the repository lacks: " + string.Join(", ", missing));
    }

    /// <summary>
    /// The names /metrics gives the app's own instruments (a counter shows only once counted: its name is worked out as the
    /// exporter writes it), and the HTTP server's, from a real scrape.
    /// </summary>
    private async Task<HashSet<string>> ServedMetricNamesAsync()
    {
        var names = new HashSet<string>(StringComparer.Ordinal);
        using (var listener = new MeterListener())
        {
            listener.InstrumentPublished = (instrument, _) =>
            {
                if (instrument.Meter.Name != QCommerceMetrics.MeterName) return;
                var name = instrument.Name.Replace('.', '_') + (instrument.Unit == "s" ? "_seconds" : "");
                var kind = instrument.GetType().GetGenericTypeDefinition();
                if (kind == typeof(Counter<>)) names.Add(name + "_total");
                else if (kind == typeof(Histogram<>)) names.UnionWith([name + "_bucket", name + "_count", name + "_sum"]);
                else names.Add(name);
            };
            listener.Start();
        }
        using var http = app.CreateClient();
        await http.GetAsync("/v1/stores");
        foreach (var line in (await http.GetStringAsync("/metrics")).Split('\n').Where(l => l.Length > 0 && !l.StartsWith('#')))
            names.Add(line[..line.IndexOfAny(['{', ' '])]);
        return names;
    }
}
