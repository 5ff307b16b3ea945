using Microsoft.Extensions.DependencyInjection;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Tests.Fulfillment;

namespace QCommerce.Tests.Payments;

/// <summary>
/// The demo shop as <c>dotnet run</c> makes it, order history included: its card orders waiting to be picked hold their
/// money at the sandbox like a shopper's own (the sandbox learns the demo's PaymentIntents at start), so staff trying the
/// portal can pick one and see it charged, or cancel one and see its hold released; the PSP never says "no such
/// payment_intent" about them.
/// </summary>
public sealed class DemoPaymentsTests : IAsyncLifetime
{
    private readonly QCommerceApp _app = new(DatabaseProvider.Sqlite, new Dictionary<string, string?> { ["Database:DemoOrders"] = "600" });

    public Task InitializeAsync() => _app.InitializeAsync();

    public Task DisposeAsync() => _app.DisposeAsync();

    [Fact]
    public async Task ADemoOrderWaitingToBePicked_IsChargedAtItsPick_AndAnotherCancelledHasItsHoldReleased()
    {
        List<int> held;
        await using (var db = _app.Database.CreateContext())
            held = await db.Orders.Where(o => o.Status == OrderStatus.Paid && o.Hold == CardHold.Held).OrderBy(o => o.Id).Select(o => o.Id).Take(2).ToListAsync();
        Assert.Equal(2, held.Count);

        var charged = await FulfillmentServiceTests.PickAndChargeAsync(_app, held[0]);
        Assert.Equal((charged.TotalMinor, 0L), (charged.CapturedMinor, charged.RefundedMinor));
        await _app.Services.GetRequiredService<FulfillmentService>().DispatchAsync(TestStaff.Admin, held[0], "Sam");

        Assert.Equal(OrderStatus.Cancelled, await _app.Services.GetRequiredService<StaffOrderService>().CancelAsync(TestStaff.Admin, held[1], "trying the portal"));
        await Eventually.Async(async () =>
        {
            await using var db = _app.Database.CreateContext();
            return await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == held[1]);
        }, p => p.Status == PaymentStatus.Voided, "the demo hold to be released at the sandbox");

        var mark = _app.Logs.Mark;
        await _app.Services.GetRequiredService<PaymentReconciliation>().RunOnceAsync();
        Assert.DoesNotContain(_app.Logs.Since(mark), e => e.Message.Contains("pi_demo_", StringComparison.Ordinal) || e.Message.Contains("cs_demo_", StringComparison.Ordinal));
        Assert.DoesNotContain(_app.Logs.Entries, e => e.Message.Contains("No such", StringComparison.Ordinal));
    }
}
