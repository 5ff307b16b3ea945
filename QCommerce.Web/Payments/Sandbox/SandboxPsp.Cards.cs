using Microsoft.EntityFrameworkCore;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>The sandbox's payment page at work: Stripe's test cards, the 3-D Secure challenge, success and decline.</summary>
public sealed partial class SandboxPsp
{
    /// <summary>The shopper submits a card on the payment page: Stripe's test cards decide what happens.</summary>
    public async Task<SandboxCardOutcome> PayAsync(string intentId, string cardNumber, CancellationToken ct)
    {
        var digits = new string(cardNumber.Where(char.IsDigit).ToArray());
        return await WithGateAsync(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var intent = await db.Intents.FirstOrDefaultAsync(i => i.Id == intentId, ct);
            if (intent is null || intent.Status is "succeeded" or "canceled" or "processing") return SandboxCardOutcome.NotPayable;
            if (intent.Status == "requires_action" && intent.CardLast4 is not null) return SandboxCardOutcome.ChallengeRequired;
            var outcome = digits switch
            {
                SucceedsCard => SandboxCardOutcome.Succeeded,
                DeclinedCard => SandboxCardOutcome.Declined,
                ChallengeCard => SandboxCardOutcome.ChallengeRequired,
                _ => SandboxCardOutcome.Invalid,
            };
            if (outcome == SandboxCardOutcome.Invalid) return outcome;
            intent.CardLast4 = digits[^4..];
            switch (outcome)
            {
                case SandboxCardOutcome.Succeeded:
                    Succeed(db, intent);
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

    /// <summary>The shopper answers the 3-D Secure challenge.</summary>
    public async Task<SandboxCardOutcome> CompleteChallengeAsync(string intentId, bool approve, CancellationToken ct) =>
        await WithGateAsync(async () =>
        {
            await using var db = await contexts.CreateDbContextAsync(ct);
            var intent = await db.Intents.FirstOrDefaultAsync(i => i.Id == intentId, ct);
            if (intent is null || intent.Status != "requires_action" || intent.CardLast4 is null) return SandboxCardOutcome.NotPayable;
            if (approve) Succeed(db, intent);
            else Fail(db, intent, "payment_intent_authentication_failure", "The bank could not authenticate this payment (3-D Secure failed).");
            await db.SaveChangesAsync(ct);
            webhooks.Notify();
            return approve ? SandboxCardOutcome.Succeeded : SandboxCardOutcome.Declined;
        }, ct);

    private void Succeed(PspSandboxDbContext db, SandboxIntent intent)
    {
        intent.Status = "succeeded";
        intent.AmountReceived = intent.Amount;
        intent.LastErrorCode = intent.LastErrorMessage = null;
        Emit(db, "payment_intent.succeeded", SandboxWire.Intent(intent));
    }

    private void Fail(PspSandboxDbContext db, SandboxIntent intent, string code, string message)
    {
        // Like Stripe: a failed PaymentIntent goes back to requires_payment_method with the error attached.
        intent.Status = "requires_payment_method";
        intent.LastErrorCode = code;
        intent.LastErrorMessage = message;
        Emit(db, "payment_intent.payment_failed", SandboxWire.Intent(intent));
    }
}
