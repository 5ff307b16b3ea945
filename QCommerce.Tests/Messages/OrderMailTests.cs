using System.Net;
using Microsoft.Extensions.DependencyInjection;
using MimeKit;
using QCommerce.Core.Common;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Messages;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Tests.Fulfillment;

namespace QCommerce.Tests.Messages;

/// <summary>The app, sending its messages to a real SMTP server in the test process.</summary>
public abstract class MailApp(DatabaseProvider provider) : IAsyncLifetime
{
    public SmtpSink Smtp { get; } = new();
    public QCommerceApp App { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        App = new QCommerceApp(provider, Smtp.Settings);
        await App.InitializeAsync();
    }

    public async Task DisposeAsync()
    {
        await App.DisposeAsync();
        await Smtp.DisposeAsync();
    }
}

public sealed class SqliteMailApp() : MailApp(DatabaseProvider.Sqlite);

public sealed class PostgresMailApp() : MailApp(DatabaseProvider.Postgres);

/// <summary>
/// A shopper hears of every step of their order by e-mail, through the relay: placed (the hold), picked (charged, released,
/// what was short), on its way, delivered (the receipt), refunded; cancelled; a failed payment with a way back. Each step is
/// one message, whatever the outbox does twice.
/// </summary>
public abstract class OrderMailTests(MailApp mail)
{
    private const string Succeeds = "4242 4242 4242 4242";
    private QCommerceApp App => mail.App;
    private SmtpSink Smtp => mail.Smtp;

    private static string Text(MimeMessage m) => m.TextBody ?? "";

    private async Task<MimeMessage> OneAsync(string to, string subjectPart)
    {
        var found = await Eventually.Async(() => Task.FromResult(Smtp.To(to).Where(m => (m.Subject ?? "").Contains(subjectPart, StringComparison.Ordinal)).ToList()),
            l => l.Count > 0, $"a message '{subjectPart}' to {to}");
        return Assert.Single(found);
    }

    [Fact]
    public async Task ACardOrdersLife_IsOneMessageAStep_WithTheHoldTheChargeTheShortLineAndTheReceipt()
    {
        var (shopper, orderId, skus) = await FulfillmentServiceTests.PaidCardOrderAsync(App, skuOffset: 40);
        var publicId = PublicId.Format(PublicId.Order, orderId);
        var placed = await OneAsync(shopper.Email, $"order {publicId} is placed");
        Assert.Contains("is held on your card", Text(placed));
        Assert.Contains("You pay only for what we pick", Text(placed));
        Assert.Contains($"/orders/{orderId}", Text(placed));
        Assert.Contains("100 Market Street", Text(placed)); // the shop's postal address in the footer
        Assert.Contains("<table", placed.HtmlBody);
        Assert.Equal("auto-generated", placed.Headers["Auto-Submitted"]);

        // One unit of the first line is not found: it is not charged, and the rest of the hold goes back.
        var fulfil = App.Services.GetRequiredService<FulfillmentService>();
        await fulfil.StartPickingAsync(TestStaff.Admin, orderId);
        await fulfil.FinishPickingAsync(TestStaff.Admin, orderId, [new FoundUnits(skus[0], 1), new FoundUnits(skus[1], 1)]);
        var charged = await FulfillmentServiceTests.ChargedAsync(App, orderId);
        var picked = await OneAsync(shopper.Email, $"Order {publicId} is packed");
        Assert.Contains("We could not find everything", Text(picked));
        Assert.Contains("1 ×", Text(picked));
        Assert.Contains("not charged", Text(picked));
        Assert.Contains($"Charged {new Money(charged.Currency, charged.CapturedMinor)} to your card", Text(picked));
        Assert.Contains("went back to your card, never charged", Text(picked));

        await fulfil.DispatchAsync(TestStaff.Admin, orderId, "Sam");
        Assert.Contains("on its way", Text(await OneAsync(shopper.Email, $"Order {publicId} is on its way")));
        await fulfil.DeliverAsync(TestStaff.Admin, orderId, null);
        var receipt = await OneAsync(shopper.Email, $"Order {publicId} was delivered");
        foreach (var part in new[] { "Subtotal", "Delivery", "Tax", "Total", $"Charged {new Money(charged.Currency, charged.CapturedMinor)}" })
            Assert.Contains(part, Text(receipt));

        await App.Services.GetRequiredService<OrderRefundService>().RefundAsync(TestStaff.Admin, orderId, new StaffRefundRequest(null, 150, false, "Bruised"), Guid.NewGuid());
        var refund = await OneAsync(shopper.Email, "Refund of $1.50");
        Assert.Contains("We refunded $1.50 to your card", Text(refund));

        // Every step once, each with its own Message-ID, and nothing else about the order (the sign-up's confirmation is the sixth).
        var all = (await Smtp.AwaitAsync(shopper.Email, 6)).Where(m => (m.Subject ?? "").Contains(publicId, StringComparison.Ordinal)).ToList();
        Assert.Equal(5, all.Count);
        Assert.Equal(5, all.Select(m => m.MessageId).Distinct().Count());
    }

    [Fact]
    public async Task ACashOrder_IsPlacedAndCancelled_WithTheReasonAndNothingOwed()
    {
        var shopper = await ApiShopper.SignUpAsync(App);
        var (orderId, _) = await shopper.PlaceOrderAsync(payment: "cod", skuOffset: 44);
        var placed = await OneAsync(shopper.Email, $"order {orderId} is placed");
        Assert.Contains("in cash when it arrives", Text(placed));
        Assert.Contains($"The rider calls {ApiShopper.Phone} if they need you.", Text(placed));
        Assert.Contains($"Your note for the rider: {ApiShopper.RiderNote}", Text(placed));

        await App.Services.GetRequiredService<StaffOrderService>().CancelAsync(TestStaff.Admin, FulfillmentServiceTests.Number(orderId), "The rider's bike broke");
        var cancelled = await OneAsync(shopper.Email, $"Order {orderId} was cancelled");
        Assert.Contains("Reason: Cancelled by the store: The rider's bike broke", Text(cancelled));
        Assert.Contains("Nothing is owed", Text(cancelled));
    }

    [Fact]
    public async Task ACardOrderCancelled_BeforeOrAfterItsCharge_SaysWhyInTheCancellersWords_AndWhatHappensToTheMoney()
    {
        // Held, then cancelled by the shopper: their reason, not the note of the hold's release that follows it.
        var (held, heldId, _) = await FulfillmentServiceTests.PaidCardOrderAsync(App, skuOffset: 48);
        var heldPublic = PublicId.Format(PublicId.Order, heldId);
        Assert.Equal(HttpStatusCode.Accepted, (await held.PostAsync($"/v1/orders/{heldPublic}/cancel", new { reason = "Ordered twice by mistake" }, null)).StatusCode);
        var cancelled = await OneAsync(held.Email, $"Order {heldPublic} was cancelled");
        Assert.Contains("Ordered twice by mistake", Text(cancelled));
        Assert.DoesNotContain("Reason: The ", Text(cancelled));

        // Charged (picked), then cancelled by the store: the order goes to a refund, never "Cancelled", and the shopper still hears.
        var (charged, chargedId, _) = await FulfillmentServiceTests.ChargedCardOrderAsync(App, skuOffset: 50);
        await App.Services.GetRequiredService<StaffOrderService>().CancelAsync(TestStaff.Admin, chargedId, "The store had to close");
        var chargedPublic = PublicId.Format(PublicId.Order, chargedId);
        var words = Text(await OneAsync(charged.Email, $"Order {chargedPublic} was cancelled"));
        Assert.Contains("The store had to close", words);
        Assert.Contains("all of it comes back", words);
        await OneAsync(charged.Email, $"for order {chargedPublic}"); // and the refund's own message when it lands
    }

    [Fact]
    public async Task ADeclinedCard_SendsALinkBackToTheOrder_AndAPaidOrderNoMore()
    {
        var shopper = await ApiShopper.SignUpAsync(App);
        var (orderId, _) = await shopper.PlaceOrderAsync(skuOffset: 46);
        var started = await ApiShopper.JsonAsync(await shopper.StartPaymentAsync(orderId), HttpStatusCode.Created);
        await ApiShopper.PayOnPspPageAsync(App, started.GetProperty("nextAction").GetProperty("url").GetString()!, "4000 0000 0000 0002");
        var failed = await OneAsync(shopper.Email, $"Payment for order {orderId} did not go through");
        Assert.Contains("Your card was declined", Text(failed));
        Assert.Contains($"Try the payment again ({App.BaseAddress}orders/{FulfillmentServiceTests.Number(orderId)})", Text(failed));
        Assert.DoesNotContain(Smtp.To(shopper.Email), m => (m.Subject ?? "").Contains("is placed", StringComparison.Ordinal));
    }

    [Fact]
    public async Task AMessageDeliveredAgain_OrTwiceAtOnce_IsSentOnce()
    {
        var shopper = await ApiShopper.SignUpAsync(App);
        var confirmation = await Inbox.AwaitAsync(App, shopper.Email, MailKind.ConfirmEmail, sent: true);
        await Smtp.AwaitAsync(shopper.Email);
        var sender = App.Services.GetServices<IOutboxHandler>().OfType<MailSender>().Single();
        var envelope = new OutboxEnvelope(Guid.NewGuid(), MailQueue.QueuedEvent, OutgoingMail.AggregateOf(confirmation.MessageId), 1, DateTime.UtcNow, null,
            $"{{\"messageId\":\"{confirmation.MessageId}\"}}");

        await sender.HandleAsync(envelope, CancellationToken.None); // a redelivery of a sent message
        Assert.Single(Smtp.To(shopper.Email));

        // A message queued without its outbox event (so no dispatcher touches it), handed to two senders at once (two instances).
        var to = $"race-{Guid.NewGuid():N}@example.com";
        await using (var db = App.Database.CreateContext())
        {
            await MailQueue.AddAsync(db, new MailDraft($"test:{to}", MailKind.ConfirmEmail, to, new RenderedMail("Race", "<p>Race</p>", "Race\n")), DateTime.UtcNow,
                CancellationToken.None);
            foreach (var queued in db.ChangeTracker.Entries<OutboxMessage>().ToList()) queued.State = EntityState.Detached;
            await db.SaveChangesAsync();
        }
        var unsent = await Inbox.AwaitAsync(App, to, MailKind.ConfirmEmail);
        var race = new OutboxEnvelope(Guid.NewGuid(), MailQueue.QueuedEvent, OutgoingMail.AggregateOf(unsent.MessageId), 1, DateTime.UtcNow, null,
            $"{{\"messageId\":\"{unsent.MessageId}\"}}");
        var outcomes = await Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            try
            {
                await sender.HandleAsync(race, CancellationToken.None);
                return "sent, or found sent";
            }
            catch (InvalidOperationException)
            {
                return "claimed by the other";
            }
        }));
        await Smtp.AwaitAsync(to);
        Assert.Equal(MailState.Sent, (await Inbox.AwaitAsync(App, to, MailKind.ConfirmEmail, sent: true)).State);
        Assert.Single(Smtp.To(to));
        Assert.Contains("sent, or found sent", outcomes);
    }

    [Fact]
    public async Task ARelayThatFailsForAWhile_IsTriedAgain_AndOneThatRefusesForGood_EndsTheMessage()
    {
        Smtp.FailNext(2, code: 451);
        var shopper = await ApiShopper.SignUpAsync(App);
        await Smtp.AwaitAsync(shopper.Email, timeout: TimeSpan.FromSeconds(30));
        var sent = await Inbox.AwaitAsync(App, shopper.Email, MailKind.ConfirmEmail, sent: true);
        Assert.Equal((2, MailState.Sent, "smtp"), (sent.FailedTries, sent.State, sent.Transport));
        Assert.Single(Smtp.To(shopper.Email));

        Smtp.FailNext(1, code: 550);
        var refused = await ApiShopper.SignUpAsync(App);
        var abandoned = await Eventually.Async(() => Inbox.AwaitAsync(App, refused.Email, MailKind.ConfirmEmail), m => m.State == MailState.Abandoned,
            "the refused message abandoned");
        Assert.Contains("550", abandoned.LastError);
        Assert.Empty(Smtp.To(refused.Email));
        // The error an operator acts on, without the address (logged just after the row is marked).
        var logged = await Eventually.Async(() => Task.FromResult(App.Logs.Entries.Where(e => e.Message.Contains("abandoned", StringComparison.Ordinal)).ToList()),
            l => l.Count > 0, "the abandoned message logged");
        Assert.DoesNotContain(logged, e => e.Message.Contains(refused.Email, StringComparison.Ordinal));
    }
}

[Collection("Mail SQLite")]
public sealed class SqliteOrderMailTests(SqliteMailApp app) : OrderMailTests(app), IClassFixture<SqliteMailApp>;

[Collection("Mail PostgreSQL")]
public sealed class PostgresOrderMailTests(PostgresMailApp app) : OrderMailTests(app), IClassFixture<PostgresMailApp>;
