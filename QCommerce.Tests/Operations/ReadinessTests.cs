using System.Net;
using System.Net.Sockets;
using System.Text.Json;

namespace QCommerce.Tests.Operations;

/// <summary>
/// <c>/health/ready</c> as a load balancer reads it: 503 while the database cannot be reached (its connection cut under a
/// running instance, on PostgreSQL) or while the outbox is stuck, 200 again once either recovers; <c>/health/live</c>
/// stays 200 throughout (a restart would fix neither).
/// </summary>
public sealed class ReadinessTests
{
    private static async Task<(HttpStatusCode Status, JsonElement Body)> ReadyAsync(QCommerceApp app)
    {
        using var http = app.CreateClient();
        var response = await http.GetAsync("/health/ready");
        return (response.StatusCode, JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement);
    }

    private static async Task<HttpStatusCode> LiveAsync(QCommerceApp app)
    {
        using var http = app.CreateClient();
        return (await http.GetAsync("/health/live")).StatusCode;
    }

    [Fact]
    public async Task AStuckOutbox_MakesTheInstanceNotReady_UntilItsMessageIsDelivered()
    {
        await using var app = new QCommerceApp(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Operations:OutboxMaxAge"] = "00:05:00" });
        await app.InitializeAsync();
        var (status, body) = await ReadyAsync(app);
        Assert.Equal((HttpStatusCode.OK, "Healthy"), (status, body.GetProperty("checks").GetProperty("outbox").GetProperty("status").GetString()));

        // A message whose handler has failed for ten minutes (its next try an hour away): deliveries are stuck.
        long id;
        await using (var db = app.Database.CreateContext())
        {
            var stuck = new OutboxMessage("MailQueued", "mail:stuck", "{}", DateTime.UtcNow.AddMinutes(-10), null);
            db.OutboxMessages.Add(stuck);
            await db.SaveChangesAsync();
            id = stuck.Id;
            await db.OutboxMessages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.NextAttemptAtUtc, DateTime.UtcNow.AddHours(1))
                .SetProperty(m => m.Attempts, 9).SetProperty(m => m.LastError, "SmtpCommandException: 451 try later"));
        }

        (status, body) = await ReadyAsync(app);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        var outbox = body.GetProperty("checks").GetProperty("outbox");
        Assert.Equal("Unhealthy", outbox.GetProperty("status").GetString());
        Assert.Contains("A MailQueued message waits 10 min", outbox.GetProperty("description").GetString());
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        Assert.Equal(HttpStatusCode.OK, await LiveAsync(app));

        await using (var db = app.Database.CreateContext())
            await db.OutboxMessages.Where(m => m.Id == id).ExecuteUpdateAsync(s => s.SetProperty(m => m.ProcessedAtUtc, DateTime.UtcNow));
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(app)).Status);
    }

    [Fact]
    public async Task AnSqliteFileDeletedUnderTheApp_MakesItNotReady_ThoughItsOpenConnectionsStillRead()
    {
        await using var app = new QCommerceApp(DatabaseProvider.Sqlite);
        await app.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(app)).Status);
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(app.Database.ConnectionString).DataSource;

        // Gone from the folder (a wrong cleanup, a volume unmounted): pooled connections still read the unlinked file, and
        // what they write now is lost at the next start.
        foreach (var part in new[] { file, file + "-wal", file + "-shm" }) File.Delete(part);

        var (status, body) = await ReadyAsync(app);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("The SQLite database file is gone", body.GetProperty("checks").GetProperty("database").GetProperty("description").GetString());

        // A connection opened since (a background job's) makes a new, empty file of that name: the name alone would look
        // fine again. Made here on purpose, the race a full test run once lost.
        await File.WriteAllBytesAsync(file, []);
        (status, body) = await ReadyAsync(app);
        Assert.Equal(HttpStatusCode.ServiceUnavailable, status);
        Assert.Equal("The SQLite database file is gone", body.GetProperty("checks").GetProperty("database").GetProperty("description").GetString());
    }

    [Fact]
    public async Task ReadinessOnSqlite_NeverTouchesTheFile_SoAnotherProcessCannotPullTheDatabaseFromUnderTheApp()
    {
        // A handle opened and closed on the database file drops every POSIX lock this process holds on it (SQLite's
        // documented trap). Another process writing (an operator's sqlite3 shell) then believes it is the file's only user,
        // and the app's open connections meet "disk I/O error". A probe that opened the file to see it is writable did it.
        await using var app = new QCommerceApp(DatabaseProvider.Sqlite);
        await app.InitializeAsync();
        var shopper = await ApiShopper.SignUpAsync(app);
        var file = new Microsoft.Data.Sqlite.SqliteConnectionStringBuilder(app.Database.ConnectionString).DataSource;
        var sqlite = new[] { "/usr/bin/sqlite3", "/usr/local/bin/sqlite3" }.FirstOrDefault(File.Exists);
        Assert.True(sqlite is not null, "the sqlite3 shell is not installed: ./test.sh installs it");

        for (var round = 0; round < 3; round++)
        {
            for (var i = 0; i < 3; i++) Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(app)).Status);
            using (var other = System.Diagnostics.Process.Start(new System.Diagnostics.ProcessStartInfo(sqlite!)
                   {
                       ArgumentList = { file, "UPDATE \"Stock\" SET \"OnHand\" = \"Reserved\" + 1000;" },
                       RedirectStandardError = true,
                       RedirectStandardOutput = true,
                   })!)
            {
                var said = await other.StandardError.ReadToEndAsync();
                await other.WaitForExitAsync();
                Assert.True(other.ExitCode == 0, said);
            }
            await shopper.PlaceOrderAsync("cod", skuOffset: 2 * round);
        }
        Assert.True(File.Exists(file + "-wal"), "the write-ahead log the app uses was removed by the other process");
        Assert.DoesNotContain(app.Logs.Entries, e => e.Level >= Microsoft.Extensions.Logging.LogLevel.Error);
    }

    [Fact]
    public async Task ADatabaseThatCannotBeReached_MakesTheInstanceNotReady_AndItRecoversWithTheConnection()
    {
        await using var database = await TestDatabase.CreateAsync(DatabaseProvider.Postgres);
        var server = new Npgsql.NpgsqlConnectionStringBuilder(database.ConnectionString);
        using var plug = new TcpPlug(server.Host!, server.Port);
        server.Host = "127.0.0.1";
        server.Port = plug.Port;
        server.Timeout = 2; // connecting, in seconds: a cut connection is found out quickly
        await using var app = new QCommerceApp(DatabaseProvider.Postgres, new Dictionary<string, string?>
        {
            ["ConnectionStrings:Postgres"] = server.ConnectionString,
            ["Operations:DatabaseTimeout"] = "00:00:02",
        }, sharedDatabase: database);
        await app.InitializeAsync();
        Assert.Equal(HttpStatusCode.OK, (await ReadyAsync(app)).Status);

        plug.Pull();
        var (status, body) = await Eventually.Async(() => ReadyAsync(app), r => r.Status == HttpStatusCode.ServiceUnavailable, "readiness to notice the database is gone");
        Assert.Equal("Unhealthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
        // The answer is public: it names the failure's kind, never the database's own words (its name, host or user).
        Assert.DoesNotContain(server.Database!, body.GetRawText(), StringComparison.Ordinal);
        Assert.DoesNotContain("127.0.0.1", body.GetRawText(), StringComparison.Ordinal);
        Assert.Equal(HttpStatusCode.OK, await LiveAsync(app));

        plug.PutBack();
        (status, body) = await Eventually.Async(() => ReadyAsync(app), r => r.Status == HttpStatusCode.OK, "readiness to recover with the database");
        Assert.Equal("Healthy", body.GetProperty("checks").GetProperty("database").GetProperty("status").GetString());
    }
}

/// <summary>
/// A TCP forwarder between the app and its database server, whose plug a test can pull: every open connection is cut and
/// new ones are refused at once, as when the database's host goes away; put back, connections pass again.
/// </summary>
public sealed class TcpPlug : IDisposable
{
    private readonly TcpListener _listener = new(IPAddress.Loopback, 0);
    private readonly string _host;
    private readonly int _port;
    private readonly List<TcpClient> _open = [];
    private readonly CancellationTokenSource _stop = new();
    private volatile bool _pulled;

    public TcpPlug(string host, int port)
    {
        (_host, _port) = (host, port);
        _listener.Start();
        _ = AcceptAsync();
    }

    public int Port => ((IPEndPoint)_listener.LocalEndpoint).Port;

    public void Pull()
    {
        _pulled = true;
        lock (_open)
        {
            foreach (var client in _open) client.Dispose();
            _open.Clear();
        }
    }

    public void PutBack() => _pulled = false;

    private async Task AcceptAsync()
    {
        while (!_stop.IsCancellationRequested)
        {
            TcpClient incoming;
            try
            {
                incoming = await _listener.AcceptTcpClientAsync(_stop.Token);
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                return;
            }
            if (_pulled)
            {
                incoming.Dispose();
                continue;
            }
            _ = ForwardAsync(incoming);
        }
    }

    private async Task ForwardAsync(TcpClient incoming)
    {
        var outgoing = new TcpClient();
        lock (_open) _open.AddRange([incoming, outgoing]);
        try
        {
            await outgoing.ConnectAsync(_host, _port, _stop.Token);
            var a = incoming.GetStream();
            var b = outgoing.GetStream();
            await Task.WhenAny(a.CopyToAsync(b, _stop.Token), b.CopyToAsync(a, _stop.Token));
        }
        catch (Exception)
        {
            // The plug was pulled, or either side hung up: the connection ends.
        }
        finally
        {
            incoming.Dispose();
            outgoing.Dispose();
        }
    }

    public void Dispose()
    {
        _stop.Cancel();
        _listener.Stop();
        Pull();
    }
}
