using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace QCommerce.Tests.Support;

/// <summary>
/// The real web host on a real Kestrel port, over a fresh database of one provider, seeded with the
/// demo data. Tests talk to it over HTTP exactly as a phone app or a browser would.
/// </summary>
/// <param name="sharedDatabase">A database another host uses too (several instances); the test that made it drops it.</param>
/// <param name="services">Services a test adds to the app's (a query counter, say).</param>
public class QCommerceApp(DatabaseProvider provider, IReadOnlyDictionary<string, string?>? settings = null, TestDatabase? sharedDatabase = null,
    Action<IServiceCollection>? services = null) : IAsyncLifetime
{
    public const string AdminEmail = "admin@qcommerce.test";
    public const string AdminPassword = "Admin-Passw0rd!";

    private Factory? _factory;
    private DirectoryInfo? _sandboxFolder;

    public TestDatabase Database { get; private set; } = null!;

    /// <summary>Everything the app logged at Warning and above.</summary>
    public LogCapture Logs { get; } = new();
    public Uri BaseAddress { get; private set; } = null!;
    public IServiceProvider Services => _factory!.Services;

    public async Task InitializeAsync()
    {
        Database = sharedDatabase ?? await TestDatabase.CreateAsync(provider);
        _sandboxFolder = Directory.CreateTempSubdirectory("qcommerce-psp-");
        _factory = new Factory(Database, Path.Combine(_sandboxFolder.FullName, "psp-sandbox.db"), settings ?? new Dictionary<string, string?>(), Logs, services);
        _factory.UseKestrel(o => o.Listen(IPAddress.Loopback, 0));
        _factory.StartServer();
        var address = _factory.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First();
        BaseAddress = new Uri(address.Replace("[::1]", "127.0.0.1"));
    }

    public HttpClient CreateClient(bool allowRedirects = false) =>
        new(new HttpClientHandler { AllowAutoRedirect = allowRedirects, UseCookies = true, CookieContainer = new CookieContainer() })
        {
            BaseAddress = BaseAddress,
        };

    public async Task DisposeAsync()
    {
        if (_factory is not null)
        {
            try
            {
                await _factory.DisposeAsync();
            }
            catch (Exception) when (BaseAddress is null)
            {
                // A host that refused to start (a test of start-up checks) has nothing left to stop.
            }
        }
        if (sharedDatabase is null) await Database.DisposeAsync();
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _sandboxFolder?.Delete(recursive: true);
    }

    private sealed class Factory(TestDatabase database, string sandboxPath, IReadOnlyDictionary<string, string?> settings, LogCapture logs,
        Action<IServiceCollection>? services) : WebApplicationFactory<Program>
    {
        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            builder.UseEnvironment("Testing");
            // As Development does: a scoped service taken from the root provider fails here too, not first on a developer's machine.
            builder.UseDefaultServiceProvider(o => o.ValidateScopes = true);
            // Outside Development the host maps package assets (MudBlazor's CSS) only when asked to.
            builder.UseStaticWebAssets();
            foreach (var (key, value) in database.Settings()) builder.UseSetting(key, value);
            builder.UseSetting("Admin:Email", AdminEmail);
            // Tests count their own orders; the demo history is the demo's (DemoOrderHistoryTests seeds it on purpose).
            builder.UseSetting("Database:DemoOrders", "0");
            builder.UseSetting("Admin:Password", AdminPassword);
            builder.UseSetting("Logging:LogLevel:Default", "Warning");
            builder.ConfigureLogging(l => l.AddProvider(logs));
            // The sandbox PSP keeps its own file per app; PSP calls time out fast so fault tests stay quick;
            // reconciliation runs only when a test asks (RunOnceAsync), and then looks at every open payment.
            builder.UseSetting("Payments:Sandbox:DataPath", sandboxPath);
            builder.UseSetting("Media:Root", Path.Combine(Path.GetDirectoryName(sandboxPath)!, "media"));
            // Messages go to this app's own pickup folder (an .eml each) unless a test gives it an SMTP relay.
            builder.UseSetting("Mail:PickupDirectory", Path.Combine(Path.GetDirectoryName(sandboxPath)!, "mail"));
            builder.UseSetting("Payments:PspTimeout", "00:00:02");
            // Fault tests make the PSP fail on purpose, one after another on a shared app: the circuit breaker is its own tests' business.
            builder.UseSetting("Payments:Circuit:MinimumThroughput", "1000000");
            builder.UseSetting("Payments:ReconcileAfter", "00:00:00");
            builder.UseSetting("Payments:ReconcileInterval", "01:00:00");
            // Every test signs up shoppers and places orders from 127.0.0.1 as fast as it can: the limits are the rate-limit tests' business.
            foreach (var policy in new[] { "SignInPerClient", "SignInPerAccount", "RegistrationPerClient", "RegistrationPerAccount", "OrdersPerUser", "PaymentsPerUser", "RefundsPerUser", "AccountMailPerClient", "AccountMailPerAccount" })
                builder.UseSetting($"RateLimits:{policy}:PermitLimit", "1000000");
            // A test's own settings come last: they stand for the operator's environment variables.
            foreach (var (key, value) in settings) builder.UseSetting(key, value);
            if (services is not null) builder.ConfigureTestServices(services);
        }
    }
}

public sealed class SqliteApp() : QCommerceApp(DatabaseProvider.Sqlite);

public sealed class PostgresApp() : QCommerceApp(DatabaseProvider.Postgres);
