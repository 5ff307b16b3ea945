using System.Net;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Components;
using QCommerce.Core.Identity;
using QCommerce.Web.Identity;

namespace QCommerce.Tests.Architecture;

/// <summary>
/// Every role against every <c>/v1/ops</c> route and every <c>/ops</c> page, over HTTP on the running app: a picker reaches the
/// board, the pick list and an order's detail; Support customers, orders, notes and refunds; Ops everything of their stores;
/// an admin everything. The expected role of each route is written here, so a route added without a decision fails.
/// </summary>
public sealed partial class RoleMatrixTests(RoleMatrixTests.App app) : IClassFixture<RoleMatrixTests.App>
{
    /// <summary>An app of its own: allowed calls with empty bodies change nothing that matters, but some (a category's delete) may.</summary>
    public sealed class App() : QCommerceApp(DatabaseProvider.Sqlite);

    private static readonly string[] Everyone = [Roles.Picker, Roles.Support, Roles.Ops, Roles.Admin];

    private static IReadOnlyList<string> Admitted(string policy) => policy switch
    {
        StaffPolicies.Staff => Everyone,
        Roles.Picker => [Roles.Picker, Roles.Ops, Roles.Admin],
        Roles.Support => [Roles.Support, Roles.Ops, Roles.Admin],
        Roles.Ops => [Roles.Ops, Roles.Admin],
        _ => [Roles.Admin],
    };

    /// <summary>Who each API route is for: the decision, written once.</summary>
    private static string ExpectedPolicy(HttpMethod method, string pattern)
    {
        if (pattern.StartsWith("/v1/ops/staff") || pattern.StartsWith("/v1/ops/webhooks")) return Roles.Admin;
        // The catalog, prices, categories and coupons are every store's, and so are a store's settings: only an admin changes them.
        if (method != HttpMethod.Get && (pattern.StartsWith("/v1/ops/products") || pattern.StartsWith("/v1/ops/categories") || pattern.StartsWith("/v1/ops/prices")
            || pattern.StartsWith("/v1/ops/coupons") || pattern == "/v1/ops/imports/prices" || pattern == "/v1/ops/stores/{storeId:store}"))
            return Roles.Admin;
        if (pattern.StartsWith("/v1/ops/customers")) return Roles.Support;
        if (!pattern.StartsWith("/v1/ops/orders")) return Roles.Ops;
        var rest = OrderRoute().Replace(pattern, "");
        return (method.Method, rest) switch
        {
            ("GET", "" or "/") when !pattern.Contains('{') => Roles.Support,
            ("GET", "") => StaffPolicies.Staff,
            (_, "/refunds" or "/notes") => Roles.Support,
            (_, "/start-picking" or "/pick" or "/pick/{skuId:sku}" or "/dispatch" or "/deliver") => Roles.Picker,
            _ => Roles.Ops,
        };
    }

    /// <summary>Who each page (and export) under /ops is for.</summary>
    private static string ExpectedPagePolicy(string template) => template switch
    {
        "/ops" or "/ops/orders/{OrderNumber:int}" => StaffPolicies.Staff,
        _ when template.StartsWith("/ops/customers") || template.StartsWith("/ops/orders/{") || template == "/ops/orders" || template.StartsWith("/ops/payments/{") => Roles.Support,
        _ when template.StartsWith("/ops/fulfilment") => Roles.Picker,
        _ when template is "/ops/staff" or "/ops/outbox" or "/ops/stores" || template.StartsWith("/ops/webhooks") => Roles.Admin,
        _ => Roles.Ops,
    };

    [GeneratedRegex(@"^/v1/ops/orders(/\{orderId:order\})?")]
    private static partial Regex OrderRoute();

    private async Task<Dictionary<string, ApiShopper>> ColleaguesAsync()
    {
        var colleagues = new Dictionary<string, ApiShopper> { [Roles.Admin] = await ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword) };
        foreach (var role in new[] { Roles.Picker, Roles.Support, Roles.Ops })
            colleagues[role] = (await TestStaff.ColleagueAsync(app, role, Demo.Midtown)).Client;
        return colleagues;
    }

    [Fact]
    public async Task EveryRole_AgainstEveryOpsRoute_IsAdmittedExactlyWhereTheMatrixSays()
    {
        var colleagues = await ColleaguesAsync();
        var shopper = await ApiShopper.SignUpAsync(app);
        var routes = OpsRoutes.All(app.Services);
        Assert.True(routes.Count >= 60, $"only {routes.Count} /v1/ops routes found");

        var wrong = new List<string>();
        foreach (var route in routes.OrderBy(r => r.Method == HttpMethod.Delete)) // deletes last: what they delete, the others may need
        {
            var admitted = Admitted(ExpectedPolicy(route.Method, route.Pattern));
            foreach (var (role, client) in colleagues.Append(new("shopper", shopper)))
            {
                using var request = new HttpRequestMessage(route.Method, route.Path) { Content = OpsRoutes.BodyFor(route.Method, route.Path) };
                request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
                var status = (await client.Http.SendAsync(request)).StatusCode;
                var shouldPass = admitted.Contains(role);
                if (shouldPass == (status == HttpStatusCode.Forbidden) || status is HttpStatusCode.Unauthorized or HttpStatusCode.InternalServerError)
                    wrong.Add($"{role,-8} {route.Method} {route.Pattern}: {(int)status}, expected {(shouldPass ? "admitted" : "403")}");
            }
        }
        Assert.True(wrong.Count == 0, "the role matrix does not hold:\n" + string.Join("\n", wrong));
    }

    [Fact]
    public async Task EveryRole_AgainstEveryOpsPage_SeesItOrIsSentToTheRefusal()
    {
        var pages = typeof(QCommerce.Web.Common.ReturnUrls).Assembly.GetTypes()
            .SelectMany(t => t.GetCustomAttributes(typeof(RouteAttribute), false).Cast<RouteAttribute>().Select(r => r.Template))
            .Where(t => t == "/ops" || t.StartsWith("/ops/")).ToList();
        pages.AddRange(["/ops/orders/export.csv", "/ops/exports/prices.csv", "/ops/exports/stock.csv"]);
        Assert.True(pages.Count >= 25, $"only {pages.Count} ops pages found");

        var browsers = new Dictionary<string, HttpClient>();
        foreach (var (role, email, password) in await AccountsAsync())
        {
            var client = app.CreateClient();
            var signedIn = await Forms.PostAsync(client, "/account/login", "/account/login", new Dictionary<string, string>
            {
                ["_handler"] = "login", ["Input.Email"] = email, ["Input.Password"] = password,
            });
            Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
            browsers[role] = client;
        }

        var wrong = new List<string>();
        foreach (var template in pages)
        {
            var path = Regex.Replace(template, @"\{(\w+)(:\w+)?\}", m => m.Groups[1].Value switch
            {
                "ProductText" => "p_1", "StoreText" => "st_2", "SkuText" => "sku_1", "Id" => "wh_1", "UserId" => "nobody",
                _ => "1",
            });
            var admitted = Admitted(ExpectedPagePolicy(template));
            foreach (var (role, client) in browsers)
            {
                var response = await client.GetAsync(path);
                var refused = response.StatusCode == HttpStatusCode.Forbidden
                    || (response.StatusCode == HttpStatusCode.Redirect && response.Headers.Location!.ToString().Contains("access-denied"));
                if (admitted.Contains(role) == refused || response.StatusCode == HttpStatusCode.InternalServerError)
                    wrong.Add($"{role,-8} {path}: {(int)response.StatusCode} {response.Headers.Location}, expected {(admitted.Contains(role) ? "the page" : "the refusal")}");
            }
        }
        Assert.True(wrong.Count == 0, "the role matrix of pages does not hold:\n" + string.Join("\n", wrong));
    }

    private async Task<List<(string Role, string Email, string Password)>> AccountsAsync()
    {
        var accounts = new List<(string, string, string)> { (Roles.Admin, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword) };
        foreach (var role in new[] { Roles.Picker, Roles.Support, Roles.Ops })
        {
            var created = await TestStaff.InvitedAsync(app, $"page-{role.ToLowerInvariant()}-{Guid.NewGuid():N}@qcommerce.test", $"Page {role}", role, Demo.Midtown);
            await Inbox.AcceptInvitationAsync(app, created.Member.Email);
            accounts.Add((role, created.Member.Email, Inbox.ColleaguePassword));
        }
        var shopper = await ApiShopper.SignUpAsync(app);
        accounts.Add(("shopper", shopper.Email, "Groceries-2026"));
        return accounts;
    }
}
