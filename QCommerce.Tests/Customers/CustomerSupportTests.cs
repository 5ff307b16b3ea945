using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using QCommerce.Core.Identity;
using QCommerce.Tests.Fulfillment;

namespace QCommerce.Tests.Customers;

/// <summary>
/// Support on each provider, over HTTP: customers found by part of a name, e-mail or phone, or by an order id; a customer's
/// page of their orders at the colleague's stores; notes; lock and unlock; every look audited; refunds up to Support's limit;
/// and what Support and pickers may not do.
/// </summary>
public abstract class CustomerSupportTests(QCommerceApp app)
{
    private static async Task<JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode status)
    {
        Assert.True(response.StatusCode == status, $"{(int)response.StatusCode}: {await response.Content.ReadAsStringAsync()}");
        return JsonDocument.Parse(await response.Content.ReadAsStringAsync()).RootElement;
    }

    /// <summary>A shopper with a name and a phone, as the account page would set them; the mark keeps each test's people apart.</summary>
    private async Task<(ApiShopper Shopper, string UserId)> ShopperAsync(string name, string? phone, string mark)
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        await using var db = app.Database.CreateContext();
        var user = await db.Users.SingleAsync(u => u.Email == shopper.Email);
        var email = $"{name.ToLowerInvariant().Replace(' ', '.')}.{mark}@example.com";
        await db.Users.Where(u => u.Id == user.Id).ExecuteUpdateAsync(s => s.SetProperty(u => u.DisplayName, $"{name} {mark}").SetProperty(u => u.PhoneNumber, phone)
            .SetProperty(u => u.Email, email).SetProperty(u => u.NormalizedEmail, email.ToUpperInvariant())
            .SetProperty(u => u.UserName, email).SetProperty(u => u.NormalizedUserName, email.ToUpperInvariant()));
        return (await ApiShopper.SignInAsync(app, email), user.Id);
    }

    private static async Task<List<string>> FindAsync(ApiShopper staff, string q) =>
        (await staff.GetAsync($"/v1/ops/customers?q={Uri.EscapeDataString(q)}")).GetProperty("items").EnumerateArray().Select(c => c.GetProperty("name").GetString()!).ToList();

    [Fact]
    public async Task SupportFindsACustomer_ByPartOfTheirName_EmailOrPhone_OrByAnOrderId()
    {
        var mark = Guid.NewGuid().ToString("N")[..8];
        var (ana, _) = await ShopperAsync("Ana Lima", "+12125550101", mark);
        await ShopperAsync("Diana Prince", null, mark);
        await ShopperAsync("Bob Stone", $"+1212555{Random.Shared.Next(1000, 9999)}", mark);
        var (support, _) = await TestStaff.ColleagueAsync(app, Roles.Support, Demo.Midtown);

        var byName = await FindAsync(support, $"ana");
        Assert.Contains($"Ana Lima {mark}", byName);
        Assert.Contains($"Diana Prince {mark}", byName); // a part of a word
        Assert.True(byName.IndexOf($"Ana Lima {mark}") < byName.IndexOf($"Diana Prince {mark}"), "a name that starts with it comes first");
        Assert.Equal([$"Ana Lima {mark}"], await FindAsync(support, $"LIMA {mark}"));   // any case
        Assert.Equal([$"Ana Lima {mark}"], await FindAsync(support, $"lima.{mark}@exa")); // part of the e-mail
        Assert.Contains($"Ana Lima {mark}", await FindAsync(support, "(212) 555-0101"));  // the phone as typed
        Assert.Empty(await FindAsync(support, $"zz{mark}"));
        Assert.Empty(await FindAsync(support, QCommerceApp.AdminEmail)); // colleagues are no customers
        Assert.DoesNotContain($"Ana Lima {mark}", await FindAsync(support, $"%{mark[..2]}_"));  // LIKE's wildcards are plain characters

        var (orderId, _) = await ana.PlaceOrderAsync(payment: "cod", skuOffset: 160);
        Assert.Equal([$"Ana Lima {mark}"], await FindAsync(support, orderId));
        Assert.Equal([$"Ana Lima {mark}"], await FindAsync(support, orderId["o_".Length..]));
        var row = (await support.GetAsync($"/v1/ops/customers?q={orderId}")).GetProperty("items")[0];
        Assert.Equal(1, row.GetProperty("orders").GetInt32());

        foreach (var bad in new[] { "a", "", " ", new string('x', 101) })
        {
            var problem = await ProblemAsync(await support.Http.GetAsync($"/v1/ops/customers?q={Uri.EscapeDataString(bad)}"), HttpStatusCode.UnprocessableEntity);
            Assert.True(problem.GetProperty("errors").TryGetProperty("q", out _));
        }
        Assert.Equal(HttpStatusCode.BadRequest, (await support.Http.GetAsync("/v1/ops/customers?q=an%00a")).StatusCode);

        var (picker, _) = await TestStaff.ColleagueAsync(app, Roles.Picker, Demo.Midtown);
        await ProblemAsync(await picker.Http.GetAsync("/v1/ops/customers?q=ana"), HttpStatusCode.Forbidden);
        await ProblemAsync(await ana.Http.GetAsync("/v1/ops/customers?q=ana"), HttpStatusCode.Forbidden);

        await using var db = app.Database.CreateContext();
        Assert.True(await db.AuditLog.AnyAsync(a => a.Action == "customer.search" && a.Note == orderId), "each search is audited with what was asked");
    }

    [Fact]
    public async Task ACustomersPage_ShowsTheirOrdersAtTheColleaguesStores_KeepsNotes_AndLocksTheAccount()
    {
        var mark = Guid.NewGuid().ToString("N")[..8];
        var (carla, carlaId) = await ShopperAsync("Carla Mendes", "+12125550177", mark);
        var (orderId, _) = await carla.PlaceOrderAsync(payment: "cod", skuOffset: 164);
        var (midtown, _) = await TestStaff.ColleagueAsync(app, Roles.Support, Demo.Midtown);
        var (downtown, _) = await TestStaff.ColleagueAsync(app, Roles.Support, Demo.Downtown);

        var seen = await midtown.GetAsync($"/v1/ops/customers/{carlaId}");
        Assert.Equal(($"Carla Mendes {mark}", "+12125550177"), (seen.GetProperty("name").GetString(), seen.GetProperty("phone").GetString()));
        Assert.Equal(orderId, seen.GetProperty("orders")[0].GetProperty("orderId").GetString());
        Assert.Equal(0, (await downtown.GetAsync($"/v1/ops/customers/{carlaId}")).GetProperty("orders").GetArrayLength()); // not their store's order
        await ProblemAsync(await midtown.Http.GetAsync($"/v1/ops/customers/{Guid.NewGuid()}"), HttpStatusCode.NotFound);
        // Another store's order id finds nobody: for a colleague of Downtown that order does not exist.
        Assert.Empty((await downtown.GetAsync($"/v1/ops/customers?q={orderId}")).GetProperty("items").EnumerateArray());
        Assert.Single((await midtown.GetAsync($"/v1/ops/customers?q={orderId}")).GetProperty("items").EnumerateArray());

        await ProblemAsync(await midtown.PostAsync($"/v1/ops/customers/{carlaId}/notes", new { text = "  " }, null), HttpStatusCode.UnprocessableEntity);
        var noted = await ApiShopper.JsonAsync(await midtown.PostAsync($"/v1/ops/customers/{carlaId}/notes", new { text = "Called: the bananas were bruised.\r\nRefunded them." }, null),
            HttpStatusCode.OK);
        Assert.Equal("Called: the bananas were bruised.\nRefunded them.", noted.GetProperty("notes")[0].GetProperty("text").GetString()); // lines kept
        await ProblemAsync(await midtown.PostAsync($"/v1/ops/customers/{carlaId}/notes", new { text = "bell\u0007" }, null), HttpStatusCode.UnprocessableEntity);
        Assert.DoesNotContain("bruised", await (await carla.Http.GetAsync("/v1/orders")).Content.ReadAsStringAsync()); // staff-only

        await ProblemAsync(await midtown.PostAsync($"/v1/ops/customers/{carlaId}/lock", new { reason = "" }, null), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(HttpStatusCode.NoContent, (await midtown.PostAsync($"/v1/ops/customers/{carlaId}/lock", new { reason = "Card fraud reported by the bank" }, null)).StatusCode);
        Assert.True((await midtown.GetAsync($"/v1/ops/customers/{carlaId}")).GetProperty("locked").GetBoolean());
        Assert.Equal(HttpStatusCode.Unauthorized, (await carla.Http.GetAsync("/v1/orders")).StatusCode); // signed out everywhere at once
        using (var http = app.CreateClient())
            Assert.NotEqual(HttpStatusCode.OK, (await http.PostAsJsonAsync("/v1/auth/login", new { email = carla.Email, password = "Groceries-2026" })).StatusCode);
        var lockShown = (await midtown.GetAsync($"/v1/ops/customers/{carlaId}")).GetProperty("lock");
        Assert.Equal("Card fraud reported by the bank", lockShown.GetProperty("reason").GetString()); // the next colleague knows why
        await ProblemAsync(await downtown.PostAsync($"/v1/ops/customers/{carlaId}/unlock", new { }, null), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(HttpStatusCode.NoContent, (await midtown.PostAsync($"/v1/ops/customers/{carlaId}/unlock", new { reason = "The bank withdrew it" }, null)).StatusCode);
        await ApiShopper.SignInAsync(app, carla.Email);

        // A colleague's account is not a customer's to lock.
        var (_, colleagueId) = await TestStaff.ColleagueAsync(app, Roles.Picker, Demo.Midtown);
        await ProblemAsync(await midtown.PostAsync($"/v1/ops/customers/{colleagueId}/lock", new { reason = "no" }, null), HttpStatusCode.NotFound);

        await using var db = app.Database.CreateContext();
        var audited = await db.AuditLog.Where(a => a.EntityId == carlaId).Select(a => a.Action).ToListAsync();
        foreach (var action in new[] { "customer.view", "customer.note", "customer.lock", "customer.unlock" }) Assert.Contains(action, audited);
        Assert.DoesNotContain(await db.AuditLog.Where(a => a.EntityId == carlaId).Select(a => a.EntityId).ToListAsync(), e => e.Contains('@'));
    }

    [Fact]
    public async Task Support_RefundsUpToItsLimit_AndNeitherSupportNorAPickerStepsOutsideTheirRole()
    {
        var (_, id, skus) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 168);
        var (support, _) = await TestStaff.ColleagueAsync(app, Roles.Support, Demo.Midtown);
        var (picker, _) = await TestStaff.ColleagueAsync(app, Roles.Picker, Demo.Midtown);
        var path = $"/v1/ops/orders/o_{id}";

        var tooMuch = await ProblemAsync(await support.PostAsync($"{path}/refunds", new { amount = 501, reason = "Late delivery" }, Guid.NewGuid().ToString()),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("Support gives back up to $5.00 on an order", tooMuch.GetProperty("errors").GetProperty("amount")[0].GetString());
        var within = await ApiShopper.JsonAsync(await support.PostAsync($"{path}/refunds", new { amount = 150, reason = "Late delivery" }, Guid.NewGuid().ToString()),
            HttpStatusCode.Created);
        Assert.Equal(150, within.GetProperty("amount").GetProperty("value").GetInt64());
        // The limit is the order's: two refunds under it do not add up to more (a probe split $86 into $50 + $36).
        var split = await ProblemAsync(await support.PostAsync($"{path}/refunds", new { amount = 351, reason = "Late delivery" }, Guid.NewGuid().ToString()),
            HttpStatusCode.UnprocessableEntity);
        Assert.Contains("$1.50 went back already", split.GetProperty("errors").GetProperty("amount")[0].GetString());
        await ApiShopper.JsonAsync(await support.PostAsync($"{path}/refunds", new { amount = 350, reason = "Late delivery" }, Guid.NewGuid().ToString()), HttpStatusCode.Created);

        await ProblemAsync(await support.PostAsync($"{path}/cancel", new { reason = "asked" }, null), HttpStatusCode.Forbidden);
        await ProblemAsync(await support.PostAsync($"{path}/start-picking", null, null), HttpStatusCode.Forbidden);
        await ProblemAsync(await support.Http.GetAsync("/v1/ops/products"), HttpStatusCode.Forbidden);
        await ProblemAsync(await picker.PostAsync($"{path}/refunds", new { amount = 100, reason = "x" }, Guid.NewGuid().ToString()), HttpStatusCode.Forbidden);
        await ProblemAsync(await picker.Http.GetAsync("/v1/ops/orders"), HttpStatusCode.Forbidden);
        Assert.Equal($"o_{id}", (await picker.GetAsync(path)).GetProperty("orderId").GetString()); // the pick list is made of the order
        var detail = await support.GetAsync(path);
        Assert.Contains(skus[0], detail.GetProperty("lines").EnumerateArray().Select(l => int.Parse(l.GetProperty("skuId").GetString()!["sku_".Length..])));
    }
}

/// <summary>The app with Support's refund limit at $5.00, below a demo order's total, so both sides of it can be tried.</summary>
public sealed class SupportLimitedApp<TProvider>() : QCommerceApp(TProvider.Provider, new Dictionary<string, string?> { ["Payments:SupportRefundLimitMinor"] = "500" })
    where TProvider : IProviderChoice;

public interface IProviderChoice
{
    static abstract DatabaseProvider Provider { get; }
}

public sealed class OnSqlite : IProviderChoice
{
    public static DatabaseProvider Provider => DatabaseProvider.Sqlite;
}

public sealed class OnPostgres : IProviderChoice
{
    public static DatabaseProvider Provider => DatabaseProvider.Postgres;
}

public sealed class SqliteCustomerSupportTests(SupportLimitedApp<OnSqlite> app) : CustomerSupportTests(app), IClassFixture<SupportLimitedApp<OnSqlite>>;

public sealed class PostgresCustomerSupportTests(SupportLimitedApp<OnPostgres> app) : CustomerSupportTests(app), IClassFixture<SupportLimitedApp<OnPostgres>>;
