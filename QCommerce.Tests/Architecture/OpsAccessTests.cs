using Microsoft.AspNetCore.Authorization;
using Microsoft.AspNetCore.Components;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Identity;

namespace QCommerce.Tests.Architecture;

/// <summary>
/// Every way into the ops portal requires a staff role: each endpoint the running app maps under /ops or /v1/ops, and each
/// routable component whose route starts with /ops. A page or route added without the policy fails here, not in production.
/// </summary>
public sealed class OpsAccessTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    private static readonly string[] StaffPolicies = [.. QCommerce.Web.Identity.StaffPolicies.All.Keys];

    private static bool IsOps(string route) =>
        route.Equals("/ops", StringComparison.OrdinalIgnoreCase) || route.StartsWith("/ops/", StringComparison.OrdinalIgnoreCase)
        || route.StartsWith("/v1/ops", StringComparison.OrdinalIgnoreCase);

    [Fact]
    public void EveryOpsEndpoint_RequiresAStaffPolicy()
    {
        var endpoints = app.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()
            .Where(e => IsOps("/" + (e.RoutePattern.RawText ?? "").TrimStart('/'))).ToList();

        Assert.True(endpoints.Count >= 12, $"only {endpoints.Count} ops endpoints found: the test is not looking where the routes are");
        Assert.All(endpoints, e => Assert.True(
            e.Metadata.GetOrderedMetadata<IAuthorizeData>().Any(a => StaffPolicies.Contains(a.Policy)),
            $"{e.DisplayName} ({e.RoutePattern.RawText}) is reachable without a staff policy"));
    }

    [Fact]
    public void EveryOpsPage_RequiresAStaffPolicy()
    {
        var pages = typeof(QCommerce.Web.Common.ReturnUrls).Assembly.GetTypes()
            .Where(t => typeof(IComponent).IsAssignableFrom(t))
            .SelectMany(t => t.GetCustomAttributes(typeof(RouteAttribute), false).Cast<RouteAttribute>().Select(r => (Type: t, r.Template)))
            .Where(p => IsOps(p.Template)).ToList();

        Assert.NotEmpty(pages);
        Assert.All(pages, p => Assert.True(
            p.Type.GetCustomAttributes(typeof(AuthorizeAttribute), true).Cast<AuthorizeAttribute>().Any(a => StaffPolicies.Contains(a.Policy)),
            $"{p.Type.Name} ({p.Template}) has no staff policy"));
    }
}
