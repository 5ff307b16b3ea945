using QCommerce.Core;
using QCommerce.Core.Data;
using QCommerce.Web.Cart;
using QCommerce.Web.Catalog;
using QCommerce.Web.Common;
using QCommerce.Web.Components;
using QCommerce.Web.Components.Layout;
using QCommerce.Web.Identity;
using QCommerce.Web.Messages;
using QCommerce.Web.Operations;
using QCommerce.Web.Ops;
using QCommerce.Web.Ordering;
using QCommerce.Web.Payments;
using QCommerce.Web.Payments.Sandbox;
using QCommerce.Web.Stores;
using QCommerce.Web.Webhooks;

var builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = args, WebRootPath = HostingExtensions.PublishedWebRoot() });
builder.Configuration.AddOperatorSettings(builder.Environment);
builder.AddQCommerceLogs();
builder.AddQCommerceTelemetry();

builder.Services.AddQCommerceData(builder.Configuration, builder.Environment.ContentRootPath);
builder.Services.AddQCommerceCore();
// Uploaded pictures live beside the database, under the content root's data/ unless Media:Root says otherwise.
builder.Services.PostConfigure<QCommerce.Core.Catalog.MediaOptions>(o => o.Root = Path.Combine(builder.Environment.ContentRootPath, o.Root));
builder.Services.AddQCommerceBackgroundJobs();
builder.Services.AddQCommerceIdentity(builder.Configuration);
builder.Services.AddMessages(builder.Environment.ContentRootPath);
builder.Services.AddWebhookDefaults(builder.Environment);
builder.Services.AddQCommerceApi();
builder.Services.AddQCommerceRateLimits();
builder.Services.AddQCommerceSecurity(builder.Configuration);
builder.Services.AddStorefront();
builder.Services.AddQCommerceHealth();
builder.Services.AddPspSandbox(builder.Configuration, builder.Environment.ContentRootPath);

var app = builder.Build();
PaymentSecrets.EnsureSafe(app.Configuration);

var admin = await app.Services.InitializeQCommerceAsync(app.Configuration);
if (args.Contains(StartupBanner.ResetAdminCommand))
{
    // A lost admin login: reset it, say it, and stop (the server is not started).
    StartupBanner.PrintReset(await app.Services.ResetAdminAsync());
    return;
}
await app.Services.InitializePspSandboxAsync();

app.UseQCommerceProxySupport();
app.MapQCommerceMetrics();
app.UseSecurityHeaders();
app.UseRequestIdHeader();
app.UseQCommerceErrorHandling();
app.UseQueryTextCheck();
// Routing after the status-code pages, so a re-executed /status/{code} is routed to its page
// (implicit routing would run first, and the re-executed request would find no endpoint).
app.UseRouting();
app.MapStaticAssets();
app.UseAuthentication();
app.UseSecurityStampCheck();
app.UseAuthorization();
app.UseRateLimiter();
app.UseAntiforgery();
app.UseAntiforgeryRefusals();

app.MapQCommerceHealth();
app.MapQCommerceApi();
app.MapPspSandbox();
app.MapProductImages();
app.MapProductMedia();
app.MapThemeStylesheet();
app.MapStoreSelection();
app.MapCartActions();
app.MapOrderForms();
app.MapAccountEndpoints();
app.MapOpsExports();
// Our own Content-Security-Policy says frame-ancestors 'none'; Blazor's second header (frame-ancestors 'self') would only contradict it.
app.MapRazorComponents<App>().AddInteractiveServerRenderMode(o => o.ContentSecurityFrameAncestorsPolicy = null);

app.Lifetime.ApplicationStarted.Register(() => StartupBanner.Print(app, admin));
app.Run();

/// <summary>The entry point, visible to the tests' WebApplicationFactory.</summary>
public partial class Program;
