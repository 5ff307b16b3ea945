using CsCheck;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;
using QCommerce.Tests.Fulfillment;
using QCommerce.Web.Payments.Sandbox;

namespace QCommerce.Tests.Ordering;

/// <summary>One thing staff, the shopper or the PSP does to a paid order; its numbers are read against the order as it stands.</summary>
public abstract record MoneyStep
{
    public sealed record RefundUnits(int Line, int Units, bool Restock) : MoneyStep;
    public sealed record RefundAmount(int Minor) : MoneyStep;
    public sealed record StartPicking : MoneyStep;
    public sealed record FinishPick(int[] FoundPercent) : MoneyStep;
    public sealed record StaffCancel : MoneyStep;
    public sealed record Dispatch : MoneyStep;
    public sealed record Deliver : MoneyStep;
    public sealed record PspRefund(int Percent) : MoneyStep;
}

/// <summary>
/// The order's money as a property (issue 21): random sequences of staff and PSP actions on one paid card order, on the real
/// app with the sandbox PSP, and after every step: refunded never above captured; the money kept is the value of what was
/// delivered or is still to deliver, less goodwill; the PSP's refunds are ours; the stock ledger is on hand.
/// </summary>
public abstract class OrderMoneyPropertyTests(QCommerceApp app)
{
    private static readonly StaffActor Admin = TestStaff.Admin;

    private static readonly Gen<MoneyStep> Step = Gen.Frequency(
        (4, Gen.Select(Gen.Int[0, 2], Gen.Int[1, 3], Gen.Bool, (l, u, r) => (MoneyStep)new MoneyStep.RefundUnits(l, u, r))),
        (2, Gen.Int[1, 2500].Select(m => (MoneyStep)new MoneyStep.RefundAmount(m))),
        (4, Gen.Const((MoneyStep)new MoneyStep.StartPicking())),
        (4, Gen.Int[0, 100].Array[3].Select(f => (MoneyStep)new MoneyStep.FinishPick(f))),
        (1, Gen.Const((MoneyStep)new MoneyStep.StaffCancel())),
        (2, Gen.Const((MoneyStep)new MoneyStep.Dispatch())),
        (2, Gen.Const((MoneyStep)new MoneyStep.Deliver())),
        (1, Gen.Int[1, 100].Select(p => (MoneyStep)new MoneyStep.PspRefund(p))));

    [Fact]
    public async Task AnySequenceOfActions_KeepsTheMoneyAccountTrue()
    {
        var seconds = int.TryParse(Environment.GetEnvironmentVariable("QC_PROPERTY_SECONDS"), out var s) ? s : 20;
        await Step.Array[1, 8].SampleAsync(RunAsync, writeLine: Console.WriteLine, iter: -1, time: seconds, threads: 1, print: p => string.Join(" → ", p.Select(x => x.ToString())));
    }

    private async Task RunAsync(MoneyStep[] steps)
    {
        var (_, orderId, _) = await FulfillmentServiceTests.PaidCardOrderAsync(app, skuOffset: 200);
        var model = await MoneyModel.ReadAsync(app, orderId);
        var done = new List<string>();
        foreach (var step in steps)
        {
            var ok = await ApplyAsync(orderId, model, step);
            done.Add($"{step}{(ok ? "" : " (refused)")}");
            await QuietAsync();
            await model.CheckAsync(app, orderId, string.Join(" → ", done));
        }
    }

    private async Task<bool> ApplyAsync(int orderId, MoneyModel model, MoneyStep step)
    {
        try
        {
            switch (step)
            {
                case MoneyStep.RefundUnits(var line, var units, var restock):
                    var l = model.Lines[line % model.Lines.Count];
                    await app.Services.GetRequiredService<OrderRefundService>().RefundAsync(Admin, orderId,
                        new StaffRefundRequest([new(l.SkuId, units)], null, restock, "Bruised"), Guid.NewGuid());
                    model.RemoveUnits(l.SkuId, units);
                    return true;
                case MoneyStep.RefundAmount(var minor):
                    await app.Services.GetRequiredService<OrderRefundService>().RefundAsync(Admin, orderId,
                        new StaffRefundRequest(null, minor, false, "Late"), Guid.NewGuid());
                    model.Goodwill += minor;
                    return true;
                case MoneyStep.StartPicking:
                    await app.Services.GetRequiredService<FulfillmentService>().StartPickingAsync(Admin, orderId);
                    return true;
                case MoneyStep.FinishPick(var found):
                    var lines = model.Lines.Select((x, i) => new FoundUnits(x.SkuId, x.Ordered * found[i % found.Length] / 100)).ToList();
                    await app.Services.GetRequiredService<FulfillmentService>().FinishPickingAsync(Admin, orderId, lines);
                    foreach (var pick in lines) model.RemoveUnits(pick.SkuId, model.Lines.First(x => x.SkuId == pick.SkuId).Ordered - pick.Found, shortPick: true);
                    return true;
                case MoneyStep.StaffCancel:
                    await app.Services.GetRequiredService<StaffOrderService>().CancelAsync(Admin, orderId, "Closing early");
                    model.Cancelled = true;
                    return true;
                case MoneyStep.Dispatch:
                    await app.Services.GetRequiredService<FulfillmentService>().DispatchAsync(Admin, orderId, "Sam");
                    return true;
                case MoneyStep.Deliver:
                    await app.Services.GetRequiredService<FulfillmentService>().DeliverAsync(Admin, orderId, null);
                    return true;
                case MoneyStep.PspRefund(var percent):
                    var (intent, left) = await PspRefundableAsync(orderId);
                    var amount = Math.Max(1, left * percent / 100);
                    if (left <= 0) return false;
                    await app.Services.GetRequiredService<SandboxPsp>().RefundFromDashboardAsync(intent, amount, default);
                    model.Goodwill += amount;
                    return true;
            }
        }
        catch (DomainException)
        {
            return false;
        }
        return false;
    }

    private async Task<(string Intent, long Left)> PspRefundableAsync(int orderId)
    {
        await using var db = app.Database.CreateContext();
        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == orderId);
        var intent = payment.CapturedAttempt!.PspReference!;
        await using var psp = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync();
        var refunded = await psp.Refunds.Where(r => r.PaymentIntentId == intent && r.Status != "failed").SumAsync(r => r.Amount);
        var ours = payment.Refunds.Where(r => r.Status != RefundStatus.Failed && r.PspRefundId == null).Sum(r => r.AmountMinor);
        return (intent, payment.CapturedMinor - refunded - ours);
    }

    /// <summary>Waits until nothing is moving: the outbox delivered, the PSP's refunds settled and its events sent.</summary>
    private async Task QuietAsync()
    {
        await Eventually.Async(async () =>
        {
            await using var db = app.Database.CreateContext();
            var outbox = await db.OutboxMessages.CountAsync(m => m.ProcessedAtUtc == null);
            await using var psp = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync();
            var pending = await psp.Refunds.CountAsync(r => r.Status == "pending");
            var unsent = await psp.Webhooks.CountAsync(w => w.DeliveredAtUtc == null && !w.Lost);
            return outbox + pending + unsent;
        }, n => n == 0, "the outbox, the PSP and its webhooks to settle", TimeSpan.FromSeconds(30));
    }
}

/// <summary>What the order should hold, kept by the test beside the app: units still the shopper's, goodwill, cancelled or not.</summary>
public sealed class MoneyModel
{
    public sealed record Line(int SkuId, int Ordered, long UnitMinor)
    {
        public int Kept { get; set; } = Ordered;
    }

    public required List<Line> Lines { get; init; }
    public required PriceBreakdown Placed { get; init; }
    public required decimal TaxRate { get; init; }
    public required long Captured { get; init; }
    public long Goodwill { get; set; }
    public bool Cancelled { get; set; }
    public int Removals { get; private set; }

    /// <summary>On hand less the ledger's sum per SKU when the test began (the test set the stock by hand): it must never move.</summary>
    public Dictionary<int, int> LedgerGap { get; } = [];

    public static async Task<MoneyModel> ReadAsync(QCommerceApp app, int orderId)
    {
        await using var db = app.Database.CreateContext();
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).SingleAsync(o => o.Id == orderId);
        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == orderId);
        var store = await app.Services.GetRequiredService<StoreDirectory>().GetAsync(order.StoreId);
        var model = new MoneyModel
        {
            Lines = order.Lines.GroupBy(l => l.SkuId).Select(g => new Line(g.Key, g.Sum(l => l.Quantity), g.First().UnitPriceMinor)).ToList(),
            Placed = order.Price,
            TaxRate = app.Services.GetRequiredService<IOptions<PricingOptions>>().Value.TaxRateFor(store.RegionCode),
            Captured = payment.CapturedMinor,
        };
        foreach (var line in model.Lines) model.LedgerGap[line.SkuId] = await GapAsync(db, line.SkuId);
        return model;
    }

    private static async Task<int> GapAsync(QCommerceDbContext db, int skuId) =>
        await db.Stock.Where(s => s.StoreId == Demo.Midtown && s.SkuId == skuId).Select(s => s.OnHand).SingleAsync()
        - await db.StockMovements.Where(m => m.StoreId == Demo.Midtown && m.SkuId == skuId).SumAsync(m => m.Quantity);

    public void RemoveUnits(int skuId, int units, bool shortPick = false)
    {
        var line = Lines.First(l => l.SkuId == skuId);
        var gone = shortPick ? Math.Min(units, line.Kept) : units;
        line.Kept -= gone;
        if (gone > 0) Removals++;
    }

    /// <summary>The value of what the shopper keeps, the fee included, less goodwill; nothing once cancelled.</summary>
    public long Owed()
    {
        if (Cancelled) return 0;
        var remaining = new Money(Placed.Total.Currency, Lines.Sum(l => l.UnitMinor * l.Kept));
        return Math.Max(0, OrderPricing.Reprice(Placed, remaining, TaxRate).Total.MinorUnits - Goodwill);
    }

    public async Task CheckAsync(QCommerceApp app, int orderId, string steps)
    {
        await using var db = app.Database.CreateContext();
        var payment = await db.Payments.AsNoTracking().SingleAsync(p => p.OrderId == orderId);
        var refunded = payment.Refunds.Where(r => r.Status != RefundStatus.Failed).Sum(r => r.AmountMinor);
        Assert.True(refunded <= payment.CapturedMinor, $"refunded {refunded} > captured {payment.CapturedMinor} after {steps}");
        var kept = payment.CapturedMinor - refunded;
        Assert.True(Math.Abs(kept - Owed()) <= Removals, $"kept {kept}, but the shopper owes {Owed()} for what they keep after {steps}");

        var intent = payment.CapturedAttempt!.PspReference!;
        await using var psp = await app.Services.GetRequiredService<IDbContextFactory<PspSandboxDbContext>>().CreateDbContextAsync();
        var atPsp = await psp.Refunds.Where(r => r.PaymentIntentId == intent && r.Status != "failed").SumAsync(r => r.Amount);
        Assert.True(atPsp == refunded, $"the PSP refunded {atPsp}, we say {refunded}, after {steps}");

        foreach (var line in Lines)
        {
            var gap = await GapAsync(db, line.SkuId);
            Assert.True(gap == LedgerGap[line.SkuId], $"sku {line.SkuId}: on hand moved {gap - LedgerGap[line.SkuId]} away from the ledger after {steps}");
        }
    }
}

public sealed class SqliteOrderMoneyPropertyTests(SqliteApp app) : OrderMoneyPropertyTests(app), IClassFixture<SqliteApp>;

public sealed class PostgresOrderMoneyPropertyTests(PostgresApp app) : OrderMoneyPropertyTests(app), IClassFixture<PostgresApp>;
