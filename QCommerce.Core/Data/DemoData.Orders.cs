using QCommerce.Core.Fulfillment;
using QCommerce.Core.Identity;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Data;

public static partial class DemoData
{
    private static readonly string[] RiderNotes =
        ["Buzz 4B, then third floor", "Leave it with the doorman", "Call when outside; the bell is broken", "Side door on the left, not the shop"];

    /// <summary>
    /// An order history for a new ops user to see a living portal: <paramref name="count"/> orders over the last 14 days
    /// across the stores, by card and cash, most delivered (mostly on time), some short-picked, some cancelled or
    /// refunded, and a few of the last hour still open or stuck. Every order moved through the domain's own methods
    /// (so its timeline, totals and payment add up); stock is left as it is, as if counted after them. Deterministic.
    /// </summary>
    public static async Task SeedOrderHistoryAsync(QCommerceDbContext db, int count, Func<string, decimal> taxRateOfRegion, TimeProvider clock, ILogger logger,
        CancellationToken ct = default)
    {
        if (count <= 0 || await db.Orders.AnyAsync(ct)) return;
        var now = clock.UtcNow();
        var random = new Random(20261201);
        var stores = await db.Stores.AsNoTracking().Include(s => s.Region).Include(s => s.DeliveryZips).ToListAsync(ct);
        var prices = await db.Prices.AsNoTracking().Where(p => p.EffectiveToUtc == null).ToListAsync(ct);
        var skus = await (from s in db.Skus.AsNoTracking()
                          join p in db.Products.AsNoTracking() on s.ProductId equals p.Id
                          where p.IsActive
                          select new { s.Id, s.ProductId, p.Title, s.Unit, s.Size }).ToListAsync(ct);
        var shoppers = await DemoShoppersAsync(db, now, ct);
        var streets = new[] { "Broadway", "W 42nd Street", "Mercer Street", "Atlantic Avenue", "Bedford Avenue", "Lexington Avenue", "Court Street" };

        var started = clock.GetTimestamp();
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var plans = new List<(Order Order, DarkStore Store, DateTime PlacedAt, int Fate)>();
        var seeded = 0;
        // When each order was placed and what becomes of it, in time order, so ids follow time as they do in a live shop.
        // Older orders are history; the last ~3% are from the last half hour and still moving, three of them stuck
        // (paid half an hour ago and not picked, picked for 45 minutes, a refund pending for two hours).
        var recentCount = Math.Max(8, count / 30);
        var lives = Enumerable.Range(0, count).Select(i =>
        {
            var fromEnd = count - i;
            var fate = fromEnd <= 3 ? 109 + fromEnd : fromEnd <= recentCount ? 100 + random.Next(4) : random.Next(100);
            var placedAt = fate switch
            {
                110 => now.AddMinutes(-32),
                111 => now.AddMinutes(-50),
                112 => now.AddHours(-2),
                100 => now.AddMinutes(-random.Next(2, 9)), // to pick, still within the ten minutes
                _ when fate >= 100 => now.AddMinutes(-random.Next(8, 19)),
                _ => DaytimeIn(now.AddDays(-random.Next(0, 14)), random, now),
            };
            return (PlacedAt: placedAt, Fate: fate);
        }).OrderBy(l => l.PlacedAt).ToList();
        // A thousand at a time: each batch is placed, saved (its lines get their ids), moved along, saved, and forgotten,
        // so 100,000 orders (bench/ops.sh) seed in flat memory.
        foreach (var batch in lives.Chunk(1000))
        {
            plans.Clear();
            db.ChangeTracker.Clear();
            foreach (var (placedAt, fate) in batch)
            {
                var store = stores[random.Next(stores.Count)];
                var method = random.NextDouble() < 0.75 ? PaymentMethod.Card : PaymentMethod.CashOnDelivery;
                var lines = new List<OrderLine>();
                foreach (var sku in skus.OrderBy(_ => random.Next()).Take(random.Next(1, 6)))
                {
                    var price = prices.FirstOrDefault(p => p.SkuId == sku.Id && p.RegionId == store.RegionId);
                    if (price is null) continue;
                    lines.Add(new OrderLine(sku.Id, sku.ProductId, sku.Title, Catalog.SkuSizes.Label(sku.Unit, sku.Size), null,
                        new Money(price.Currency, price.AmountMinor), random.Next(1, 4)));
                }
                if (lines.Count == 0) continue;
                var subtotal = Money.Sum(lines[0].Currency, lines.Select(l => l.LineTotal));
                var priceOf = OrderPricing.Calculate(subtotal, null, new Money(subtotal.Currency, store.DeliveryFeeMinor),
                    new Money(subtotal.Currency, store.FreeDeliveryThresholdMinor), taxRateOfRegion(store.Region.Code));
                var userId = shoppers[random.Next(shoppers.Count)];
                var zip = store.DeliveryZips[random.Next(store.DeliveryZips.Count)].Zip;
                // A fictional 555-01xx number and, now and then, a note for the rider; read off the order count, not the random
                // sequence, so the rest of the demo stays as it was.
                var address = new DeliveryAddress($"{random.Next(1, 900)} {streets[random.Next(streets.Length)]}", null, "New York", zip,
                    $"+1212555{100 + plans.Count % 100:0000}", plans.Count % 4 == 0 ? RiderNotes[plans.Count / 4 % RiderNotes.Length] : null);
                var order = Order.Place(userId, store.Id, method, address, DeliveryPromise.Asap(placedAt.AddMinutes(store.BaseEtaMinutes + 10)),
                    lines, priceOf, null, placedAt, placedAt.AddMinutes(15));
                db.Orders.Add(order);
                plans.Add((order, store, placedAt, fate));
            }
            await db.SaveChangesAsync(ct);
            foreach (var (order, store, placedAt, fate) in plans)
                Advance(db, order, placedAt, fate, now, random);
            await db.SaveChangesAsync(ct);
            seeded += plans.Count;
        }
        await tx.CommitAsync(ct);
        logger.LogInformation("Seeded a demo order history: {Count} orders over 14 days in {Elapsed} ms", seeded, (long)clock.GetElapsedTime(started).TotalMilliseconds);
    }

    /// <summary>
    /// Moves one placed order along the life its <paramref name="fate"/> gives it: 0-99 history (expired, cancelled, delivered,
    /// some short or refunded), 100-103 the last half hour (to pick, picking, packed, on its way), 110-112 stuck (not picked
    /// for half an hour, picking for 45 minutes, not picked for two hours).
    /// </summary>
    private static void Advance(QCommerceDbContext db, Order order, DateTime placedAt, int fate, DateTime now, Random random)
    {
        var t = placedAt.AddSeconds(random.Next(30, 120));
        if (fate < 4) // never paid or confirmed: expired
        {
            order.Expire(placedAt.AddMinutes(15));
            return;
        }
        Payment? payment = null;
        if (order.PaymentMethod == PaymentMethod.Card)
        {
            order.BeginPayment("shopper", t);
            payment = Payment.Start(order, t.AddMinutes(31), t);
            payment.RecordCheckout(1, $"cs_demo_{order.Id}", null, t);
            payment.ObserveCheckout($"cs_demo_{order.Id}", PspCheckoutStatus.Complete, $"pi_demo_{order.Id}", t);
            // Held at checkout, charged for what is picked (Order.Hold.cs), as a shopper's own order is.
            payment.Observe($"pi_demo_{order.Id}", PspIntentStatus.Authorized, 0, order.Currency, null, t, amountCapturableMinor: order.TotalMinor);
            order.ReceiveHold(order.TotalMinor, order.Currency, "psp", t);
            db.Payments.Add(payment);
        }
        else order.Confirm("ops:demo@qcommerce.local", t);

        switch (fate)
        {
            case < 7: // the shopper changed their mind before picking
                order.Cancel("Cancelled by the shopper.", "shopper", t.AddMinutes(2), Guid.NewGuid(), byShopper: true);
                if (payment is not null)
                {
                    payment.Observe(payment.CurrentAttempt.PspReference!, PspIntentStatus.Canceled, 0, order.Currency, null, t.AddMinutes(3));
                    order.HoldEnded(lapsed: false, "psp", t.AddMinutes(3));
                }
                return;
            case 100 or 110 or 112: return; // to pick (110 and 112: for half an hour and two hours already)
        }

        var picker = "ops:demo@qcommerce.local";
        t = t.AddMinutes(random.Next(1, 6));
        order.StartPicking(picker, t);
        var fulfillment = new OrderFulfillment(order, picker, t);
        db.Fulfillments.Add(fulfillment);
        if (fate is 101 or 111) return; // being picked (111: for far too long)

        var found = order.Lines.GroupBy(l => l.SkuId).Select(g => new FoundUnits(g.Key, g.Sum(l => l.Quantity))).ToList();
        if (fate is >= 7 and < 13 && found.FindIndex(f => f.Found > 1) is >= 0 and var shortOne) found[shortOne] = found[shortOne] with { Found = found[shortOne].Found - 1 };
        t = t.AddMinutes(random.Next(3, 9));
        var picked = order.FinishPick(found, picker, t, Guid.NewGuid());
        fulfillment.Picked(picked.ShortUnits, t);
        if (payment is not null) Charge(order, payment, t.AddMinutes(1));
        if (fate == 102) return; // packed, waiting for a rider

        var rider = new[] { "Sam", "Ana", "Lee", "Maya", "Omar", "Priya" }[random.Next(6)];
        t = t.AddMinutes(random.Next(1, 4));
        order.SendOut(rider, picker, t);
        fulfillment.Dispatched(rider, t);
        if (fate >= 100) return; // on its way

        // Nine in ten arrive by the promise; the rest a few minutes late.
        t = random.NextDouble() < 0.9 ? Min(t.AddMinutes(random.Next(4, 12)), order.DeliveryByUtc.AddMinutes(-1)) : order.DeliveryByUtc.AddMinutes(random.Next(2, 15));
        Money? cash = order.PaymentMethod == PaymentMethod.CashOnDelivery ? order.Total : null;
        order.Deliver(cash, "ops:demo@qcommerce.local", t);
        fulfillment.Delivered(cash?.MinorUnits, t);
        if (fate is >= 13 and < 17 && payment is not null && order.Lines.FirstOrDefault(l => l.KeptQuantity > 0) is { } damaged)
        {
            order.Refund([new Order.UnitsToRefund(damaged.SkuId, 1)], null, restock: false, "Damaged in delivery.", "ops:demo@qcommerce.local", t.AddHours(2), Guid.NewGuid());
            Refund(order, payment, t.AddHours(2));
        }
        order.TakeEffects(); // the seeded history leaves stock as it is, as if counted after it
    }

    private static DateTime Min(DateTime a, DateTime b) => a < b ? a : b;

    /// <summary>The refunds the order's account decided, made and settled at once, as the PSP would a moment later.</summary>
    /// <summary>The pick's capture, taken by the PSP at once: the order charged, the rest of the hold released.</summary>
    private static void Charge(Order order, Payment payment, DateTime at)
    {
        foreach (var due in order.TakeEffects().OfType<CaptureDue>())
        {
            payment.RequestCapture(due.AmountMinor, due.Key, at);
            payment.Observe(payment.CurrentAttempt.PspReference!, PspIntentStatus.Succeeded, due.AmountMinor, payment.Currency, null, at);
            order.ReceivePayment(due.AmountMinor, payment.Currency, Guid.NewGuid(), "psp", at);
        }
    }

    private static void Refund(Order order, Payment payment, DateTime at)
    {
        foreach (var due in order.TakeEffects().OfType<RefundDue>())
        {
            var refund = payment.RequestRefund(due.AmountMinor, due.Reason, "system", at, due.Key);
            payment.ObserveRefund($"re_demo_{Guid.NewGuid():N}", refund.Key, refund.AmountMinor, RefundStatus.Succeeded, null, at);
            order.RefundSettled(refund.AmountMinor, succeeded: true, null, "psp", at);
        }
    }

    /// <summary>A time on <paramref name="day"/> between 07:00 and 22:00 New York time, never in the future.</summary>
    private static DateTime DaytimeIn(DateTime day, Random random, DateTime now)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById("America/New_York");
        var local = TimeZoneInfo.ConvertTimeFromUtc(day, zone).Date.AddHours(7).AddMinutes(random.Next(0, 15 * 60));
        var utc = TimeZoneInfo.ConvertTimeToUtc(DateTime.SpecifyKind(local, DateTimeKind.Unspecified), zone);
        return utc < now.AddHours(-1) ? utc : now.AddHours(-1).AddMinutes(-random.Next(0, 600));
    }

    /// <summary>Forty demo shoppers, who cannot sign in (they have no password).</summary>
    private static async Task<List<string>> DemoShoppersAsync(QCommerceDbContext db, DateTime now, CancellationToken ct)
    {
        var shoppers = new List<string>();
        for (var i = 1; i <= 40; i++)
        {
            var email = $"demo.shopper{i:00}@example.com";
            var user = new AppUser
            {
                UserName = email, NormalizedUserName = email.ToUpperInvariant(), Email = email, NormalizedEmail = email.ToUpperInvariant(),
                EmailConfirmed = true, DisplayName = $"Demo Shopper {i}", CreatedAtUtc = now.AddDays(-30), SecurityStamp = Guid.NewGuid().ToString("N"),
            };
            db.Users.Add(user);
            shoppers.Add(user.Id);
        }
        await db.SaveChangesAsync(ct);
        return shoppers;
    }
}
