using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Ops;
using QCommerce.Core.Ordering;

namespace QCommerce.Tests.Ops;

/// <summary>
/// What ops reads, on the real app and each provider: the audit log through /v1/ops/audit (filters, store scopes), the
/// orders CSV (the grid's filter, scopes, cells a spreadsheet would run defused), the dashboard's figures, the outbox's
/// "retry now".
/// </summary>
public abstract class OpsReportsTests(QCommerceApp app)
{
    private Task<ApiShopper> AdminAsync() => ApiShopper.SignInAsync(app, QCommerceApp.AdminEmail, QCommerceApp.AdminPassword);

    private async Task<ApiShopper> ColleagueAsync(int store) => (await TestStaff.ColleagueAsync(app, store)).Client;

    [Fact]
    public async Task TheAuditLog_FiltersByEntityAndAction_AndAScopedReaderSeesOnlyTheirStores()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 150); // Midtown
        var admin = await AdminAsync();
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/v1/ops/orders/{orderId}/notes", new { text = "Ring twice" }, null)).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync($"/v1/ops/orders/{orderId}/confirm", null, null)).StatusCode);

        var forOrder = await admin.GetAsync($"/v1/ops/audit?entity={orderId}");
        Assert.Equal(["order.confirm", "order.note"], forOrder.GetProperty("items").EnumerateArray().Select(e => e.GetProperty("action").GetString()));
        var notes = await admin.GetAsync($"/v1/ops/audit?entity={orderId}&action=order.note");
        Assert.Equal("Ring twice", Assert.Single(notes.GetProperty("items").EnumerateArray()).GetProperty("note").GetString());
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.GetAsync("/v1/ops/audit?action=order.delete")).StatusCode);

        var downtown = await ColleagueAsync(Demo.Downtown);
        Assert.Empty((await downtown.GetAsync($"/v1/ops/audit?entity={orderId}")).GetProperty("items").EnumerateArray());
        var midtown = await ColleagueAsync(Demo.Midtown);
        Assert.Equal(2, (await midtown.GetAsync($"/v1/ops/audit?entity={orderId}")).GetProperty("items").GetArrayLength());
        // Staff accounts are no store's: only admins read those rows.
        Assert.Empty((await midtown.GetAsync("/v1/ops/audit?entity=staff")).GetProperty("items").EnumerateArray());
        Assert.NotEmpty((await admin.GetAsync("/v1/ops/audit?entity=staff")).GetProperty("items").EnumerateArray());
    }

    [Fact]
    public async Task TheOrdersCsv_IsTheFilteredList_WithinTheReadersStores()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (first, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 152);
        var (second, _) = await shopper.PlaceOrderAsync(skuOffset: 152);
        var admin = await AdminAsync();
        var path = $"/ops/orders/export.csv?q={Uri.EscapeDataString(shopper.Email)}";

        var response = await admin.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal("text/csv", response.Content.Headers.ContentType?.MediaType);
        var lines = (await response.Content.ReadAsStringAsync()).Split('\n', StringSplitOptions.RemoveEmptyEntries).Select(l => l.TrimEnd('\r')).ToList();
        Assert.Equal("orderId,status,store,placedAtUtc,customerEmail,paymentMethod,items,total,currency", lines[0]);
        Assert.Equal([second, first], lines.Skip(1).Select(l => l.Split(',')[0]));
        Assert.StartsWith($"{first},pendingConfirmation,Midtown,", lines[2]);

        var cod = await (await admin.Http.GetAsync(path + "&method=cod")).Content.ReadAsStringAsync();
        Assert.Contains(first, cod);
        Assert.DoesNotContain(second, cod);
        var downtown = await ColleagueAsync(Demo.Downtown);
        var theirs = await downtown.Http.GetAsync(path);
        Assert.Equal(HttpStatusCode.OK, theirs.StatusCode);
        Assert.DoesNotContain(first, await theirs.Content.ReadAsStringAsync());
        Assert.Equal(HttpStatusCode.Forbidden, (await shopper.Http.GetAsync(path)).StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, (await downtown.Http.GetAsync(path + "&store=st_2")).StatusCode);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.GetAsync(path + "&state=bogus")).StatusCode);
    }

    [Fact]
    public async Task TheDashboard_CountsTodaysOrders_ForTheStoreAsked()
    {
        var admin = await AdminAsync();
        var before = await admin.GetAsync("/v1/ops/dashboard?storeId=st_2");
        var shopper = await ApiShopper.SignUpAsync(app);
        await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 154);

        var after = await admin.GetAsync("/v1/ops/dashboard?storeId=st_2");
        Assert.Equal(before.GetProperty("orders").GetInt32() + 1, after.GetProperty("orders").GetInt32());
        Assert.Equal(24, after.GetProperty("ordersPerHour").GetArrayLength());
        Assert.Equal(14, after.GetProperty("gmvPerDay").GetArrayLength());
        Assert.True(after.GetProperty("openByState").GetProperty("pendingConfirmation").GetInt32() >= 1);
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.Http.GetAsync("/v1/ops/dashboard?storeId=o_1")).StatusCode);
        var other = await ColleagueAsync(Demo.Downtown);
        Assert.Equal(HttpStatusCode.NotFound, (await other.Http.GetAsync("/v1/ops/dashboard?storeId=st_2")).StatusCode); // not their store
    }

    [Fact]
    public async Task RetryNow_SkipsAFailingMessagesBackoff_IsAudited_AndIsForAdminsOnly()
    {
        long id;
        await using (var db = app.Database.CreateContext())
        {
            // Written already failing and waiting an hour, in one save: the app's dispatcher must not deliver it first.
            Outbox.Enqueue(db, "TestNobodyHandles", "o_0", new { test = true }, DateTime.UtcNow);
            var entry = db.ChangeTracker.Entries<OutboxMessage>().Single(e => e.Entity.Type == "TestNobodyHandles" && e.State == EntityState.Added);
            entry.Property(m => m.Attempts).CurrentValue = 3;
            entry.Property(m => m.LastError).CurrentValue = "handler exploded";
            entry.Property(m => m.NextAttemptAtUtc).CurrentValue = DateTime.UtcNow.AddHours(1);
            await db.SaveChangesAsync();
            id = entry.Entity.Id;
        }
        var monitor = app.Services.GetRequiredService<OutboxMonitor>();
        var health = await monitor.ReadAsync(TestStaff.Admin);
        Assert.Contains(health.Troubles, t => t.Id == id && t.LastError == "handler exploded");
        await Assert.ThrowsAsync<AccessDeniedException>(() => monitor.ReadAsync(TestStaff.ScopedTo(Demo.Midtown)));

        await monitor.RetryNowAsync(TestStaff.Admin, id);

        await using (var db = app.Database.CreateContext())
        {
            var message = await db.OutboxMessages.AsNoTracking().SingleAsync(m => m.Id == id);
            Assert.True(message.ProcessedAtUtc is not null || message.NextAttemptAtUtc <= DateTime.UtcNow.AddSeconds(1));
            Assert.Equal(1, await db.AuditLog.CountAsync(a => a.Action == AuditActions.OutboxRetry && a.EntityId == $"TestNobodyHandles:{id}"));
        }
        await Assert.ThrowsAsync<NotFoundException>(() => monitor.RetryNowAsync(TestStaff.Admin, long.MaxValue));
    }
}

public sealed class SqliteOpsReportsTests(SqliteApp app) : OpsReportsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresOpsReportsTests(PostgresApp app) : OpsReportsTests(app), IClassFixture<PostgresApp>;
