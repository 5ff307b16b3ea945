using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Ordering;

namespace QCommerce.Tests.Ordering;

/// <summary>
/// One ASAP promise, worked out in one place (DeliveryPromises): the header's chip, the home page, /v1/stores and the order
/// placed next all say the same time, queue included (the walkthrough found "15 min" in the header and 45 more at checkout).
/// </summary>
public sealed class DeliveryPromiseTests(SqliteApp app) : IClassFixture<SqliteApp>
{
    [Fact]
    public async Task TheHeader_TheHomePage_TheStoresApi_AndTheNextOrder_PromiseTheSameTime()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 60); // a queue at Midtown, open day and night
        await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 62);
        int queued;
        await using (var db = app.Database.CreateContext())
            queued = await db.Orders.CountAsync(o => o.StoreId == 2 && o.DeliveryKind == DeliveryKind.Asap
                && (o.Status == OrderStatus.PendingConfirmation || o.Status == OrderStatus.Confirmed || o.Status == OrderStatus.Paid || o.Status == OrderStatus.Picking));
        var expected = 12 + queued * 2; // Midtown's base time and two minutes an order waiting
        Assert.True(queued >= 2);

        var store = await shopper.GetAsync("/v1/stores/st_2");
        Assert.Equal(expected, store.GetProperty("etaMinutes").GetInt32());

        using var browser = app.CreateClient();
        using var home = new HttpRequestMessage(HttpMethod.Get, "/");
        home.Headers.Add("Cookie", "qc_store=2");
        var page = await (await browser.SendAsync(home)).Content.ReadAsStringAsync();
        Assert.Contains($"<span data-testid=\"delivery-estimate\">{expected} min</span>", page);          // the header's chip
        Assert.Contains($"<span data-testid=\"delivery-estimate\">about {expected} minutes</span>", page); // the home page

        var (orderId, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 64);
        var order = await shopper.GetAsync($"/v1/orders/{orderId}");
        var promised = order.GetProperty("delivery").GetProperty("by").GetDateTime() - order.GetProperty("createdAt").GetDateTime();
        Assert.InRange(promised.TotalMinutes, expected - 1, expected + 0.1);
    }

    [Fact]
    public async Task AClosedStore_PromisesFromItsOpening_InTheStoresOwnClock()
    {
        // Downtown opens at 7:00 and closes at 23:00 in New York: whichever it is now, the promise says so.
        var promise = await app.Services.GetRequiredService<DeliveryPromises>().AsapAsync(1);
        var store = await app.Services.GetRequiredService<QCommerce.Core.Stores.StoreDirectory>().GetAsync(1);
        if (store.IsOpenAt(DateTimeOffset.UtcNow))
        {
            Assert.Null(promise.OpensAtUtc);
            Assert.True(promise.Minutes >= store.EtaMinutes);
        }
        else
        {
            var opens = Assert.NotNull(promise.OpensAtUtc);
            Assert.Equal("7:00 AM", QCommerce.Web.Components.Shared.StoreTime.Time(opens, store).Replace('\u202F', ' '));
            Assert.True(promise.ByUtc >= opens.AddMinutes(store.EtaMinutes));
        }
    }
}
