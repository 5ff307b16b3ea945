using Microsoft.Extensions.DependencyInjection;
using Microsoft.Playwright;

namespace QCommerce.Tests.Support;

/// <summary>
/// The app on a real Kestrel port (SQLite, demo data) and Debian's Chromium driven by Playwright.
/// Screenshots go to artifacts/screenshots at the repository root, to be looked at.
/// </summary>
public sealed class BrowserFixture : IAsyncLifetime
{
    private IPlaywright? _playwright;

    public BrowserFixture() =>
        App = new QCommerceApp(QCommerce.Core.Data.DatabaseProvider.Sqlite,
            services: s => s.AddSingleton<Microsoft.EntityFrameworkCore.Diagnostics.IInterceptor>(Queries));

    public QCommerceApp App { get; }

    /// <summary>Every command the app sends its database, for journeys that measure what a page costs it.</summary>
    public QueryCounter Queries { get; } = new();
    public IBrowser Browser { get; private set; } = null!;
    public string ScreenshotFolder { get; } = FindScreenshotFolder();

    public async Task InitializeAsync()
    {
        await App.InitializeAsync();
        _playwright = await Playwright.CreateAsync();
        Browser = await _playwright.Chromium.LaunchAsync(new BrowserTypeLaunchOptions
        {
            ExecutablePath = Environment.GetEnvironmentVariable("QC_CHROMIUM") ?? "/usr/bin/chromium",
            Headless = true,
            Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"],
        });
    }

    public async Task<IPage> NewPageAsync(bool phone = false)
    {
        var context = await Browser.NewContextAsync(new BrowserNewContextOptions
        {
            BaseURL = App.BaseAddress.ToString().TrimEnd('/'),
            ViewportSize = phone ? new ViewportSize { Width = 390, Height = 844 } : new ViewportSize { Width = 1280, Height = 900 },
            IsMobile = phone,
            HasTouch = phone,
            DeviceScaleFactor = 1,
        });
        context.SetDefaultTimeout(15_000);
        return await context.NewPageAsync();
    }

    /// <summary>
    /// Records every Content-Security-Policy violation in the page's context, across navigations: the browser's
    /// securitypolicyviolation events and its "Refused to …" console errors.
    /// </summary>
    public static async Task<IReadOnlyCollection<string>> WatchCspAsync(IPage page)
    {
        var violations = new System.Collections.Concurrent.ConcurrentQueue<string>();
        await page.Context.ExposeFunctionAsync("__qcCspViolation", (string text) => violations.Enqueue(text));
        await page.Context.AddInitScriptAsync(
            "document.addEventListener('securitypolicyviolation', e => window.__qcCspViolation("
            + "`${e.violatedDirective} blocked ${e.blockedURI || 'inline'} on ${location.pathname} (${e.sourceFile || ''}:${e.lineNumber})`));");
        page.Console += (_, message) =>
        {
            if (message.Text.Contains("Content Security Policy", StringComparison.OrdinalIgnoreCase)) violations.Enqueue($"console: {message.Text}");
        };
        return violations;
    }

    /// <summary>The accessible name of every product's "Add … to cart" button.</summary>
    public static readonly System.Text.RegularExpressions.Regex AddButton = new("^Add .+ to cart$");

    /// <summary>Plenty of stock for everything Midtown sells, so a journey never meets a sold-out shelf.</summary>
    public async Task StockMidtownAsync()
    {
        await using var db = App.Database.CreateContext();
        // Nothing is low any more, so its low-stock marks go too (a later crossing must ring the bell again).
        await db.Stock.Where(s => s.StoreId == 2).ExecuteUpdateAsync(s => s.SetProperty(x => x.OnHand, x => x.Reserved + 200)
            .SetProperty(x => x.LowSinceUtc, (DateTime?)null));
    }

    /// <summary>Opens <paramref name="path"/> and signs in on the sign-in page it leads to (the admin unless told), then waits for the page's circuit.</summary>
    public static async Task<IPage> SignedInAsync(IPage page, string path, string email = QCommerceApp.AdminEmail, string password = QCommerceApp.AdminPassword)
    {
        await page.GotoAsync(path);
        await page.GetByLabel("Email").FillAsync(email);
        await page.GetByLabel("Password").FillAsync(password);
        await page.GetByRole(Microsoft.Playwright.AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
        await QCommerce.Tests.EndToEnd.CheckoutJourneyTests.WaitInteractiveAsync(page);
        return page;
    }

    /// <summary>The page as a person sees it: the whole page, or (<paramref name="fullPage"/> false) the screen they have scrolled to.</summary>
    public async Task ScreenshotAsync(IPage page, string name, bool fullPage = true) =>
        await page.ScreenshotAsync(new PageScreenshotOptions { Path = Path.Combine(ScreenshotFolder, name + ".png"), FullPage = fullPage });

    public async Task DisposeAsync()
    {
        if (Browser is not null) await Browser.DisposeAsync();
        _playwright?.Dispose();
        await App.DisposeAsync();
    }

    private static string FindScreenshotFolder() => Artifacts.Folder("screenshots");
}

[CollectionDefinition(Name)]
public sealed class BrowserCollection : ICollectionFixture<BrowserFixture>
{
    public const string Name = "Browser";
}
