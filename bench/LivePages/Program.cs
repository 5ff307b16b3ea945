// What an open live page costs the server: opens PAGES order-tracking pages and PAGES cart pages of one shopper in
// Debian's Chromium against a running QCommerce, and weighs the app's managed heap (a full GC through dotnet-gcdump)
// with none open, with all open, after they were left properly (the tab went elsewhere), and with pages whose browser
// vanished without a word (their circuits are kept for a reconnect, within the circuit options' bounds).
//   dotnet run --project bench/LivePages -c Release -- http://127.0.0.1:5098 <app pid> 200
// bench/live-pages.sh starts the app and runs this; it prints a table and the types that grew most.
using System.Diagnostics;
using System.Globalization;
using System.Net.Http.Json;
using System.Text.Json;
using System.Text.RegularExpressions;
using Microsoft.Playwright;

var baseUrl = args[0].TrimEnd('/');
var pid = int.Parse(args[1], CultureInfo.InvariantCulture);
var pages = args.Length > 2 ? int.Parse(args[2], CultureInfo.InvariantCulture) : 200;
var work = Directory.CreateTempSubdirectory("qc-live-pages").FullName;

// A shopper with one cash order, signed in on the API (for the order) and in the browser (for the pages).
var email = $"live-{Guid.NewGuid():N}@example.com";
const string password = "Live-Pages-2026";
using var http = new HttpClient { BaseAddress = new Uri(baseUrl) };
(await http.PostAsJsonAsync("/v1/auth/register", new { email, password })).EnsureSuccessStatusCode();
var login = await (await http.PostAsJsonAsync("/v1/auth/login", new { email, password })).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
http.DefaultRequestHeaders.Authorization = new("Bearer", login.GetProperty("accessToken").GetString());
var orderBody = new
{
    storeId = "st_1",
    items = new[] { new { skuId = "sku_1", qty = 1 }, new { skuId = "sku_2", qty = 2 } },
    address = new { line1 = "1 Bench Street", city = "New York", zip = "10013" },
    paymentMethod = new { type = "cod" },
};
using var place = new HttpRequestMessage(HttpMethod.Post, "/v1/orders") { Content = JsonContent.Create(orderBody) };
place.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
var order = await (await http.SendAsync(place)).EnsureSuccessStatusCode().Content.ReadFromJsonAsync<JsonElement>();
var orderNumber = order.GetProperty("orderId").GetString()!["o_".Length..];
(await http.PutAsJsonAsync("/v1/cart/items/sku_3?storeId=st_1", new { qty = 2 })).EnsureSuccessStatusCode();

using var playwright = await Playwright.CreateAsync();
await using var browser = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--renderer-process-limit=8"], // 200 tabs in a handful of renderers: the server is what is measured, not the browser
});

async Task<IBrowserContext> SignedInAsync()
{
    var context = await browser.NewContextAsync(new() { BaseURL = baseUrl });
    var page = await context.NewPageAsync();
    await page.GotoAsync("/account/login");
    await page.GetByLabel("Email").FillAsync(email);
    await page.GetByLabel("Password").FillAsync(password);
    await page.GetByRole(AriaRole.Button, new() { Name = "Sign in" }).ClickAsync();
    await page.WaitForURLAsync(url => !url.Contains("/account/login", StringComparison.Ordinal));
    await page.GotoAsync("/store");
    await page.GetByLabel("Delivery zip code").FillAsync("10013");
    await page.GetByRole(AriaRole.Button, new() { Name = "Find my store" }).ClickAsync();
    await page.GetByRole(AriaRole.Button, new() { NameRegex = new Regex("^Shop at ") }).First.ClickAsync();
    await page.GetByTestId("store-chip").WaitForAsync();
    await page.CloseAsync();
    return context;
}

async Task<List<IPage>> OpenAsync(IBrowserContext context, string path, int count)
{
    var open = new List<IPage>();
    for (var i = 0; i < count; i++)
    {
        var page = await context.NewPageAsync();
        await page.GotoAsync(path);
        await page.Locator("[data-interactive=true]").WaitForAsync(new() { Timeout = 60_000 });
        open.Add(page);
    }
    return open;
}

// Leaving a page properly: the tab goes elsewhere, Blazor tells the server, and the circuit ends at once.
async Task LeaveAsync(List<IPage> open)
{
    foreach (var page in open) await page.GotoAsync("about:blank");
    foreach (var page in open) await page.CloseAsync();
}

var dumps = new List<(string Label, int Pages, Heap Heap, long Rss)>();
async Task<Heap> WeighAsync(string label, int open)
{
    await Task.Delay(3_000); // let disconnects and renders settle
    var heap = await Heap.CollectAsync(pid, Path.Combine(work, $"{dumps.Count}.gcdump"));
    dumps.Add((label, open, heap, Rss(pid)));
    Console.Error.WriteLine($"  {label}: {heap.Bytes / 1024.0 / 1024:0.0} MB managed heap");
    return heap;
}

var shopper = await SignedInAsync();
await LeaveAsync(await OpenAsync(shopper, $"/orders/{orderNumber}", 5)); // warm-up: first-use caches are not a page's cost
await LeaveAsync(await OpenAsync(shopper, "/cart", 5));
var none = await WeighAsync("no page open", 0);

Console.Error.WriteLine($"Opening {pages} order pages…");
var orders = await OpenAsync(shopper, $"/orders/{orderNumber}", pages);
var withOrders = await WeighAsync($"{pages} order pages open", pages);
await LeaveAsync(orders);
await WeighAsync("order pages left", 0);

Console.Error.WriteLine($"Opening {pages} cart pages…");
var carts = await OpenAsync(shopper, "/cart", pages);
var withCarts = await WeighAsync($"{pages} cart pages open", pages);
await LeaveAsync(carts);
await WeighAsync("cart pages left", 0);

// Pages whose browser vanished (a phone lost its signal): a second browser is killed outright, so no page says goodbye,
// and the server keeps their circuits for a reconnect, within the circuit options' bounds (count and time).
Console.Error.WriteLine($"Opening {pages} order pages and killing their browser…");
var marker = $"qc-lost-{Guid.NewGuid():N}";
var doomed = await playwright.Chromium.LaunchAsync(new()
{
    ExecutablePath = "/usr/bin/chromium",
    Headless = true,
    Args = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--renderer-process-limit=8", $"--{marker}"], // an unknown switch Chromium ignores, to find it by
});
var lost = await doomed.NewContextAsync(new() { BaseURL = baseUrl, StorageState = await shopper.StorageStateAsync() });
await OpenAsync(lost, $"/orders/{orderNumber}", pages);
using (var kill = Process.Start("pkill", $"-KILL -f {marker}")) await kill.WaitForExitAsync();
await WeighAsync($"{pages} order pages cut off", 0);
await Task.Delay(TimeSpan.FromSeconds(62)); // the storefront keeps a cut-off circuit one minute (StorefrontSetup)
await WeighAsync("cut off, a minute later", 0);

Console.WriteLine();
Console.WriteLine($"| {"state",-28} | {"managed heap MB",15} | {"per page KB",11} | {"process RSS MB",14} |");
Console.WriteLine($"|{new string('-', 30)}|{new string('-', 17)}|{new string('-', 13)}|{new string('-', 16)}|");
foreach (var (label, open, heap, rss) in dumps)
{
    var perPage = label.Contains("open", StringComparison.Ordinal) || label.Contains("cut off", StringComparison.Ordinal)
        ? ((heap.Bytes - none.Bytes) / 1024.0 / pages).ToString("0", CultureInfo.InvariantCulture) : "";
    Console.WriteLine($"| {label,-28} | {heap.Bytes / 1048576.0,15:0.0} | {perPage,11} | {rss / 1048576.0,14:0} |");
}
foreach (var (label, heap) in new[] { ("order page", withOrders), ("cart page", withCarts) })
{
    Console.WriteLine();
    Console.WriteLine($"What one {label} holds (types that grew most, bytes per page):");
    foreach (var (type, bytes) in heap.GrowthOver(none).Take(15))
        Console.WriteLine($"  {bytes / pages,9:#,0}  {type}");
}
Directory.Delete(work, recursive: true);

static long Rss(int pid) =>
    File.ReadLines($"/proc/{pid}/status").Where(l => l.StartsWith("VmRSS:", StringComparison.Ordinal))
        .Select(l => long.Parse(l.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) * 1024).First();

/// <summary>The managed heap after a full GC, as dotnet-gcdump reports it: the total and the bytes per type.</summary>
sealed record Heap(long Bytes, Dictionary<string, long> ByType)
{
    private static readonly Regex Row = new(@"^\s*([\d,]+)\s+([\d,]+)\s+(.+?)(?:\s+\(Bytes > \S+\))?\s+\[[^\]]*\]\s*$");

    public static async Task<Heap> CollectAsync(int pid, string file)
    {
        await RunAsync("dotnet", $"gcdump collect -p {pid} -o {file}");
        var report = await RunAsync("dotnet", $"gcdump report {file}");
        long total = 0;
        var byType = new Dictionary<string, long>();
        foreach (var line in report.Split('\n'))
        {
            if (line.Contains("GC Heap bytes", StringComparison.Ordinal)) total = Number(line.Trim().Split(' ')[0]);
            // A row is a type (large objects by size class): the bytes of one object on average, and how many there are.
            else if (Row.Match(line) is { Success: true } m)
                byType[m.Groups[3].Value] = byType.GetValueOrDefault(m.Groups[3].Value) + Number(m.Groups[1].Value) * Number(m.Groups[2].Value);
        }
        return new Heap(total, byType);
    }

    public IEnumerable<(string Type, long Bytes)> GrowthOver(Heap before) =>
        ByType.Select(t => (t.Key, t.Value - before.ByType.GetValueOrDefault(t.Key))).Where(t => t.Item2 > 0).OrderByDescending(t => t.Item2);

    private static long Number(string text) => long.Parse(text.Replace(",", ""), CultureInfo.InvariantCulture);

    private static async Task<string> RunAsync(string file, string arguments)
    {
        using var process = Process.Start(new ProcessStartInfo(file, arguments) { RedirectStandardOutput = true, RedirectStandardError = true })!;
        var output = await process.StandardOutput.ReadToEndAsync();
        await process.WaitForExitAsync();
        if (process.ExitCode != 0) throw new InvalidOperationException($"{file} {arguments}: {await process.StandardError.ReadToEndAsync()}");
        return output;
    }
}
