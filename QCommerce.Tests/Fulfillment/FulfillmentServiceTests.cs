using System.Globalization;
using System.Net;
using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Inventory;
using QCommerce.Core.Ops;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;

namespace QCommerce.Tests.Fulfillment;

/// <summary>
/// An order in the store's hands, on the real app, a database of each provider and the Stripe-speaking sandbox: picking
/// (short lines refunded at the PSP by themselves), out for delivery, delivered; staff cancelling and noting; every
/// action's audit row written with it and absent when it fails; colleagues of other stores kept out.
/// </summary>
public abstract class FulfillmentServiceTests(QCommerceApp app)
{
    private const string Succeeds = "4242 4242 4242 4242";
    private static readonly StaffActor Admin = TestStaff.Admin;

    private FulfillmentService Fulfil => app.Services.GetRequiredService<FulfillmentService>();
    private StaffOrderService Staff => app.Services.GetRequiredService<StaffOrderService>();

    internal static int Number(string publicId) => int.Parse(publicId[(publicId.IndexOf('_') + 1)..], CultureInfo.InvariantCulture);

    internal static async Task<(ApiShopper Shopper, int OrderId, int[] Skus)> PaidCardOrderAsync(QCommerceApp app, int skuOffset)
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: skuOffset);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, Succeeds);
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paid", "the order to be paid");
        return (shopper, Number(orderId), skus);
    }

    private async Task<(ApiShopper Shopper, int OrderId, int[] Skus)> CashOrderAsync(int skuOffset)
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: skuOffset);
        await Staff.ConfirmCashOrderAsync(Admin, Number(orderId));
        return (shopper, Number(orderId), skus);
    }

    private async Task<Order> OrderAsync(int id)
    {
        await using var db = app.Database.CreateContext();
        return await db.Orders.AsNoTracking().Include(o => o.Lines).Include(o => o.Events).AsSplitQuery().SingleAsync(o => o.Id == id);
    }

    private async Task<List<AuditEntry>> AuditAsync(int orderId)
    {
        await using var db = app.Database.CreateContext();
        var entity = PublicId.Format(PublicId.Order, orderId);
        return await db.AuditLog.AsNoTracking().Where(a => a.EntityId == entity).OrderBy(a => a.Id).ToListAsync();
    }

    private async Task<StockLevel> StockAsync(int skuId)
    {
        await using var db = app.Database.CreateContext();
        return await db.Stock.AsNoTracking().SingleAsync(s => s.StoreId == Demo.Midtown && s.SkuId == skuId);
    }

    private async Task<Payment> PaymentAsync(int orderId)
    {
        await using var db = app.Database.CreateContext();
        return await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == orderId);
    }

    [Fact]
    public async Task AShortPick_ShrinksTheOrder_RefundsTheDifferenceAtThePsp_AndTheShopperSeesWhatWasShort()
    {
        var (shopper, id, skus) = await PaidCardOrderAsync(app, skuOffset: 70);
        var before = await OrderAsync(id);
        var onHandAfterSale = (await StockAsync(skus[0])).OnHand;
        await Fulfil.StartPickingAsync(Admin, id);

        var outcome = await Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 1), new(skus[1], 1)]);

        var after = await OrderAsync(id);
        var shortLine = after.Lines.Single(l => l.SkuId == skus[0]);
        Assert.Equal((2, 1, 1), (shortLine.Quantity, shortLine.ShortQuantity, shortLine.PickedQuantity));
        Assert.Equal(before.SubtotalMinor - shortLine.UnitPriceMinor, after.SubtotalMinor);
        Assert.Equal(before.DeliveryFeeMinor, after.DeliveryFeeMinor); // the fee as promised
        Assert.Equal(before.TotalMinor - after.TotalMinor, outcome.RefundMinor);
        Assert.True(outcome.RefundMinor > shortLine.UnitPriceMinor, "the refund includes the unit's tax");
        Assert.Equal(OrderStatus.Picking, after.Status);

        // Asked of the PSP by the outbox, and settled by its answer.
        var refund = await Eventually.Async(async () => (await PaymentAsync(id)).Refunds.SingleOrDefault(), r => r is { Status: RefundStatus.Succeeded },
            "the short pick's refund to succeed at the PSP");
        Assert.Equal(outcome.RefundMinor, refund!.AmountMinor);
        Assert.NotNull(refund.PspRefundId);

        // The shelf never had the unit: on hand stays where the sale left it, and the ledger says why.
        Assert.Equal(onHandAfterSale, (await StockAsync(skus[0])).OnHand);
        await using (var db = app.Database.CreateContext())
            Assert.Single(await db.StockMovements.Where(m => m.SkuId == skus[0] && m.Reference == PublicId.Format(PublicId.Order, id)).ToListAsync(),
                m => m.Kind == StockMovementKind.ShortPick);

        var seen = await shopper.GetAsync($"/v1/orders/{PublicId.Format(PublicId.Order, id)}");
        Assert.Contains(seen.GetProperty("items").EnumerateArray(), i => i.GetProperty("shortQty").GetInt32() == 1);
        Assert.Contains(seen.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("reason").GetString()?.Contains("Not in stock after all") == true);
        Assert.Equal([AuditActions.PickStart, AuditActions.PickFinish], (await AuditAsync(id)).Select(a => a.Action));
    }

    [Fact]
    public async Task APaidOrder_GoesFromPickingToTheDoor_WithItsTimesAndEveryStepAudited()
    {
        var (_, id, skus) = await PaidCardOrderAsync(app, skuOffset: 72);
        await Fulfil.StartPickingAsync(Admin, id);
        await Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 2), new(skus[1], 1)]);
        Assert.Empty((await PaymentAsync(id)).Refunds);

        await Assert.ThrowsAsync<RequestRejectedException>(() => Fulfil.DispatchAsync(Admin, id, "  "));
        await Fulfil.DispatchAsync(Admin, id, "Sam Rider");
        var card = await Assert.ThrowsAsync<RequestRejectedException>(() => Fulfil.DeliverAsync(Admin, id, 1234));
        Assert.True(card.Errors.ContainsKey("cashCollected"));
        await Fulfil.DeliverAsync(Admin, id, null);

        var order = await OrderAsync(id);
        Assert.Equal(OrderStatus.Delivered, order.Status);
        Assert.Contains(order.Events, e => e.ToStatus == OrderStatus.OutForDelivery && e.Reason!.Contains("Sam Rider"));
        await using (var db = app.Database.CreateContext())
        {
            var f = await db.Fulfillments.AsNoTracking().SingleAsync(x => x.OrderId == id);
            Assert.Equal("Sam Rider", f.RiderName);
            Assert.NotNull(f.PickedAtUtc);
            Assert.NotNull(f.DeliveredAtUtc);
            Assert.True(f.OnTime);
        }
        Assert.Equal([AuditActions.PickStart, AuditActions.PickFinish, AuditActions.OrderDispatch, AuditActions.OrderDeliver],
            (await AuditAsync(id)).Select(a => a.Action));
    }

    [Fact]
    public async Task NoOrderLeavesPicking_WithALineUnticked_AndBadPickListsChangeNothing()
    {
        var (_, id, skus) = await PaidCardOrderAsync(app, skuOffset: 74);
        await Fulfil.StartPickingAsync(Admin, id);

        var early = await Assert.ThrowsAsync<ConflictException>(() => Fulfil.DispatchAsync(Admin, id, "Sam"));
        Assert.Contains("not yet picked", early.Message);
        var missing = await Assert.ThrowsAsync<RequestRejectedException>(() => Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 2)]));
        Assert.Contains("not ticked", string.Join(" ", missing.Errors["lines"]));
        var stranger = await Assert.ThrowsAsync<RequestRejectedException>(() => Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 2), new(skus[1], 1), new(999_999, 1)]));
        Assert.True(stranger.Errors.ContainsKey("lines[2].skuId"));
        var negative = await Assert.ThrowsAsync<RequestRejectedException>(() => Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], -1), new(skus[1], 1)]));
        Assert.True(negative.Errors.ContainsKey("lines[0].pickedQty"));
        var tooMany = await Assert.ThrowsAsync<RequestRejectedException>(() => Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 3), new(skus[1], 1)]));
        Assert.True(tooMany.Errors.ContainsKey("lines[0].pickedQty"));
        var twice = await Assert.ThrowsAsync<RequestRejectedException>(() => Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 1), new(skus[0], 1), new(skus[1], 1)]));
        Assert.True(twice.Errors.ContainsKey("lines"));
        await Assert.ThrowsAsync<ConflictException>(() => Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 0), new(skus[1], 0)]));

        var order = await OrderAsync(id);
        Assert.All(order.Lines, l => Assert.Equal(0, l.ShortQuantity));
        Assert.Equal([AuditActions.PickStart], (await AuditAsync(id)).Select(a => a.Action));
        Assert.Empty((await PaymentAsync(id)).Refunds);
    }

    [Fact]
    public async Task IllegalMoves_AreConflictsNamingTheState()
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (unpaid, skus) = await shopper.PlaceOrderAsync(skuOffset: 76);
        var start = await Assert.ThrowsAsync<ConflictException>(() => Fulfil.StartPickingAsync(Admin, Number(unpaid)));
        Assert.Contains("PendingPayment", start.Message);
        await Staff.CancelAsync(Admin, Number(unpaid), "test");
        var pick = await Assert.ThrowsAsync<ConflictException>(() => Fulfil.FinishPickingAsync(Admin, Number(unpaid), [new(skus[0], 2), new(skus[1], 1)]));
        Assert.Contains("Cancelled", pick.Message);
        await Assert.ThrowsAsync<ConflictException>(() => Fulfil.DeliverAsync(Admin, Number(unpaid), null));
        await Assert.ThrowsAsync<NotFoundException>(() => Fulfil.StartPickingAsync(Admin, 999_999));
    }

    [Fact]
    public async Task TwoStaffStartingOnePick_AtOnce_OneWins_AndTheOtherIsTold()
    {
        var (_, id, _) = await PaidCardOrderAsync(app, skuOffset: 78);
        var outcomes = await Task.WhenAll(
            Capture(() => Fulfil.StartPickingAsync(TestStaff.Named("one@qcommerce.test"), id)),
            Capture(() => Fulfil.StartPickingAsync(TestStaff.Named("two@qcommerce.test"), id)));

        Assert.Single(outcomes, o => o is null);
        Assert.IsType<ConflictException>(Assert.Single(outcomes, o => o is not null));
        await using var db = app.Database.CreateContext();
        Assert.Single(await db.Fulfillments.Where(f => f.OrderId == id).ToListAsync());
        Assert.Single(await AuditAsync(id), a => a.Action == AuditActions.PickStart);

        static async Task<Exception?> Capture(Func<Task> act)
        {
            try { await act(); return null; }
            catch (Exception e) { return e; }
        }
    }

    [Fact]
    public async Task AColleagueOfAnotherStore_FindsNoSuchOrder_ForEveryAction()
    {
        var (_, id, skus) = await PaidCardOrderAsync(app, skuOffset: 80);
        var downtown = TestStaff.ScopedTo(Demo.Downtown);

        await Assert.ThrowsAsync<NotFoundException>(() => Fulfil.StartPickingAsync(downtown, id));
        await Assert.ThrowsAsync<NotFoundException>(() => Fulfil.FinishPickingAsync(downtown, id, [new(skus[0], 2), new(skus[1], 1)]));
        await Assert.ThrowsAsync<NotFoundException>(() => Fulfil.DispatchAsync(downtown, id, "Sam"));
        await Assert.ThrowsAsync<NotFoundException>(() => Fulfil.DeliverAsync(downtown, id, null));
        await Assert.ThrowsAsync<NotFoundException>(() => Staff.CancelAsync(downtown, id, "not mine"));
        await Assert.ThrowsAsync<NotFoundException>(() => Staff.AddNoteAsync(downtown, id, "hello"));
        await Assert.ThrowsAsync<NotFoundException>(() => app.Services.GetRequiredService<OrderRefundService>()
            .RefundAsync(downtown, id, new StaffRefundRequest(null, 100, false, "no"), Guid.NewGuid()));
        var queries = app.Services.GetRequiredService<OpsOrderQueries>();
        Assert.Null(await queries.FindAsync(downtown, id));
        Assert.DoesNotContain((await queries.ListAsync(downtown, new OpsOrderFilter(), null, 200)).Items, r => r.OrderId == id);
        Assert.Contains((await queries.ListAsync(TestStaff.ScopedTo(Demo.Midtown), new OpsOrderFilter(), null, 200)).Items, r => r.OrderId == id);

        Assert.Equal(OrderStatus.Paid, (await OrderAsync(id)).Status);
        Assert.Empty(await AuditAsync(id));
    }

    [Fact]
    public async Task ACashOrder_ShortPicked_CollectsLess_AndIsDeliveredWithTheCashCollected()
    {
        var (_, id, skus) = await CashOrderAsync(skuOffset: 82);
        var due = (await OrderAsync(id)).TotalMinor;
        await Fulfil.StartPickingAsync(Admin, id);
        var outcome = await Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 2), new(skus[1], 0)]);
        Assert.True(outcome.TotalMinor < due);
        Assert.Equal(0, outcome.RefundMinor); // less to collect at the door: nothing to refund
        await Fulfil.DispatchAsync(Admin, id, "Ana Rider");

        var none = await Assert.ThrowsAsync<RequestRejectedException>(() => Fulfil.DeliverAsync(Admin, id, null));
        Assert.Contains("due", none.Errors["cashCollected"][0]);
        await Fulfil.DeliverAsync(Admin, id, outcome.TotalMinor);

        var order = await OrderAsync(id);
        Assert.Equal(OrderStatus.Delivered, order.Status);
        Assert.Contains("collected in cash", order.Events.OrderBy(e => e.Id).Last().Reason);
        await using var db = app.Database.CreateContext();
        Assert.Equal(outcome.TotalMinor, (await db.Fulfillments.AsNoTracking().SingleAsync(f => f.OrderId == id)).CashCollectedMinor);
        Assert.False(await db.Payments.AnyAsync(p => p.OrderId == id));
    }

    [Fact]
    public async Task StaffCancellingAPaidOrder_RefundsItInFull_AndPutsTheStockBack()
    {
        var (_, id, skus) = await PaidCardOrderAsync(app, skuOffset: 84);
        var sold = (await StockAsync(skus[0])).OnHand;

        Assert.Equal(OrderStatus.RefundPending, await Staff.CancelAsync(Admin, id, "a pipe burst in the store"));

        await Eventually.Async(async () => (await OrderAsync(id)).Status, s => s == OrderStatus.Refunded, "the order to be refunded");
        Assert.Equal(sold + 2, (await StockAsync(skus[0])).OnHand);
        var payment = await PaymentAsync(id);
        Assert.Equal(payment.CapturedMinor, payment.RefundedMinor);
        Assert.Single(await AuditAsync(id), a => a.Action == AuditActions.OrderCancel && a.Note == "a pipe burst in the store");
        await Assert.ThrowsAsync<RequestRejectedException>(() => Staff.CancelAsync(Admin, id, " "));
        await Assert.ThrowsAsync<ConflictException>(() => Staff.CancelAsync(Admin, id, "again"));
    }

    [Fact]
    public async Task StaffCancellingACashOrderInPicking_CancelsIt_AndPutsTheItemsBackOnTheShelf()
    {
        var (_, id, skus) = await CashOrderAsync(skuOffset: 86);
        await Fulfil.StartPickingAsync(Admin, id);
        var committed = (await StockAsync(skus[0])).OnHand;

        Assert.Equal(OrderStatus.Cancelled, await Staff.CancelAsync(Admin, id, "rider ill"));

        Assert.Equal(committed + 2, (await StockAsync(skus[0])).OnHand);
        await using var db = app.Database.CreateContext();
        Assert.Contains(await db.StockMovements.Where(m => m.Reference == PublicId.Format(PublicId.Order, id)).ToListAsync(),
            m => m.Kind == StockMovementKind.Returned && m.SkuId == skus[0] && m.Quantity == 2);
    }

    [Fact]
    public async Task AStaffNote_IsOnTheOpsTimeline_AndNeverTheShoppers()
    {
        var (shopper, id, _) = await PaidCardOrderAsync(app, skuOffset: 88);
        await Assert.ThrowsAsync<RequestRejectedException>(() => Staff.AddNoteAsync(Admin, id, "   "));
        await Staff.AddNoteAsync(Admin, id, "Customer asked to ring twice");

        var detail = await app.Services.GetRequiredService<OpsOrderQueries>().FindAsync(Admin, id);
        Assert.Contains(detail!.Timeline, e => e.StaffOnly && e.Text == "Customer asked to ring twice");
        var seen = await shopper.GetAsync($"/v1/orders/{PublicId.Format(PublicId.Order, id)}");
        Assert.DoesNotContain(seen.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("reason").GetString() == "Customer asked to ring twice");
        Assert.DoesNotContain(seen.GetProperty("timeline").EnumerateArray(), e => e.GetProperty("actor").GetString()!.Contains('@'));
        Assert.Single(await AuditAsync(id), a => a.Action == AuditActions.OrderNote);
    }
}

public sealed class SqliteFulfillmentServiceTests(SqliteApp app) : FulfillmentServiceTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresFulfillmentServiceTests(PostgresApp app) : FulfillmentServiceTests(app), IClassFixture<PostgresApp>;
