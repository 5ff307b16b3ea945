using System.Net;
using System.Text;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Ops;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Tests.Fulfillment;
using QCommerce.Web.Payments.Sandbox;

namespace QCommerce.Tests.Payments;

/// <summary>
/// The money held at checkout when things go wrong between the hold and the capture, on the real app, each provider and
/// the Stripe-speaking sandbox: a capture the PSP refuses (the hold lapsed without a word), a PSP that does not answer the
/// capture (asked again with backoff, a person told after five tries, taken once), a hold that lapses before the pick, and
/// the PSP's events of a charged payment delivered again and backwards. In every case the order never leaves the store
/// unpaid, and nothing is charged twice or refunded.
/// </summary>
public abstract class HoldAndCaptureTests(QCommerceApp app)
{
    private static readonly StaffActor Admin = TestStaff.Admin;

    private FulfillmentService Fulfil => app.Services.GetRequiredService<FulfillmentService>();
    private SandboxFaults Faults => app.Services.GetRequiredService<SandboxFaults>();

    private async Task<(Order Order, Payment Payment)> ReadAsync(int orderId)
    {
        await using var db = app.Database.CreateContext();
        return (await db.Orders.AsNoTracking().Include(o => o.Lines).Include(o => o.Events).AsSplitQuery().SingleAsync(o => o.Id == orderId),
            await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == orderId));
    }

    private async Task<SandboxIntent> IntentAsync(string intentId)
    {
        await using var psp = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync();
        return await psp.Intents.AsNoTracking().SingleAsync(i => i.Id == intentId);
    }

    private async Task LapseAsync(string intentId) => Assert.True(await SandboxControl.LapseHoldAsync(app, intentId), $"{intentId} holds nothing to lapse");

    [Fact]
    public async Task ACaptureThePspRefuses_HoldsTheOrderForAPerson_ItNeverLeaves_AndCancellingChargesNothing()
    {
        var (_, id, skus) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 150);
        await Fulfil.StartPickingAsync(Admin, id);
        var intent = (await ReadAsync(id)).Payment.CurrentAttempt.PspReference!;
        // The hold lapsed at the PSP and its news was lost: the shop learns of it only when it asks for the money.
        Faults.LoseWebhooks = true;
        try
        {
            await LapseAsync(intent);
        }
        finally
        {
            Faults.LoseWebhooks = false;
        }

        await Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 2), new(skus[1], 1)]);

        var (order, payment) = await Eventually.Async(() => ReadAsync(id), s => s.Order.Hold == CardHold.CaptureRefused, "the PSP's refusal to reach the order");
        Assert.Contains("could not be charged", order.MoneyReviewNote);
        Assert.Contains("could not be captured because it has a status of canceled", payment.CaptureFailure);
        Assert.Equal((0L, OrderStatus.Picking), (order.CapturedMinor, order.Status));
        var unpaid = await Assert.ThrowsAsync<ConflictException>(() => Fulfil.DispatchAsync(Admin, id, "Sam"));
        Assert.Contains("must not leave the store unpaid", unpaid.Message);
        var detail = await app.Services.GetRequiredService<OpsOrderQueries>().FindAsync(Admin, id);
        Assert.DoesNotContain(OpsAction.Dispatch, detail!.Actions);
        Assert.Contains(OpsAction.Cancel, detail.Actions);
        Assert.Contains(app.Logs.Entries, e => e.Level == Microsoft.Extensions.Logging.LogLevel.Error && e.Message.Contains("refused to capture") && e.Message.Contains(order.PublicId));

        Assert.Equal(OrderStatus.Cancelled, await app.Services.GetRequiredService<StaffOrderService>().CancelAsync(Admin, id, "card could not be charged"));
        (order, payment) = await Eventually.Async(() => ReadAsync(id), s => s.Payment.Status == PaymentStatus.Expired, "the PSP's word that the hold lapsed");
        Assert.Equal((0L, 0L, order.HeldMinor), (payment.CapturedMinor, order.RefundedMinor, payment.ReleasedMinor));
        Assert.Empty(payment.Refunds);
        Assert.Equal(("canceled", 0L), ((await IntentAsync(intent)).Status, (await IntentAsync(intent)).AmountReceived));
    }

    [Fact]
    public async Task ACaptureThePspDoesNotAnswer_IsAskedAgain_APersonIsToldAfterFiveTries_AndItIsTakenOnce()
    {
        var (_, id, skus) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 152);
        await Fulfil.StartPickingAsync(Admin, id);
        Faults.FailRequests = 100_000; // every call answers 500, retries included
        try
        {
            await Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 1), new(skus[1], 1)]);
            var (asked, payment) = await ReadAsync(id);
            Assert.Equal(CardHold.Capturing, asked.Hold);
            // The outbox's fifth delivery of the capture (the first four failed): a person is told, and it is asked again later.
            await Assert.ThrowsAsync<PaymentProviderUnavailableException>(() =>
                app.Services.GetRequiredService<CaptureService>().CaptureAsync(payment.Id, payment.CaptureKey!.Value, failedBefore: 4));
            var (told, _) = await ReadAsync(id);
            Assert.Contains("has not been charged", told.MoneyReviewNote);
            Assert.Equal(CardHold.Capturing, told.Hold);
            await Assert.ThrowsAsync<ConflictException>(() => Fulfil.DispatchAsync(Admin, id, "Sam"));
        }
        finally
        {
            Faults.Reset();
        }

        var charged = await Eventually.Async(() => ReadAsync(id), s => s.Order.Hold == CardHold.Captured, "the capture to land once the PSP answers", TimeSpan.FromSeconds(60));
        Assert.Equal(charged.Order.TotalMinor, charged.Order.CapturedMinor);
        var intent = await IntentAsync(charged.Payment.CurrentAttempt.PspReference!);
        Assert.Equal(charged.Order.TotalMinor, intent.AmountReceived); // taken once, for what was picked
        await Fulfil.DispatchAsync(Admin, id, "Sam");
    }

    [Fact]
    public async Task AHoldThatLapsesBeforeThePickIsDone_IsForAPerson_ThePickChargesNothing_AndTheOrderCannotLeave()
    {
        var (_, id, skus) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 154);
        await Fulfil.StartPickingAsync(Admin, id);
        var intent = (await ReadAsync(id)).Payment.CurrentAttempt.PspReference!;

        await LapseAsync(intent);

        var (order, payment) = await Eventually.Async(() => ReadAsync(id), s => s.Order.Hold == CardHold.Lapsed, "the lapse to reach the order");
        Assert.Equal((PaymentStatus.Expired, order.HeldMinor), (payment.Status, order.HoldReleasedMinor));
        Assert.Contains("lapsed", order.MoneyReviewNote);
        var picked = await Fulfil.FinishPickingAsync(Admin, id, [new(skus[0], 2), new(skus[1], 1)]);
        Assert.Equal((0L, 0L), (picked.ChargeMinor, picked.RefundMinor));
        await Assert.ThrowsAsync<ConflictException>(() => Fulfil.DispatchAsync(Admin, id, "Sam"));
        var refund = await Assert.ThrowsAsync<ConflictException>(() => app.Services.GetRequiredService<OrderRefundService>()
            .RefundAsync(Admin, id, new StaffRefundRequest(null, 100, false, "sorry"), Guid.NewGuid()));
        Assert.Contains("was never charged (its hold lapsed)", refund.Message);
        Assert.Equal(OrderStatus.Cancelled, await app.Services.GetRequiredService<StaffOrderService>().CancelAsync(Admin, id, "ask the shopper to order again"));

        // One whose hold lapsed before anyone started: nothing could be charged for it, so it is not picked at all.
        var (_, early, _) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 155);
        await LapseAsync((await ReadAsync(early)).Payment.CurrentAttempt.PspReference!);
        await Eventually.Async(() => ReadAsync(early), s => s.Order.Hold == CardHold.Lapsed, "the lapse to reach the order");
        var start = await Assert.ThrowsAsync<ConflictException>(() => Fulfil.StartPickingAsync(Admin, early));
        Assert.Contains("hold lapsed", start.Message);
    }

    [Fact]
    public async Task ThePspsEventsOfAChargedPayment_DeliveredAgainAndBackwards_ChangeNothing()
    {
        var (_, id, _) = await FulfillmentServiceTests.ChargedCardOrderAsync(app, skuOffset: 156);
        var (before, paymentBefore) = await ReadAsync(id);
        var intent = paymentBefore.CurrentAttempt.PspReference!;
        List<string> events;
        await using (var psp = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync())
            events = await psp.Webhooks.AsNoTracking().Where(w => w.Payload.Contains(intent)).OrderByDescending(w => w.Id).Select(w => w.Payload).ToListAsync();
        Assert.Contains(events, e => e.Contains("\"payment_intent.amount_capturable_updated\""));
        Assert.Contains(events, e => e.Contains("\"payment_intent.succeeded\""));

        // Newest first (the capture before the hold, the completed page last), each twice.
        foreach (var payload in events.Concat(events)) await SendAsync(payload);
        // And a cancellation after the capture, as a late or forged event says: money taken is not released by a word.
        await SendAsync(events.First(e => e.Contains("\"payment_intent.succeeded\"")).Replace("\"payment_intent.succeeded\"", "\"payment_intent.canceled\"")
            .Replace("\"id\": \"evt_", "\"id\": \"evt_late").Replace("\"id\":\"evt_", "\"id\":\"evt_late"));

        var (after, paymentAfter) = await ReadAsync(id);
        Assert.Equal((before.Hold, before.CapturedMinor, before.HoldReleasedMinor, before.Version), (after.Hold, after.CapturedMinor, after.HoldReleasedMinor, after.Version));
        Assert.Null(after.MoneyReviewNote);
        Assert.Equal((PaymentStatus.Captured, paymentBefore.CapturedMinor, paymentBefore.Version), (paymentAfter.Status, paymentAfter.CapturedMinor, paymentAfter.Version));
        Assert.Single(after.Events, e => e.Reason?.StartsWith("Charged", StringComparison.Ordinal) == true);
    }

    [Fact]
    public async Task HoldsOfHours_AndOnesLapsingWithinADay_AreOnTheDashboard_ButAFreshOneIsNot()
    {
        var (_, fresh, _) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 158);
        var (_, old, _) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 158);
        var (_, lapsing, _) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 158);
        await using (var db = app.Database.CreateContext())
        {
            await db.Payments.Where(p => p.OrderId == old).ExecuteUpdateAsync(x => x.SetProperty(p => p.AuthorizedAtUtc, DateTime.UtcNow.AddHours(-4)));
            await db.Payments.Where(p => p.OrderId == lapsing).ExecuteUpdateAsync(x => x.SetProperty(p => p.AuthorizedAtUtc, DateTime.UtcNow.AddDays(-6.5)));
        }

        var holds = (await app.Services.GetRequiredService<OpsDashboard>().ReadAsync(Admin, Demo.Midtown)).Holds;

        Assert.DoesNotContain(holds, h => h.OrderId == fresh);
        var held = Assert.Single(holds, h => h.OrderId == old);
        Assert.Equal("held", held.Why);
        Assert.Equal((await ReadAsync(old)).Order.HeldMinor, held.Held.MinorUnits);
        var soon = Assert.Single(holds, h => h.OrderId == lapsing);
        Assert.Equal("lapses soon", soon.Why);
        Assert.InRange(soon.LapsesAtUtc, DateTime.UtcNow.AddHours(11), DateTime.UtcNow.AddHours(13));
        Assert.True(holds.ToList().IndexOf(soon) < holds.ToList().IndexOf(held), "oldest first");
        Assert.DoesNotContain((await app.Services.GetRequiredService<OpsDashboard>().ReadAsync(TestStaff.ScopedTo(Demo.Downtown), null)).Holds, h => h.OrderId == old);
    }

    private Task SendAsync(string payload) => SandboxControl.SendSignedAsync(app, payload);
}

public sealed class SqliteHoldAndCaptureTests(SqliteApp app) : HoldAndCaptureTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresHoldAndCaptureTests(PostgresApp app) : HoldAndCaptureTests(app), IClassFixture<PostgresApp>;
