using System.Net;
using System.Net.Http.Json;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Identity;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Identity;
using QCommerce.Tests.Fulfillment;

namespace QCommerce.Tests.Api;

/// <summary>
/// /v1/ops over real HTTP on each provider: staff bearer tokens only (a shopper's is 403, a locked colleague's stops
/// working at once), an order of another store is 404 for a scoped colleague, illegal moves are 409 naming the state,
/// bad input names its field, refunds take an Idempotency-Key and replay it.
/// </summary>
public abstract class OpsApiTests(QCommerceApp app)
{
    private Task<ApiShopper> AdminAsync() => ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);

    private Task<(ApiShopper Client, string UserId)> ColleagueAsync(params int[] stores) => TestStaff.ColleagueAsync(app, stores);

    private static async Task<System.Text.Json.JsonElement> ProblemAsync(HttpResponseMessage response, HttpStatusCode expected)
    {
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        return await ApiShopper.JsonAsync(response, expected);
    }

    [Fact]
    public async Task AShoppersToken_IsForbidden_OnEveryOpsRoute()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 110);
        Assert.Equal(HttpStatusCode.Forbidden, (await shopper.Http.GetAsync("/v1/ops/orders")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await shopper.Http.GetAsync($"/v1/ops/orders/{orderId}")).StatusCode);
        Assert.Equal(HttpStatusCode.Forbidden, (await shopper.PostAsync($"/v1/ops/orders/{orderId}/cancel", new { reason = "mine" }, null)).StatusCode);
        using var anonymous = app.CreateClient();
        Assert.Equal(HttpStatusCode.Unauthorized, (await anonymous.GetAsync("/v1/ops/orders")).StatusCode);
    }

    [Fact]
    public async Task TheOrdersList_FiltersAndPagesByCursor_WithoutRepeatingARow()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var mine = new List<string>();
        for (var i = 0; i < 3; i++) mine.Add((await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 112)).OrderId);
        var admin = await AdminAsync();
        var email = (await shopper.GetAsync("/v1/auth/manage/info")).GetProperty("email").GetString();

        var first = await admin.GetAsync($"/v1/ops/orders?email={Uri.EscapeDataString(email!)}&pageSize=2");
        var second = await admin.GetAsync($"/v1/ops/orders?email={Uri.EscapeDataString(email!)}&pageSize=2&cursor={first.GetProperty("nextCursor").GetString()}");

        var seen = first.GetProperty("items").EnumerateArray().Concat(second.GetProperty("items").EnumerateArray()).Select(o => o.GetProperty("orderId").GetString()).ToList();
        Assert.Equal(mine.AsEnumerable().Reverse(), seen); // newest first, each once
        Assert.Equal(System.Text.Json.JsonValueKind.Null, second.GetProperty("nextCursor").ValueKind);
        var row = first.GetProperty("items")[0];
        Assert.Equal(("pendingConfirmation", "cod", "st_2", email), (row.GetProperty("status").GetString(), row.GetProperty("paymentMethod").GetString(),
            row.GetProperty("storeId").GetString(), row.GetProperty("customerEmail").GetString()));

        var filtered = await admin.GetAsync($"/v1/ops/orders?state=paid&storeId=st_2&email={Uri.EscapeDataString(email!)}");
        Assert.Empty(filtered.GetProperty("items").EnumerateArray());
        var bad = await ProblemAsync(await admin.Http.GetAsync("/v1/ops/orders?state=shipped&storeId=p_1&pageSize=0&cursor=abc&paymentMethod=cheque"), HttpStatusCode.BadRequest);
        foreach (var field in new[] { "state", "storeId", "pageSize", "paymentMethod" }) Assert.True(bad.GetProperty("errors").TryGetProperty(field, out _), field);
        var cursor = await admin.Http.GetAsync("/v1/ops/orders?cursor=abc");
        Assert.Equal(HttpStatusCode.UnprocessableEntity, cursor.StatusCode);
    }

    [Fact]
    public async Task APaidOrder_IsPickedShortDispatchedAndDelivered_ThroughTheApi()
    {
        var (shopper, id, skus) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 114);
        var admin = await AdminAsync();
        var path = $"/v1/ops/orders/o_{id}";

        // What the rider needs at the door comes with the order.
        var contact = (await ApiShopper.JsonAsync(await admin.Http.GetAsync(path), HttpStatusCode.OK)).GetProperty("address");
        Assert.Equal("+12125550142", contact.GetProperty("phone").GetString());
        Assert.Equal(ApiShopper.RiderNote, contact.GetProperty("instructions").GetString());

        var early = await ProblemAsync(await admin.PostAsync($"{path}/dispatch", new { riderName = "Sam" }, null), HttpStatusCode.Conflict);
        Assert.Contains("Paid", early.GetProperty("detail").GetString());
        var started = await ApiShopper.JsonAsync(await admin.PostAsync($"{path}/start-picking", null, null), HttpStatusCode.OK);
        Assert.Equal("picking", started.GetProperty("status").GetString());
        var again = await ProblemAsync(await admin.PostAsync($"{path}/start-picking", null, null), HttpStatusCode.Conflict);
        Assert.Contains("already being picked", again.GetProperty("detail").GetString());

        var badPick = await ProblemAsync(await admin.PostAsync($"{path}/pick", new { lines = new object[] { new { skuId = $"p_{skus[0]}", pickedQty = 1 }, new { skuId = $"sku_{skus[1]}" } } }, null),
            HttpStatusCode.BadRequest);
        Assert.True(badPick.GetProperty("errors").TryGetProperty("lines[0].skuId", out _));
        Assert.True(badPick.GetProperty("errors").TryGetProperty("lines[1].pickedQty", out _));
        var picked = await ApiShopper.JsonAsync(await admin.PostAsync($"{path}/pick",
            new { lines = new object[] { new { skuId = $"sku_{skus[0]}", pickedQty = 1 }, new { skuId = $"sku_{skus[1]}", pickedQty = 1 } } }, null), HttpStatusCode.OK);
        Assert.Equal(1, picked.GetProperty("shortUnits").GetInt32());
        Assert.Equal(0, picked.GetProperty("refund").GetProperty("value").GetInt64()); // the card held the money: what was picked is charged, nothing refunded
        Assert.Equal(picked.GetProperty("total").GetProperty("value").GetInt64(), picked.GetProperty("charge").GetProperty("value").GetInt64());
        await FulfillmentServiceTests.ChargedAsync(app, id);

        var noRider = await ProblemAsync(await admin.PostAsync($"{path}/dispatch", new { riderName = "" }, null), HttpStatusCode.UnprocessableEntity);
        Assert.True(noRider.GetProperty("errors").TryGetProperty("riderName", out _));
        Assert.Equal("outForDelivery", (await ApiShopper.JsonAsync(await admin.PostAsync($"{path}/dispatch", new { riderName = "Sam" }, null), HttpStatusCode.OK))
            .GetProperty("status").GetString());
        Assert.Equal("delivered", (await ApiShopper.JsonAsync(await admin.PostAsync($"{path}/deliver", new { }, null), HttpStatusCode.OK)).GetProperty("status").GetString());

        var detail = await admin.GetAsync(path);
        Assert.Equal(1, detail.GetProperty("lines").EnumerateArray().Single(l => l.GetProperty("skuId").GetString() == $"sku_{skus[0]}").GetProperty("shortQty").GetInt32());
        Assert.Equal("Sam", detail.GetProperty("pick").GetProperty("riderName").GetString());
        Assert.Contains("refund", detail.GetProperty("actions").EnumerateArray().Select(a => a.GetString()));
        Assert.Equal("delivered", (await shopper.GetAsync($"/v1/orders/o_{id}")).GetProperty("status").GetString());
    }

    [Fact]
    public async Task ARefund_NeedsAnIdempotencyKey_ReplaysIt_AndRefusesMoreThanIsLeft()
    {
        var (_, id, skus) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 116);
        var admin = await AdminAsync();
        var path = $"/v1/ops/orders/o_{id}/refunds";
        var body = new { lines = new object[] { new { skuId = $"sku_{skus[1]}", qty = 1 } }, restock = true, reason = "Damaged" };

        await ProblemAsync(await admin.PostAsync(path, body, null), HttpStatusCode.BadRequest);
        var key = Guid.NewGuid().ToString();
        var first = await admin.PostAsync(path, body, key);
        var created = await ApiShopper.JsonAsync(first, HttpStatusCode.Created);
        var replay = await admin.PostAsync(path, body, key);
        Assert.Equal(created.GetProperty("refundId").GetString(), (await ApiShopper.JsonAsync(replay, HttpStatusCode.Created)).GetProperty("refundId").GetString());
        Assert.True(replay.Headers.Contains("Idempotent-Replayed"));
        await ProblemAsync(await admin.PostAsync(path, new { amount = 1, reason = "other body" }, key), HttpStatusCode.UnprocessableEntity);

        var left = created.GetProperty("refundableAfter").GetProperty("value").GetInt64();
        var tooMuch = await ProblemAsync(await admin.PostAsync(path, new { amount = left + 1, reason = "All" }, Guid.NewGuid().ToString()), HttpStatusCode.UnprocessableEntity);
        Assert.Contains("can still be refunded", tooMuch.GetProperty("errors").GetProperty("amount")[0].GetString());
        var malformed = await ProblemAsync(await admin.PostAsync(path, new { amount = "lots", reason = "x" }, Guid.NewGuid().ToString()), HttpStatusCode.BadRequest);
        Assert.False(string.IsNullOrEmpty(malformed.GetProperty("detail").GetString()));
    }

    [Fact]
    public async Task ThePickListsTicks_AreSavedOneByOne_ThroughTheApi_AndBadTicksAreRefused()
    {
        var (_, id, skus) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 121);
        var admin = await AdminAsync();
        var path = $"/v1/ops/orders/o_{id}";
        await ProblemAsync(await admin.Http.PutAsJsonAsync($"{path}/pick/sku_{skus[0]}", new { found = 1 }), HttpStatusCode.Conflict); // not being picked yet
        await ApiShopper.JsonAsync(await admin.PostAsync($"{path}/start-picking", null, null), HttpStatusCode.OK);

        await ApiShopper.JsonAsync(await admin.Http.PutAsJsonAsync($"{path}/pick/sku_{skus[0]}", new { found = 1 }), HttpStatusCode.OK);
        var ticks = (await admin.GetAsync(path)).GetProperty("pick").GetProperty("ticks");
        Assert.Equal(($"sku_{skus[0]}", 1), (ticks[0].GetProperty("skuId").GetString(), ticks[0].GetProperty("found").GetInt32()));

        var none = await ProblemAsync(await admin.Http.PutAsJsonAsync($"{path}/pick/sku_{skus[0]}", new { }), HttpStatusCode.BadRequest);
        Assert.True(none.GetProperty("errors").TryGetProperty("found", out _)); // an empty body never unticks by accident
        var tooMany = await ProblemAsync(await admin.Http.PutAsJsonAsync($"{path}/pick/sku_{skus[0]}", new { found = 3 }), HttpStatusCode.UnprocessableEntity);
        Assert.True(tooMany.GetProperty("errors").TryGetProperty("found", out _));
        await ProblemAsync(await admin.Http.PutAsJsonAsync($"{path}/pick/sku_{skus[0]}", new { found = -1 }), HttpStatusCode.UnprocessableEntity);
        await ProblemAsync(await admin.Http.PutAsJsonAsync($"{path}/pick/sku_999999", new { found = 1 }), HttpStatusCode.UnprocessableEntity);
        Assert.Equal(1, (await admin.GetAsync(path)).GetProperty("pick").GetProperty("ticks")[0].GetProperty("found").GetInt32()); // nothing moved

        // Nothing is refunded before the card is charged at the end of the pick: a unit not wanted is marked short instead.
        await ProblemAsync(await admin.PostAsync($"{path}/refunds", new { lines = new[] { new { skuId = $"sku_{skus[1]}", qty = 1 } }, reason = "Out of date" },
            Guid.NewGuid().ToString()), HttpStatusCode.Conflict);
        await ApiShopper.JsonAsync(await admin.Http.PutAsJsonAsync($"{path}/pick/sku_{skus[1]}", new { found = 0 }), HttpStatusCode.OK);

        Assert.Equal(HttpStatusCode.OK, (await admin.Http.DeleteAsync($"{path}/pick/sku_{skus[0]}")).StatusCode);
        var left = Assert.Single((await admin.GetAsync(path)).GetProperty("pick").GetProperty("ticks").EnumerateArray()); // the other line's, as ticked
        Assert.Equal(($"sku_{skus[1]}", 0), (left.GetProperty("skuId").GetString(), left.GetProperty("found").GetInt32()));
        var (elsewhere, _) = await ColleagueAsync(Demo.Downtown);
        await ProblemAsync(await elsewhere.Http.PutAsJsonAsync($"{path}/pick/sku_{skus[0]}", new { found = 1 }), HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task AScopedColleague_GetsNotFound_ForAnotherStoresOrder_AndIsLockedOutAtOnce()
    {
        var (_, id, _) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 118);
        var (downtown, userId) = await ColleagueAsync(Demo.Downtown);
        await ProblemAsync(await downtown.Http.GetAsync($"/v1/ops/orders/o_{id}"), HttpStatusCode.NotFound);
        await ProblemAsync(await downtown.PostAsync($"/v1/ops/orders/o_{id}/start-picking", null, null), HttpStatusCode.NotFound);
        Assert.DoesNotContain((await downtown.GetAsync("/v1/ops/orders?pageSize=200")).GetProperty("items").EnumerateArray(), o => o.GetProperty("orderId").GetString() == $"o_{id}");
        var (midtown, _) = await ColleagueAsync(Demo.Midtown);
        Assert.Equal("paid", (await midtown.GetAsync($"/v1/ops/orders/o_{id}")).GetProperty("status").GetString());

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<StaffService>().LockAsync(TestStaff.Admin, userId);
        await ProblemAsync(await downtown.Http.GetAsync("/v1/ops/orders"), HttpStatusCode.Unauthorized); // signed out everywhere
    }

    private List<(HttpMethod Method, string Path)> OpsRoutes() => Support.OpsRoutes.All(app.Services).Select(r => (r.Method, r.Path)).ToList();

    [Fact]
    public async Task ALockedColleaguesToken_IsRefusedAtOnce_OnEveryOpsRoute_ReadsIncluded()
    {
        var (colleague, userId) = await ColleagueAsync(Demo.Downtown);
        var routes = OpsRoutes();
        Assert.True(routes.Count >= 40, $"only {routes.Count} /v1/ops routes found");
        Assert.Equal(HttpStatusCode.OK, (await colleague.Http.GetAsync("/v1/ops/products")).StatusCode); // a read that worked before

        await using (var scope = app.Services.CreateAsyncScope())
            await scope.ServiceProvider.GetRequiredService<StaffService>().LockAsync(TestStaff.Admin, userId);

        var let = new List<string>();
        foreach (var (method, path) in routes)
        {
            using var request = new HttpRequestMessage(method, path) { Content = Support.OpsRoutes.BodyFor(method, path) };
            request.Headers.Add("Idempotency-Key", Guid.NewGuid().ToString());
            var answer = await colleague.Http.SendAsync(request);
            // The lock changed their security stamp: the token is no sign-in any more, on every route.
            if (answer.StatusCode != HttpStatusCode.Unauthorized) let.Add($"{method} {path}: {(int)answer.StatusCode}");
        }
        Assert.True(let.Count == 0, $"a locked colleague's unexpired token still got through:\n{string.Join("\n", let)}");
    }

    [Fact]
    public async Task ADemotedAdmin_SaysItsStores_LosesTheAdminRoutesAtOnce_AndSeesOnlyThoseStores()
    {
        var admin = await AdminAsync();
        var (_, orderId, _) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 119); // a Midtown order
        var email = $"second-admin-{Guid.NewGuid():N}@qcommerce.test";
        var created = await ApiShopper.JsonAsync(await admin.PostAsync("/v1/ops/staff", new { email, displayName = "Sam Second", role = "Admin", stores = Array.Empty<string>() }, null),
            HttpStatusCode.Created);
        var userId = created.GetProperty("member").GetProperty("userId").GetString()!;
        Assert.Equal(email, created.GetProperty("invitationSentTo").GetString());
        await Inbox.AcceptInvitationAsync(app, email);
        var second = await ApiShopper.SignInAsync(app, email, Inbox.ColleaguePassword);
        Assert.Equal(HttpStatusCode.OK, (await second.Http.GetAsync("/v1/ops/staff")).StatusCode);
        using var browser = app.CreateClient();
        var signedIn = await Forms.PostAsync(browser, "/account/login", "/account/login", new Dictionary<string, string>
        {
            ["_handler"] = "login", ["Input.Email"] = email, ["Input.Password"] = Inbox.ColleaguePassword,
        });
        Assert.Equal(HttpStatusCode.Redirect, signedIn.StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await browser.GetAsync("/ops/staff")).StatusCode);

        // "Make Ops" says which stores: none is refused, not read as every store.
        var none = await ProblemAsync(await admin.Http.PutAsJsonAsync($"/v1/ops/staff/{userId}", new { role = "Ops", stores = Array.Empty<string>() }), HttpStatusCode.UnprocessableEntity);
        Assert.True(none.GetProperty("errors").TryGetProperty("stores", out _));
        var changed = await ApiShopper.JsonAsync(await admin.Http.PutAsJsonAsync($"/v1/ops/staff/{userId}", new { role = "Ops", stores = new[] { "st_1" } }), HttpStatusCode.OK);
        Assert.Equal(("Ops", "st_1"), (changed.GetProperty("role").GetString(), changed.GetProperty("stores")[0].GetString()));

        // The token and the cookie they already hold: refused on the admin routes and pages at once, a clean refusal, never a 500.
        await ProblemAsync(await second.Http.GetAsync("/v1/ops/staff"), HttpStatusCode.Forbidden);
        var page = await browser.GetAsync("/ops/staff");
        Assert.NotEqual(HttpStatusCode.InternalServerError, page.StatusCode);
        Assert.Contains("access-denied", page.StatusCode == HttpStatusCode.Redirect ? page.Headers.Location!.ToString() : "access-denied" + await page.Content.ReadAsStringAsync());
        Assert.NotEqual(HttpStatusCode.InternalServerError, (await browser.GetAsync("/ops/outbox")).StatusCode);
        // As Ops they see their one store and nothing else.
        await ProblemAsync(await second.Http.GetAsync($"/v1/ops/orders/o_{orderId}"), HttpStatusCode.NotFound);
        Assert.Equal(HttpStatusCode.OK, (await second.Http.GetAsync("/v1/ops/orders")).StatusCode);
        var listed = await admin.GetAsync("/v1/ops/staff");
        Assert.Contains(listed.EnumerateArray(), m => m.GetProperty("userId").GetString() == userId && m.GetProperty("role").GetString() == "Ops");
    }

    [Fact]
    public async Task TheStaffRoutes_AreForAdmins_AndLockAndUnlockThroughTheApi()
    {
        var admin = await AdminAsync();
        var email = $"pat-{Guid.NewGuid():N}@qcommerce.test";
        var created = await ApiShopper.JsonAsync(await admin.PostAsync("/v1/ops/staff", new { email, displayName = "Pat Picker", role = "Ops", stores = new[] { "st_2" } }, null),
            HttpStatusCode.Created);
        var (userId, password) = (created.GetProperty("member").GetProperty("userId").GetString()!, Inbox.ColleaguePassword);
        // "Send password link" before they chose one sends the invitation again; after, a reset link. Admins only.
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/v1/ops/staff/{userId}/password-link", null, null)).StatusCode);
        await Eventually.Async(async () =>
        {
            await using var db = app.Database.CreateContext();
            return await db.OutgoingMail.CountAsync(m => m.To == email && m.Kind == Core.Messages.MailKind.StaffInvitation);
        }, n => n == 2, "a second invitation");
        await Inbox.AcceptInvitationAsync(app, email);
        var colleague = await ApiShopper.SignInAsync(app, email, password);
        await ProblemAsync(await colleague.PostAsync($"/v1/ops/staff/{userId}/password-link", null, null), HttpStatusCode.Forbidden);
        Assert.Equal(HttpStatusCode.Accepted, (await admin.PostAsync($"/v1/ops/staff/{userId}/password-link", null, null)).StatusCode);
        await Inbox.AwaitAsync(app, email, Core.Messages.MailKind.PasswordReset);
        await using (var db = app.Database.CreateContext())
            Assert.Equal(2, await db.AuditLog.CountAsync(a => a.Action == Core.Common.AuditActions.StaffPasswordLink && a.EntityId == email));
        await ProblemAsync(await colleague.Http.GetAsync("/v1/ops/staff"), HttpStatusCode.Forbidden);
        await ProblemAsync(await colleague.PostAsync("/v1/ops/staff", new { email = "x@qcommerce.test", displayName = "X", role = "Admin", stores = new[] { "st_1" } }, null),
            HttpStatusCode.Forbidden);
        var bad = await ProblemAsync(await admin.PostAsync("/v1/ops/staff", new { email = "nope", displayName = "", role = "Owner", stores = new[] { "p_1" } }, null),
            HttpStatusCode.BadRequest);
        Assert.True(bad.GetProperty("errors").TryGetProperty("stores[0]", out _));
        var unknown = await ProblemAsync(await admin.PostAsync("/v1/ops/staff", new { email = "nope", displayName = "", role = "Owner", stores = new[] { "st_999" } }, null),
            HttpStatusCode.UnprocessableEntity);
        foreach (var field in new[] { "email", "displayName", "role", "stores" }) Assert.True(unknown.GetProperty("errors").TryGetProperty(field, out _), field);

        var locked = await ApiShopper.JsonAsync(await admin.PostAsync($"/v1/ops/staff/{userId}/lock", null, null), HttpStatusCode.OK);
        Assert.True(locked.GetProperty("locked").GetBoolean());
        await ProblemAsync(await colleague.Http.GetAsync("/v1/ops/orders"), HttpStatusCode.Unauthorized);
        var unlocked = await ApiShopper.JsonAsync(await admin.PostAsync($"/v1/ops/staff/{userId}/unlock", null, null), HttpStatusCode.OK);
        Assert.False(unlocked.GetProperty("locked").GetBoolean());
        // A lock signs them out everywhere: the token issued before it stays dead after the unlock; a new sign-in works.
        await ProblemAsync(await colleague.Http.GetAsync("/v1/ops/orders"), HttpStatusCode.Unauthorized);
        var again = await ApiShopper.SignInAsync(app, email, password);
        Assert.Equal(HttpStatusCode.OK, (await again.Http.GetAsync("/v1/ops/orders")).StatusCode);
        // An admin sees every store: stores sent with the role are refused, not dropped.
        var adminWithStores = await ProblemAsync(await admin.Http.PutAsJsonAsync($"/v1/ops/staff/{userId}", new { role = "Admin", stores = new[] { "st_1" } }),
            HttpStatusCode.UnprocessableEntity);
        Assert.True(adminWithStores.GetProperty("errors").TryGetProperty("stores", out _));
        await ProblemAsync(await admin.PostAsync("/v1/ops/staff/no-such-user/lock", null, null), HttpStatusCode.NotFound);
    }

    [Theory]
    [InlineData("/v1/ops/orders?email=a%00b@example.com", "email")]
    [InlineData("/v1/ops/audit?entity=order%00&staff=x", "entity")]
    [InlineData("/v1/ops/audit?staff=adm%00in", "staff")]
    [InlineData("/v1/ops/products?query=milk%00", "query")]
    [InlineData("/v1/ops/stores/st_2/stock?q=%00", "q")]
    [InlineData("/v1/ops/stores/st_2/stock?q=milk%1B%5B31m", "q")]
    [InlineData("/v1/products?query=%E2%80%AEklim", "query")]
    public async Task ATextFilterWithAControlCharacter_IsA400ThatNamesIt_OnEveryProvider(string path, string field)
    {
        var admin = await AdminAsync();
        var problem = await ProblemAsync(await admin.Http.GetAsync(path), HttpStatusCode.BadRequest);
        Assert.Contains("control characters", problem.GetProperty("errors").GetProperty(field)[0].GetString());
        // The same filter without it is answered.
        Assert.Equal(HttpStatusCode.OK, (await admin.Http.GetAsync(path.Replace("%00", "").Replace("%1B%5B31m", "").Replace("%E2%80%AE", ""))).StatusCode);
    }

    [Fact]
    public async Task ThePortalsFilterBoxes_IgnoreAPastedControlCharacter_OnEveryProvider()
    {
        // The portal's filters are typed into a live page and reach the queries without a query string to check.
        var admin = TestStaff.Admin;
        var products = app.Services.GetRequiredService<QCommerce.Core.Catalog.OpsProductQueries>();
        var pasted = await products.ListAsync(new(Text: "mi\0lk\u202E"), 1, 20);
        Assert.Equal((await products.ListAsync(new(Text: "milk"), 1, 20)).Total, pasted.Total);
        Assert.True(pasted.Total > 0);
        var stock = await app.Services.GetRequiredService<QCommerce.Core.Inventory.StockQueries>().ListAsync(admin, 2, new(Text: "mi\0lk"), null);
        Assert.NotEmpty(stock.Items);
        await app.Services.GetRequiredService<QCommerce.Core.Ops.AuditQueries>().ListAsync(admin, new(Staff: "adm\0in", Entity: "order\0"), null);
        await app.Services.GetRequiredService<QCommerce.Core.Ops.OpsOrderQueries>().ListAsync(admin, new(CustomerEmail: "a\0b@example.com"), null, 20);
    }
}

public sealed class SqliteOpsApiTests(SqliteApp app) : OpsApiTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresOpsApiTests(PostgresApp app) : OpsApiTests(app), IClassFixture<PostgresApp>;
