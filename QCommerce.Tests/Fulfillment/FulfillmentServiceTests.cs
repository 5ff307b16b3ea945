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
/// (the card charged what was picked, the rest of its hold released), out for delivery (never before the money is taken),
/// delivered; staff cancelling (a hold released, money taken refunded) and noting; every action's audit row written with
/// it and absent when it fails; colleagues of other stores kept out.
/// </summary>
public abstract class FulfillmentServiceTests(QCommerceApp app)
{
    private const string Succeeds = "4242 4242 4242 4242";
    private static readonly StaffActor Admin = TestStaff.Admin;

    private FulfillmentService Fulfil => app.Services.GetRequiredService<FulfillmentService>();
    private StaffOrderService Staff => app.Services.GetRequiredService<StaffOrderService>();

    internal static int Number(string publicId) => int.Parse(publicId[(publicId.IndexOf('_') + 1)..], CultureInfo.InvariantCulture);

    /// <summary>A card order whose total the card holds (the sandbox's page paid with a test card): paid, ready to pick.</summary>
    internal static async Task<(ApiShopper Shopper, int OrderId, int[] Skus)> PaidCardOrderAsync(QCommerceApp app, int skuOffset)
    {
        var shopper = await ApiShopper.SignUpAsync(app);
        var (orderId, skus) = await shopper.PlaceOrderAsync(skuOffset: skuOffset);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        await ApiShopper.PayOnPspPageAsync(app, started.GetProperty("nextAction").GetProperty("url").GetString()!, Succeeds);
        await Eventually.Async(async () => (await shopper.GetAsync($"/v1/orders/{orderId}")).GetProperty("status").GetString(), s => s == "paid", "the order to be paid");
        return (shopper, Number(orderId), skus);
    }

    /// <summary>A card order picked in full and charged (the capture confirmed): its money taken, so refunds can follow.</summary>
    internal static async Task<(ApiShopper Shopper, int OrderId, int[] Skus)> ChargedCardOrderAsync(QCommerceApp app, int skuOffset)
    {
        var (shopper, id, skus) = await PaidCardOrderAsync(app, skuOffset);
        await PickAndChargeAsync(app, id);
        return (shopper, id, skus);
    }

    /// <summary>A paid order picked in full by staff, once its card is charged.</summary>
    internal static async Task<Order> PickAndChargeAsync(QCommerceApp app, int orderId)
    {
        var fulfil = app.Services.GetRequiredService<FulfillmentService>();
        await fulfil.StartPickingAsync(TestStaff.Admin, orderId);
        await using (var db = app.Database.CreateContext())
        {
            var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId);
            await fulfil.FinishPickingAsync(TestStaff.Admin, orderId, order.Lines.GroupBy(l => l.SkuId).Select(g => new FoundUnits(g.Key, order.ToPick(g.Key))).ToList());
        }
        return await ChargedAsync(app, orderId);
    }

    /// <summary>Waits until the pick's capture is confirmed and the order charged.</summary>
    internal static async Task<Order> ChargedAsync(QCommerceApp app, int orderId) =>
        await Eventually.Async(async () =>
        {
            await using var db = app.Database.CreateContext();
            return await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId);
        }, o => o.Hold == CardHold.Captured, "the card to be charged for what was picked");

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
    public async Task AShortPick_ChargesOnlyWhatWasPicked_ReleasesTheRestOfTheHold_AndRefundsNothing()
    {
        var (shopper, id, skus) = await PaidCardOrderAsync(app, skuOffset: 70);
        var before = await OrderAsync(id);
        Assert.Equal((CardHold.Held, before.TotalMinor, 0L), (before.Hold, before.HeldMinor, before.CapturedMinor)); // held, nothing taken
        var onHandAfterSale = (await StockAsync(skus[0])).OnHand;
        await Fulfil.StartPickingAsync(Admin, id);

        var outcome = await Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 1), new(skus[1], 1)]);

        var after = await OrderAsync(id);
        var shortLine = after.Lines.Single(l => l.SkuId == skus[0]);
        Assert.Equal((2, 1, 1), (shortLine.Quantity, shortLine.ShortQuantity, shortLine.PickedQuantity));
        Assert.Equal(before.SubtotalMinor - shortLine.UnitPriceMinor, after.SubtotalMinor);
        Assert.Equal(before.DeliveryFeeMinor, after.DeliveryFeeMinor); // the fee as promised
        Assert.Equal((after.TotalMinor, 0L), (outcome.ChargeMinor, outcome.RefundMinor)); // what was picked is charged; nothing to refund
        Assert.True(before.TotalMinor - after.TotalMinor > shortLine.UnitPriceMinor, "the unit's tax is not charged either");
        Assert.Equal(OrderStatus.Picking, after.Status);

        // Captured by the outbox under the pick's key, confirmed by the PSP's answer: the rest of the hold goes back to the card.
        var charged = await ChargedAsync(app, id);
        Assert.Equal((after.TotalMinor, before.TotalMinor - after.TotalMinor, 0L), (charged.CapturedMinor, charged.HoldReleasedMinor, charged.RefundedMinor));
        var payment = await PaymentAsync(id);
        Assert.Equal((PaymentStatus.Captured, before.TotalMinor, after.TotalMinor, before.TotalMinor - after.TotalMinor),
            (payment.Status, payment.AuthorizedMinor, payment.CapturedMinor, payment.ReleasedMinor));
        Assert.Empty(payment.Refunds); // no refund on the shopper's statement
        await using (var psp = await app.Services.GetRequiredService<IDbContextFactory<QCommerce.Web.Payments.Sandbox.PspSandboxDbContext>>().CreateDbContextAsync())
        {
            var intent = await psp.Intents.AsNoTracking().SingleAsync(i => i.Id == payment.CurrentAttempt.PspReference);
            Assert.Equal(("succeeded", after.TotalMinor, "manual"), (intent.Status, intent.AmountReceived, intent.CaptureMethod));
            Assert.False(await psp.Refunds.AnyAsync(r => r.PaymentIntentId == intent.Id));
        }

        // The shelf never had the unit: on hand stays where the sale left it, and the ledger says why.
        Assert.Equal(onHandAfterSale, (await StockAsync(skus[0])).OnHand);
        await using (var db = app.Database.CreateContext())
            Assert.Single(await db.StockMovements.Where(m => m.SkuId == skus[0] && m.Reference == PublicId.Format(PublicId.Order, id)).ToListAsync(),
                m => m.Kind == StockMovementKind.ShortPick);

        var seen = await shopper.GetAsync($"/v1/orders/{PublicId.Format(PublicId.Order, id)}");
        Assert.Contains(seen.GetProperty("items").EnumerateArray(), i => i.GetProperty("shortQty").GetInt32() == 1);
        var told = seen.GetProperty("timeline").EnumerateArray().Select(e => e.GetProperty("reason").GetString()).ToList();
        Assert.Contains(told, r => r?.Contains("Not in stock after all") == true && r.Contains($"You pay {after.Total}") && r.Contains("never charged"));
        Assert.Contains(told, r => r == $"Charged {after.Total} to your card; the other {new Money(after.Currency, before.TotalMinor - after.TotalMinor)} held went back to your card.");
        Assert.Equal([AuditActions.PickStart, AuditActions.PickFinish], (await AuditAsync(id)).Select(a => a.Action));
    }

    [Fact]
    public async Task APaidOrder_GoesFromPickingToTheDoor_OnlyOnceItsCardIsCharged_WithItsTimesAndEveryStepAudited()
    {
        var (_, id, skus) = await PaidCardOrderAsync(app, skuOffset: 72);
        await Fulfil.StartPickingAsync(Admin, id);
        var faults = app.Services.GetRequiredService<QCommerce.Web.Payments.Sandbox.SandboxFaults>();
        faults.Latency = TimeSpan.FromSeconds(2); // the PSP takes its time: the capture is in flight when the rider is at the door
        try
        {
            await Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 2), new(skus[1], 1)]);
            var unpaid = await Assert.ThrowsAsync<ConflictException>(() => Fulfil.DispatchAsync(Admin, id, "Sam Rider"));
            Assert.Contains("waits for its card to be charged", unpaid.Message);
        }
        finally
        {
            faults.Latency = TimeSpan.Zero;
        }
        await ChargedAsync(app, id);
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
    public async Task StaffCancellingAHeldOrder_CancelsIt_ReleasesTheHold_AndPutsTheStockBack()
    {
        var (shopper, id, skus) = await PaidCardOrderAsync(app, skuOffset: 84);
        var sold = (await StockAsync(skus[0])).OnHand;

        Assert.Equal(OrderStatus.Cancelled, await Staff.CancelAsync(Admin, id, "a pipe burst in the store"));

        Assert.Equal(sold + 2, (await StockAsync(skus[0])).OnHand);
        var payment = await Eventually.Async(() => PaymentAsync(id), p => p.Status == PaymentStatus.Voided, "the hold to be released at the PSP");
        Assert.Equal((0L, payment.AuthorizedMinor), (payment.CapturedMinor, payment.ReleasedMinor));
        Assert.Empty(payment.Refunds);
        var order = await Eventually.Async(() => OrderAsync(id), o => o.Hold == CardHold.Released, "the order to hear of it");
        Assert.Equal((order.HeldMinor, 0L), (order.HoldReleasedMinor, order.RefundedMinor));
        Assert.Contains(order.Events, e => e.Reason == $"The {new Money(order.Currency, order.HeldMinor)} held on your card was released; nothing was charged.");
        Assert.Single(await AuditAsync(id), a => a.Action == AuditActions.OrderCancel && a.Note == "a pipe burst in the store");
        await Assert.ThrowsAsync<RequestRejectedException>(() => Staff.CancelAsync(Admin, id, " "));
        await Assert.ThrowsAsync<ConflictException>(() => Staff.CancelAsync(Admin, id, "again"));
        var refund = await Assert.ThrowsAsync<ConflictException>(() => app.Services.GetRequiredService<OrderRefundService>()
            .RefundAsync(Admin, id, new StaffRefundRequest(null, 100, false, "sorry"), Guid.NewGuid()));
        Assert.Contains("was never charged (its hold was released)", refund.Message);
    }

    [Fact]
    public async Task StaffCancellingAChargedOrder_StillInTheStore_RefundsItInFull_AndPutsTheStockBack()
    {
        var (_, id, skus) = await ChargedCardOrderAsync(app, skuOffset: 85);
        var sold = (await StockAsync(skus[0])).OnHand;

        Assert.Equal(OrderStatus.RefundPending, await Staff.CancelAsync(Admin, id, "the rider never came"));

        await Eventually.Async(async () => (await OrderAsync(id)).Status, s => s == OrderStatus.Refunded, "the order to be refunded");
        Assert.Equal(sold + 2, (await StockAsync(skus[0])).OnHand);
        var payment = await PaymentAsync(id);
        Assert.Equal((PaymentStatus.Refunded, payment.CapturedMinor), (payment.Status, payment.RefundedMinor));
    }

    [Fact]
    public async Task AHeldOrder_CannotBeRefunded_NorCancelledWhileItsCardIsBeingCharged()
    {
        var (_, id, skus) = await PaidCardOrderAsync(app, skuOffset: 87);
        var refunds = app.Services.GetRequiredService<OrderRefundService>();
        var early = await Assert.ThrowsAsync<ConflictException>(() => refunds.RefundAsync(Admin, id, new StaffRefundRequest([new(skus[0], 1)], null, true, "bruised"), Guid.NewGuid()));
        Assert.Contains("only held on the card", early.Message);

        await Fulfil.StartPickingAsync(Admin, id);
        var faults = app.Services.GetRequiredService<QCommerce.Web.Payments.Sandbox.SandboxFaults>();
        faults.Latency = TimeSpan.FromSeconds(2);
        try
        {
            await Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 2), new(skus[1], 1)]);
            var cancel = await Assert.ThrowsAsync<ConflictException>(() => Staff.CancelAsync(Admin, id, "changed our mind"));
            Assert.Contains("is being charged", cancel.Message);
            await Assert.ThrowsAsync<ConflictException>(() => refunds.RefundAsync(Admin, id, new StaffRefundRequest(null, 100, false, "sorry"), Guid.NewGuid()));
        }
        finally
        {
            faults.Latency = TimeSpan.Zero;
        }
        var charged = await ChargedAsync(app, id);
        Assert.Equal((OrderStatus.Picking, 0L), (charged.Status, charged.RefundedMinor));
        Assert.Single(await AuditAsync(id), a => a.Action == AuditActions.PickFinish); // the refused steps wrote nothing
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
