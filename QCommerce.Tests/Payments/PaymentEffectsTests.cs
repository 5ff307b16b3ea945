using System.Globalization;
using System.Net;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;

namespace QCommerce.Tests.Payments;

/// <summary>
/// PaymentEffects on its own: which outcome each payment event is for its order, fed events directly, over the real
/// app, its database of each provider and the Stripe-speaking sandbox (a refund it decides on really goes to the PSP).
/// The events a test hands it are the ones the outbox would: late, repeated, or about an order that changed meanwhile.
/// </summary>
public abstract class PaymentEffectsTests(QCommerceApp app)
{
    private const string Succeeds = "4242 4242 4242 4242";
    private const string Declined = "4000 0000 0000 0002";

    private PaymentEffects Effects => app.Services.GetServices<IOutboxHandler>().OfType<PaymentEffects>().Single();

    private static int Number(string publicId) => int.Parse(publicId[(publicId.IndexOf('_') + 1)..], CultureInfo.InvariantCulture);

    private Task HandleAsync(string type, int paymentId, int orderId, int attempt, long amountMinor, string? message = null) =>
        Effects.HandleAsync(new OutboxEnvelope(Guid.NewGuid(), type, PublicId.Format(PublicId.Payment, paymentId), 1, DateTime.UtcNow, null,
            JsonSerializer.Serialize(new PaymentEventData(paymentId, orderId, attempt, amountMinor, "USD", message), Outbox.Json)), CancellationToken.None);

    private async Task<Order> OrderAsync(int id)
    {
        await using var db = app.Database.CreateContext();
        return await db.Orders.AsNoTracking().Include(o => o.Events).SingleAsync(o => o.Id == id);
    }

    private async Task<Payment> PaymentAsync(int id)
    {
        await using var db = app.Database.CreateContext();
        return await db.Payments.AsNoTracking().SingleAsync(p => p.Id == id);
    }

    private static Task<string> OrderBecomesAsync(ApiShopper shopper, string orderId, string status) =>
        Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString()!, s => s == status,
            $"order {orderId} to be {status}");

    /// <summary>An order paid by card through the sandbox's page and its webhook, as a shopper pays: its total held on the card.</summary>
    private async Task<(ApiShopper Shopper, string OrderId, int PaymentId, long Amount)> PaidOrderAsync()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 60);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, Succeeds);
        await OrderBecomesAsync(shopper, orderId, "paid");
        var paymentId = Number(started.GetProperty("paymentId").GetString()!);
        return (shopper, orderId, paymentId, (await PaymentAsync(paymentId)).AmountMinor);
    }

    [Fact]
    public async Task AHoldDeliveredAgain_PaysTheOrderOnce_AndTakesItsStockOnce()
    {
        var (_, orderId, paymentId, amount) = await PaidOrderAsync();
        await using (var db = app.Database.CreateContext())
        {
            var before = await db.Stock.AsNoTracking().Where(s => s.StoreId == 2).SumAsync(s => s.OnHand);
            // The PSP's retry of its event arrives with a new event id: not the outbox's duplicate, the same hold.
            await HandleAsync(EventTypes.PaymentAuthorized, paymentId, Number(orderId), 1, amount);
            Assert.Equal(before, await db.Stock.AsNoTracking().Where(s => s.StoreId == 2).SumAsync(s => s.OnHand));
        }
        var order = await OrderAsync(Number(orderId));
        Assert.Equal((OrderStatus.Paid, CardHold.Held, amount), (order.Status, order.Hold, order.HeldMinor));
        Assert.Single(order.Events, e => e.ToStatus == OrderStatus.Paid && e.FromStatus != OrderStatus.Paid);
    }

    [Fact]
    public async Task AHoldForAnOrderCancelledMeanwhile_IsReleasedAtThePsp_NothingCharged_AndTheOrderStaysCancelled()
    {
        var (_, orderId, paymentId, amount) = await PaidOrderAsync();
        // The order was cancelled while the shopper was paying (the expiry sweep, say) and this hold is its news.
        await using (var db = app.Database.CreateContext())
            await db.Orders.Where(o => o.Id == Number(orderId)).ExecuteUpdateAsync(s => s.SetProperty(o => o.Status, OrderStatus.Cancelled)
                .SetProperty(o => o.Hold, CardHold.None).SetProperty(o => o.HeldMinor, 0));

        await HandleAsync(EventTypes.PaymentAuthorized, paymentId, Number(orderId), 1, amount);

        var payment = await Eventually.Async(() => PaymentAsync(paymentId), p => p.Status == PaymentStatus.Voided, "the hold to be released at the PSP");
        Assert.Equal((0L, amount), (payment.CapturedMinor, payment.ReleasedMinor));
        Assert.Empty(payment.Refunds);
        var order = await Eventually.Async(() => OrderAsync(Number(orderId)), o => o.Hold == CardHold.Released, "the order to hear the hold is gone");
        Assert.Equal((OrderStatus.Cancelled, 0L, amount), (order.Status, order.CapturedMinor, order.HoldReleasedMinor));
        Assert.Null(order.MoneyReviewNote);
        Assert.Contains(order.Events, e => e.Reason!.Contains("authorised on your card after the order was cancelled") && e.RefundMinor is null);
    }

    [Fact]
    public async Task AHoldOfAnotherAmountThanTheOrderNowCosts_IsNeverPaid_ButReleased()
    {
        var (_, orderId, paymentId, amount) = await PaidOrderAsync();
        // The order was changed after a decline and now costs more; the old card page was paid anyway.
        await using (var db = app.Database.CreateContext())
            await db.Orders.Where(o => o.Id == Number(orderId)).ExecuteUpdateAsync(s => s
                .SetProperty(o => o.Status, OrderStatus.PaymentFailed).SetProperty(o => o.TotalMinor, amount + 500)
                .SetProperty(o => o.Hold, CardHold.None).SetProperty(o => o.HeldMinor, 0));

        await HandleAsync(EventTypes.PaymentAuthorized, paymentId, Number(orderId), 1, amount);

        await Eventually.Async(() => PaymentAsync(paymentId), p => p.Status == PaymentStatus.Voided, "the hold to be released at the PSP");
        var order = await OrderAsync(Number(orderId));
        Assert.Equal(OrderStatus.PaymentFailed, order.Status);
        Assert.Contains(order.Events, e => e.Reason!.Contains("earlier version of this order"));
    }

    [Fact]
    public async Task AFailureOfAnAttemptNoLongerCurrent_ChangesNothing()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 64);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        var paymentId = Number(started.GetProperty("paymentId").GetString()!);
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, Declined);
        await OrderBecomesAsync(shopper, orderId, "paymentFailed");
        await ApiShopper.JsonAsync(await shopper.PostAsync($"/v1/payments/pay_{paymentId}/retry", null, Guid.NewGuid().ToString()), HttpStatusCode.Created);
        var before = await OrderAsync(Number(orderId));

        // The first attempt's failure, delivered late: the shopper is paying again, and nothing may say otherwise.
        await HandleAsync(EventTypes.PaymentFailed, paymentId, Number(orderId), 1, (await PaymentAsync(paymentId)).AmountMinor, "Your card was declined.");

        var after = await OrderAsync(Number(orderId));
        Assert.Equal((before.Status, before.Version, before.Events.Count), (after.Status, after.Version, after.Events.Count));
    }

    [Fact]
    public async Task AChallenge_KeepsTheOrdersStockBeyondItsUsualHold()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 68);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        var paymentId = Number(started.GetProperty("paymentId").GetString()!);
        // The challenge comes as the reservation (stretched to the checkout page's life) is about to run out.
        await using (var db = app.Database.CreateContext())
            await db.Orders.Where(o => o.Id == Number(orderId)).ExecuteUpdateAsync(s => s.SetProperty(o => o.ReservationExpiresAtUtc, DateTime.UtcNow.AddSeconds(30)));
        var before = await OrderAsync(Number(orderId));

        await HandleAsync(EventTypes.PaymentRequiresAction, paymentId, Number(orderId), 1, (await PaymentAsync(paymentId)).AmountMinor);

        var after = await OrderAsync(Number(orderId));
        Assert.True(after.ReservationExpiresAtUtc > before.ReservationExpiresAtUtc, $"{after.ReservationExpiresAtUtc:O} after {before.ReservationExpiresAtUtc:O}");
        Assert.Contains("3-D Secure", after.Events.OrderBy(e => e.Id).Last().Reason);
    }
}

public sealed class SqlitePaymentEffectsTests(SqliteApp app) : PaymentEffectsTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresPaymentEffectsTests(PostgresApp app) : PaymentEffectsTests(app), IClassFixture<PostgresApp>;
