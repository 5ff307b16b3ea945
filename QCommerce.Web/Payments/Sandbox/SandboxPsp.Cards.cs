using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>
/// The sandbox's hosted checkout page at work: Stripe's test cards, the 3-D Secure challenge, a card held (manual capture)
/// or charged, a decline that leaves the page open for another card. The PaymentIntent is made at the first card tried,
/// with what the session says of it (its amount, capture method, metadata), and kept for every later try on the page.
/// </summary>
public sealed partial class SandboxPsp
{
    /// <summary>The shopper submits a card on a session's page: Stripe's test cards decide what happens.</summary>
    public async Task<SandboxCardOutcome> PayAsync(string sessionId, string cardNumber, CancellationToken ct)
    {
        var digits = new string(cardNumber.Where(char.IsDigit).ToArray());
        return await WithGateAsync(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var session = await db.Sessions.FirstOrDefaultAsync(s => s.Id == sessionId, ct);
            if (session is not { Status: "open" }) return SandboxCardOutcome.NotPayable;
            var intent = session.PaymentIntentId is { } known ? await db.Intents.FirstAsync(i => i.Id == known, ct) : null;
            if (intent is { Status: "requires_action", CardLast4: not null }) return SandboxCardOutcome.ChallengeRequired;
            if (intent is not null && intent.Status != "requires_payment_method") return SandboxCardOutcome.NotPayable;
            var outcome = digits switch
            {
                SucceedsCard => SandboxCardOutcome.Succeeded,
                DeclinedCard => SandboxCardOutcome.Declined,
                ChallengeCard => SandboxCardOutcome.ChallengeRequired,
                _ => SandboxCardOutcome.Invalid,
            };
            if (outcome == SandboxCardOutcome.Invalid) return outcome;
            intent ??= NewIntent(db, session);
            intent.CardLast4 = digits[^4..];
            switch (outcome)
            {
                case SandboxCardOutcome.Succeeded:
                    Approve(db, intent, session);
                    break;
                case SandboxCardOutcome.Declined:
                    Fail(db, intent, "card_declined", "Your card was declined.");
                    break;
                case SandboxCardOutcome.ChallengeRequired:
                    intent.Status = "requires_action";
                    intent.LastErrorCode = intent.LastErrorMessage = null;
                    Emit(db, "payment_intent.requires_action", SandboxWire.Intent(intent));
                    break;
            }
            await db.SaveChangesAsync(ct);
            webhooks.Notify();
            return outcome;
        }, ct);
    }

    /// <summary>The shopper answers the 3-D Secure challenge of a session's PaymentIntent.</summary>
    public async Task<SandboxCardOutcome> CompleteChallengeAsync(string sessionId, bool approve, CancellationToken ct) =>
        await WithGateAsync(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var session = await db.Sessions.FirstOrDefaultAsync(s => s.Id == sessionId, ct);
            if (session is not { Status: "open", PaymentIntentId: { } intentId }) return SandboxCardOutcome.NotPayable;
            var intent = await db.Intents.FirstAsync(i => i.Id == intentId, ct);
            if (intent.Status != "requires_action" || intent.CardLast4 is null) return SandboxCardOutcome.NotPayable;
            if (approve) Approve(db, intent, session);
            else Fail(db, intent, "payment_intent_authentication_failure", "The bank could not authenticate this payment (3-D Secure failed).");
            await db.SaveChangesAsync(ct);
            webhooks.Notify();
            return approve ? SandboxCardOutcome.Succeeded : SandboxCardOutcome.Declined;
        }, ct);

    private SandboxIntent NewIntent(PspSandboxDbContext db, SandboxSession session)
    {
        var intent = new SandboxIntent
        {
            Id = NewId("pi"),
            Amount = session.AmountTotal,
            Currency = session.Currency,
            CaptureMethod = session.CaptureMethod,
            Description = session.IntentDescription,
            MetadataJson = session.IntentMetadataJson,
            ReturnUrl = SuccessUrl(session),
            PayPageUrl = session.Url,
            CheckoutSessionId = session.Id,
            Status = "requires_payment_method",
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        db.Intents.Add(intent);
        session.PaymentIntentId = intent.Id;
        return intent;
    }

    /// <summary>The bank said yes: the money is held (manual capture) or taken, and the session is complete.</summary>
    private void Approve(PspSandboxDbContext db, SandboxIntent intent, SandboxSession session)
    {
        intent.LastErrorCode = intent.LastErrorMessage = null;
        if (intent.CaptureMethod == "manual")
        {
            intent.Status = "requires_capture";
            intent.AmountCapturable = intent.Amount;
            intent.AuthorizedAtUtc = clock.GetUtcNow().UtcDateTime;
            Emit(db, "payment_intent.amount_capturable_updated", SandboxWire.Intent(intent));
            due.Notify();
        }
        else
        {
            intent.Status = "succeeded";
            intent.AmountReceived = intent.Amount;
            Emit(db, "payment_intent.succeeded", SandboxWire.Intent(intent));
        }
        session.Status = "complete";
        // Like Stripe: money only held is not paid yet.
        session.PaymentStatus = intent.Status == "succeeded" ? "paid" : "unpaid";
        Emit(db, "checkout.session.completed", SandboxWire.Session(session));
    }

    private void Fail(PspSandboxDbContext db, SandboxIntent intent, string code, string message)
    {
        // Like Stripe: a failed PaymentIntent goes back to requires_payment_method with the error attached; the page stays open.
        intent.Status = "requires_payment_method";
        intent.LastErrorCode = code;
        intent.LastErrorMessage = message;
        Emit(db, "payment_intent.payment_failed", SandboxWire.Intent(intent));
    }

    /// <summary>Where the page sends the shopper once paid: the session's success URL with its id filled in, as Stripe does.</summary>
    public static string SuccessUrl(SandboxSession session) => session.SuccessUrl.Replace("{CHECKOUT_SESSION_ID}", session.Id, StringComparison.Ordinal);

    public static IReadOnlyList<SandboxLineItem> LineItems(SandboxSession session) =>
        JsonSerializer.Deserialize<List<SandboxLineItem>>(session.LineItemsJson) ?? [];

    public async Task<(SandboxSession Session, SandboxIntent? Intent)?> FindSessionAsync(string id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        if (session is null) return null;
        var intent = session.PaymentIntentId is { } intentId ? await db.Intents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == intentId, ct) : null;
        return (session, intent);
    }
}
