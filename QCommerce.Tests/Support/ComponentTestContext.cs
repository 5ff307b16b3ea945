using Bunit;
using Microsoft.Extensions.DependencyInjection;
using MudBlazor.Services;

namespace QCommerce.Tests.Support;

/// <summary>The one shared bUnit setup: MudBlazor's services, loose JS interop, async disposal.</summary>
public abstract class ComponentTestContext : BunitContext, IAsyncLifetime
{
    protected ComponentTestContext()
    {
        Services.AddMudServices();
        Services.AddSingleton(new QCommerce.Web.Common.RateLimits(new Microsoft.Extensions.Configuration.ConfigurationBuilder().Build()));
        JSInterop.Mode = JSRuntimeMode.Loose;
    }

    public Task InitializeAsync() => Task.CompletedTask;

    // MudBlazor's services need asynchronous disposal, or every teardown fails.
    async Task IAsyncLifetime.DisposeAsync() => await base.DisposeAsync();
}
