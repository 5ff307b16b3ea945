using System.Net;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using QCommerce.Core.Inventory;
using QCommerce.Core.Webhooks;
using QCommerce.Web.Webhooks;

namespace QCommerce.Tests.Webhooks;

/// <summary>SSRF: where a webhook may go, judged when an endpoint is registered and again at every connection.</summary>
public sealed class WebhookTargetTests
{
    [Theory]
    [InlineData("https://hooks.example.com/qcommerce", true, false, null)]
    [InlineData("http://hooks.example.com/qcommerce", false, false, null)]
    [InlineData("http://hooks.example.com/qcommerce", true, false, "https://")]
    [InlineData("https://127.0.0.1/hook", true, false, "inside the shop's network")]
    [InlineData("https://127.1/hook", true, false, "inside the shop's network")]
    [InlineData("https://2130706433/hook", true, false, "inside the shop's network")]
    [InlineData("https://localhost:8080/hook", true, false, "inside the shop's network")]
    [InlineData("https://api.localhost/hook", true, false, "inside the shop's network")]
    [InlineData("https://[::1]/hook", true, false, "inside the shop's network")]
    [InlineData("https://[::ffff:10.0.0.5]/hook", true, false, "inside the shop's network")]
    [InlineData("https://169.254.169.254/latest/meta-data", true, false, "inside the shop's network")]
    [InlineData("https://10.1.2.3/hook", true, false, "inside the shop's network")]
    [InlineData("https://172.20.0.1/hook", true, false, "inside the shop's network")]
    [InlineData("https://192.168.1.10/hook", true, false, "inside the shop's network")]
    [InlineData("https://100.64.0.1/hook", true, false, "inside the shop's network")]
    [InlineData("https://[fd00::1]/hook", true, false, "inside the shop's network")]
    [InlineData("https://[fe80::1]/hook", true, false, "inside the shop's network")]
    [InlineData("https://0.0.0.0/hook", true, false, "inside the shop's network")]
    [InlineData("http://127.0.0.1:5000/hook", false, true, null)]
    [InlineData("https://user:pw@hooks.example.com/x", true, false, "passwords")]
    [InlineData("https://hooks.example.com/x#frag", true, false, "fragment")]
    [InlineData("ftp://hooks.example.com/x", true, false, "http")]
    [InlineData("/relative/hook", true, false, "http")]
    [InlineData("", true, false, "required")]
    public void ARegisteredUrl_IsJudgedBeforeItIsSaved(string url, bool requireHttps, bool allowInternal, string? problem)
    {
        var found = WebhookTargets.Problem(url, requireHttps, allowInternal);
        if (problem is null) Assert.Null(found);
        else Assert.Contains(problem, found);
    }

    [Theory]
    [InlineData("8.8.8.8", false)]
    [InlineData("172.32.0.1", false)]
    [InlineData("2606:4700:4700::1111", false)]
    [InlineData("64:ff9b::10.0.0.1", true)]     // NAT64 of a private address
    [InlineData("2002:c0a8:0101::1", true)]     // 6to4 of 192.168.1.1
    [InlineData("224.0.0.1", true)]
    [InlineData("198.18.0.1", true)]
    [InlineData("255.255.255.255", true)]
    public void AnAddress_IsInternalOrNot(string address, bool isInternal) =>
        Assert.Equal(isInternal, WebhookTargets.IsInternal(IPAddress.Parse(address)));

    [Theory]
    [InlineData("Production", false, true)]
    [InlineData("Staging", false, true)]
    [InlineData("Development", true, false)]
    [InlineData("Testing", true, false)]
    public void OutsideDevelopmentAndTesting_OnlyHttpsToPublicAddresses_UnlessConfigured(string environment, bool allowInternal, bool requireHttps)
    {
        var services = new ServiceCollection().AddOptions();
        services.AddWebhookDefaults(new Environment(environment));
        var options = services.BuildServiceProvider().GetRequiredService<IOptions<WebhookOptions>>().Value;
        Assert.Equal((allowInternal, requireHttps), (options.AllowPrivateTargets, options.RequireHttps));

        var configured = new ServiceCollection().AddOptions();
        configured.Configure<WebhookOptions>(o => o.AllowPrivateTargets = true);
        configured.AddWebhookDefaults(new Environment(environment));
        Assert.True(configured.BuildServiceProvider().GetRequiredService<IOptions<WebhookOptions>>().Value.AllowPrivateTargets);
    }

    [Fact]
    public async Task ANameThatResolvesInside_IsRefusedAtTheConnection_AndTheLogSaysWhy()
    {
        // The machine's own name passes the registration check (it is a name, not an address) but resolves to a loopback or
        // private address: the connection step must refuse it, as it would a name re-pointed at one after registration.
        var host = Dns.GetHostName();
        var addresses = await Dns.GetHostAddressesAsync(host);
        Assert.True(addresses.Any(WebhookTargets.IsInternal), $"{host} resolves to {string.Join(", ", addresses.Select(a => a.ToString()))}: no internal address to test with");
        await using var receiver = await WebhookReceiver.StartAsync();
        await using var h = await ServiceHarness.CreateAsync(DatabaseProvider.Sqlite, services => services.Configure<WebhookOptions>(o =>
        {
            o.AllowPrivateTargets = false;
            o.RequireHttps = false;
        }));
        var url = new UriBuilder(receiver.Url("inside")) { Host = host }.Uri.ToString();
        var made = await h.Get<WebhookService>().CreateAsync(TestStaff.Admin, new WebhookInput(url, "", [WebhookEvents.StockLow]));
        await Assert.ThrowsAsync<RequestRejectedException>(() => h.Get<WebhookService>().CreateAsync(TestStaff.Admin,
            new WebhookInput(receiver.Url("inside").ToString(), "", [WebhookEvents.StockLow])));

        await using (var db = h.Database.CreateContext())
        {
            var now = h.Clock.GetUtcNow().UtcDateTime;
            Outbox.Enqueue(db, EventTypes.StockLow, LowStock.Aggregate(2, 5), new StockLowEvent("st_2", "sku_5", 1, 5, now), now);
            await db.SaveChangesAsync();
        }
        while (await h.Get<OutboxDispatcher>().DispatchDueAsync() > 0) { }
        await h.Get<WebhookSender>().SendDueAsync(wait: true);

        Assert.Empty(receiver.Received);
        await using var check = h.Database.CreateContext();
        var attempt = await check.Set<WebhookAttempt>().SingleAsync();
        Assert.Null(attempt.StatusCode);
        Assert.Contains("internal address", attempt.Error);
        Assert.StartsWith(made.Endpoint.Id, WebhookEndpoint.Format(attempt.EndpointId));
    }

    private sealed class Environment(string name) : IHostEnvironment
    {
        public string EnvironmentName { get; set; } = name;
        public string ApplicationName { get; set; } = "QCommerce";
        public string ContentRootPath { get; set; } = "/";
        public Microsoft.Extensions.FileProviders.IFileProvider ContentRootFileProvider { get; set; } = null!;
    }
}
