using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Tests.Fulfillment;

namespace QCommerce.Tests.Payments;

/// <summary>
/// Staff refunds (the ops refund dialog and /v1/ops) of money taken (an order charged at the end of its pick), on the real
/// app, each provider and the sandbox PSP: by units at the order's own prices, by an amount, both; never above what is
/// left (partial refunds summed, pending ones counted);
/// a repeated key is one refund; the items back on the shelf when asked; an audit row with it, none without it.
/// </summary>
public abstract class OrderRefundServiceTests(QCommerceApp app)
{
    private static readonly StaffActor Admin = TestStaff.Admin;
    private OrderRefundService Refunds => app.Services.GetRequiredService<OrderRefundService>();

    private async Task<Order> OrderAsync(int id)
    {
        await using var db = app.Database.CreateContext();
        return await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == id);
    }

    private async Task<Payment> PaymentAsync(int orderId)
    {
        await using var db = app.Database.CreateContext();
        return await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == orderId);
    }

    private async Task<int> AuditCountAsync(int orderId)
    {
        await using var db = app.Database.CreateContext();
        var entity = PublicId.Format(PublicId.Order, orderId);
        return await db.AuditLog.CountAsync(a => a.EntityId == entity && a.Action == AuditActions.OrderRefund);
    }

    private async Task<int> OnHandAsync(int skuId)
    {
        await using var db = app.Database.CreateContext();
        return await db.Stock.Where(s => s.StoreId == Demo.Midtown && s.SkuId == skuId).Select(s => s.OnHand).SingleAsync();
    }

    [Fact]
    public async Task OneUnitRefunded_IsItsShareOfGoodsAndTax_GoesToThePsp_AndCanGoBackOnTheShelf()
    {
        var (_, id, skus) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 90);
        var order = await OrderAsync(id);
        var line = order.Lines.Single(l => l.SkuId == skus[0]);
        var onHand = await OnHandAsync(skus[0]);

        var receipt = await Refunds.RefundAsync(Admin, id, new StaffRefundRequest([new(skus[0], 1)], null, Restock: true, "Bruised"), Guid.NewGuid());

        // The unit's price plus its tax at the order's rate (no discount here), to the cent.
        var withoutUnit = Core.Promotions.OrderPricing.Reprice(order.Price, order.Price.Subtotal - line.UnitPrice, (decimal)order.TaxMinor * 100 / (order.SubtotalMinor - order.DiscountMinor));
        Assert.InRange(receipt.AmountMinor, (order.Total - withoutUnit.Total).MinorUnits - 1, (order.Total - withoutUnit.Total).MinorUnits + 1);
        Assert.True(receipt.AmountMinor > line.UnitPriceMinor);
        Assert.Equal(onHand + 1, await OnHandAsync(skus[0]));
        Assert.Equal(1, (await OrderAsync(id)).Lines.Single(l => l.SkuId == skus[0]).RefundedQuantity);
        var refund = await Eventually.Async(async () => (await PaymentAsync(id)).Refunds.Single(), r => r.Status == RefundStatus.Succeeded, "the refund to succeed at the PSP");
        Assert.Equal(receipt.AmountMinor, refund.AmountMinor);
        Assert.Equal(1, await AuditCountAsync(id));
        Assert.Equal(OrderStatus.Picking, (await OrderAsync(id)).Status); // a partial refund does not close the order
    }

    [Fact]
    public async Task RefundsNeverAddUpToMoreThanWasCaptured_PendingOnesCounted()
    {
        var (_, id, skus) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 92);
        var captured = (await PaymentAsync(id)).CapturedMinor;

        var first = await Refunds.RefundAsync(Admin, id, new StaffRefundRequest(null, 300, false, "Late"), Guid.NewGuid());
        Assert.Equal(captured - 300, first.RefundableAfterMinor);
        var tooMuch = await Assert.ThrowsAsync<RequestRejectedException>(() =>
            Refunds.RefundAsync(Admin, id, new StaffRefundRequest(null, captured - 299, false, "Everything"), Guid.NewGuid()));
        Assert.Contains("can still be refunded", tooMuch.Errors["amount"][0]);
        var rest = await Refunds.RefundAsync(Admin, id, new StaffRefundRequest(null, captured - 300, false, "The rest"), Guid.NewGuid());
        Assert.Equal(0, rest.RefundableAfterMinor);
        await Assert.ThrowsAsync<RequestRejectedException>(() => Refunds.RefundAsync(Admin, id, new StaffRefundRequest(null, 1, false, "One more"), Guid.NewGuid()));
        // Units cannot be refunded twice either.
        await Assert.ThrowsAsync<RequestRejectedException>(() => Refunds.RefundAsync(Admin, id, new StaffRefundRequest([new(skus[1], 2)], null, false, "x"), Guid.NewGuid()));

        var payment = await Eventually.Async(() => PaymentAsync(id), p => p.Refunds.All(r => r.Status == RefundStatus.Succeeded), "both refunds to succeed");
        Assert.Equal(captured, payment.RefundedMinor);
        Assert.Equal(2, await AuditCountAsync(id));
    }

    [Fact]
    public async Task TheSameRequestKey_TwiceOrAtOnce_IsOneRefund()
    {
        var (_, id, _) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 94);
        var key = Guid.NewGuid();
        var request = new StaffRefundRequest(null, 250, false, "Double click");

        var receipts = await Task.WhenAll(Enumerable.Range(0, 3).Select(_ => Refunds.RefundAsync(Admin, id, request, key)));
        var again = await Refunds.RefundAsync(Admin, id, request, key);

        Assert.All(receipts, r => Assert.Equal(again.RefundId, r.RefundId));
        Assert.Single((await PaymentAsync(id)).Refunds);
        Assert.Equal(1, await AuditCountAsync(id));
    }

    [Fact]
    public async Task BadRefunds_AreRefusedField_ByField_AndWriteNothing()
    {
        var (_, id, skus) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 96);

        async Task<RequestRejectedException> Refused(StaffRefundRequest r) => await Assert.ThrowsAsync<RequestRejectedException>(() => Refunds.RefundAsync(Admin, id, r, Guid.NewGuid()));
        Assert.True((await Refused(new(null, null, false, "why"))).Errors.ContainsKey("lines"));
        Assert.True((await Refused(new(null, -5, false, "why"))).Errors.ContainsKey("amount"));
        Assert.True((await Refused(new(null, 100, false, " "))).Errors.ContainsKey("reason"));
        Assert.True((await Refused(new([new(skus[0], 0)], null, false, "why"))).Errors.ContainsKey("lines[0].qty"));
        Assert.True((await Refused(new([new(999_999, 1)], null, false, "why"))).Errors.ContainsKey("lines[0].skuId"));
        Assert.True((await Refused(new([new(skus[0], 3)], null, false, "why"))).Errors.ContainsKey("lines[0].qty"));
        Assert.True((await Refused(new([new(skus[0], 1), new(skus[0], 1)], null, false, "why"))).Errors.ContainsKey("lines"));

        Assert.Empty((await PaymentAsync(id)).Refunds);
        Assert.Equal(0, await AuditCountAsync(id));
        Assert.All((await OrderAsync(id)).Lines, l => Assert.Equal(0, l.RefundedQuantity));
    }

    [Fact]
    public async Task ACashOrder_OrAnUnpaidOne_IsNotRefundedByCard()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (cash, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 98);
        await Assert.ThrowsAsync<ConflictException>(() =>
            Refunds.RefundAsync(Admin, FulfillmentServiceTests.Number(cash), new StaffRefundRequest(null, 100, false, "x"), Guid.NewGuid()));
        var (unpaid, _) = await shopper.PlaceOrderAsync(skuOffset: 98);
        await Assert.ThrowsAsync<ConflictException>(() =>
            Refunds.RefundAsync(Admin, FulfillmentServiceTests.Number(unpaid), new StaffRefundRequest(null, 100, false, "x"), Guid.NewGuid()));
    }

    [Fact]
    public async Task AfterAShortPick_TheRemainingUnitsRefundTheRestButTheFee()
    {
        var (_, id, skus) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 100);
        var fulfil = app.Services.GetRequiredService<FulfillmentService>();
        await fulfil.StartPickingAsync(Admin, id);
        var picked = await fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 1), new(skus[1], 1)]);
        await FulfillmentServiceTests.ChargedAsync(app, id); // charged for what was picked: nothing to refund for the short unit
        Assert.Empty((await PaymentAsync(id)).Refunds);

        // Already short: 2 of the first SKU cannot be refunded, 1 can.
        await Assert.ThrowsAsync<RequestRejectedException>(() => Refunds.RefundAsync(Admin, id, new StaffRefundRequest([new(skus[0], 2)], null, false, "x"), Guid.NewGuid()));
        var all = await Refunds.RefundAsync(Admin, id, new StaffRefundRequest([new(skus[0], 1), new(skus[1], 1)], null, true, "Left at the wrong door"), Guid.NewGuid());

        var order = await OrderAsync(id);
        Assert.Equal(picked.TotalMinor - order.DeliveryFeeMinor, all.AmountMinor);
        Assert.Equal(order.DeliveryFeeMinor, all.RefundableAfterMinor);
    }
}

public sealed class SqliteOrderRefundServiceTests(SqliteApp app) : OrderRefundServiceTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresOrderRefundServiceTests(PostgresApp app) : OrderRefundServiceTests(app), IClassFixture<PostgresApp>;
