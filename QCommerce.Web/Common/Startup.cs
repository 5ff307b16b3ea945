using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.EntityFrameworkCore;
using QCommerce.Core.Data;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Common;

public static class Startup
{
    /// <summary>
    /// Migrates (and on an empty database seeds) before the first request is served, one instance at a time:
    /// an instance that starts beside another waits, then finds the work done.
    /// </summary>
    public static async Task<AdminAccountSeeder.Outcome> InitializeQCommerceAsync(this IServiceProvider services, IConfiguration configuration)
    {
        await using var scope = services.CreateAsyncScope();
        var provider = scope.ServiceProvider;
        await using var exclusive = await StartupLock.AcquireAsync(provider.GetRequiredService<IDbContextFactory<QCommerceDbContext>>(),
            provider.GetRequiredService<DatabaseInfo>(), configuration.GetValue("Database:StartupLockTimeout", TimeSpan.FromMinutes(5)));
        await provider.GetRequiredService<DatabaseInitializer>().InitializeAsync(
            seedDemoData: configuration.GetValue("Database:SeedDemoData", true), demoOrders: configuration.GetValue("Database:DemoOrders", 0),
            demoCatalogProducts: configuration.GetValue("Database:DemoCatalogProducts", 0));
        var admin = await provider.GetRequiredService<AdminAccountSeeder>().EnsureAdminAsync();
        WarmCatalog(services);
        return admin;
    }

    public static async Task<AdminAccountSeeder.Outcome> ResetAdminAsync(this IServiceProvider services)
    {
        await using var scope = services.CreateAsyncScope();
        return await scope.ServiceProvider.GetRequiredService<AdminAccountSeeder>().ResetAsync();
    }

    /// <summary>
    /// The first shopper should not wait for the catalog snapshot (half a second at 10,000 products): it loads while
    /// the server starts. A failure here only means the first read loads it, and is logged.
    /// </summary>
    private static void WarmCatalog(IServiceProvider services) => _ = Task.Run(async () =>
    {
        try
        {
            await services.GetRequiredService<QCommerce.Core.Catalog.CatalogSnapshots>().GetAsync();
        }
        catch (Exception ex)
        {
            services.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(Startup)).LogWarning(ex, "Could not load the catalog snapshot at start; the first read will");
        }
    });
}

/// <summary>What an operator needs to see once the app listens: where, and how to get into the ops portal.</summary>
public static class StartupBanner
{
    /// <summary>The argument that resets the admin login instead of starting the server.</summary>
    public const string ResetAdminCommand = "reset-admin-password";

    public static void PrintReset(AdminAccountSeeder.Outcome admin)
    {
        Console.WriteLine();
        Console.WriteLine(admin.GeneratedPassword is { } password
            ? $"  Admin (ops) login reset:  {admin.Email} / {password}   (shown only once: keep it)"
            : $"  Admin (ops) login reset:  {admin.Email} / the password in Admin:Password");
        Console.WriteLine("  The account is unlocked, and its open sessions and tokens are signed out. Start the server as usual.");
        Console.WriteLine();
    }

    public static void Print(WebApplication app, AdminAccountSeeder.Outcome admin)
    {
        var addresses = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        var url = addresses.FirstOrDefault()?.Replace("://[::]", "://localhost").Replace("://0.0.0.0", "://localhost").Replace("://+", "://localhost") ?? "(no address)";
        var login = admin switch
        {
            { GeneratedPassword: { } password } => $"{admin.Email} / {password}   (generated now and shown only once: keep it, or set Admin:Password)",
            { Created: true } => $"{admin.Email} / the password in Admin:Password",
            _ => $"{admin.Email} / the password shown at the first start (or set in Admin:Password)",
        };
        Console.WriteLine();
        Console.WriteLine($"  QCommerce is running at {url}");
        Console.WriteLine($"  Storefront: {url}/    API reference: {url}/api-docs");
        Console.WriteLine($"  Admin (ops) login:  {login}");
        Console.WriteLine();
        // Links in e-mails are built on Mail:SiteUrl, never on a request's Host header; without it they name this server's
        // own address, which a shopper outside (behind a proxy, in a container) cannot open.
        var mail = app.Services.GetRequiredService<Microsoft.Extensions.Options.IOptions<QCommerce.Core.Messages.MailOptions>>().Value;
        if (string.IsNullOrWhiteSpace(mail.SiteUrl) && !app.Environment.IsDevelopment())
            app.Logger.LogWarning("Mail:SiteUrl is not set: links in e-mails (password resets, orders) will point at {Url}. Set it to the address shoppers use, such as https://shop.example.com/", url);
    }
}
