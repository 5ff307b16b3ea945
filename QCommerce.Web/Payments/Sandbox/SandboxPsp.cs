using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.EntityFrameworkCore;
using QCommerce.Core.Common;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>What a shopper did on the sandbox's payment page.</summary>
public enum SandboxCardOutcome
{
    Succeeded,
    Declined,
    ChallengeRequired,
    Invalid,
    NotPayable,
}

/// <summary>
/// The embedded PSP (architecture §5): Checkout Sessions (SandboxPsp.Checkout.cs), PaymentIntents and refunds with Stripe's
/// semantics (the JSON is <see cref="SandboxWire"/>'s), and a signed event for every change; what the hosted page does
/// with Stripe's test cards is in SandboxPsp.Cards.cs. What happens with time (pages and holds that expire, refunds that
/// settle) is done from the stored state by <see cref="RunDueAsync"/>, so a restart loses none of it. One lock serialises
/// its writes: it is a sandbox for one shop, and that keeps idempotent replays exact.
/// </summary>
public sealed partial class SandboxPsp(IDbContextFactory<PspSandboxDbContext> contexts, SandboxWebhookSignal webhooks, SandboxDueSignal due,
    SandboxFaults faults, SandboxSettings settings, TimeProvider clock)
{
    public const string SucceedsCard = "4242424242424242";
    public const string DeclinedCard = "4000000000000002";
    public const string ChallengeCard = "4000002500003155";

    internal static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<SandboxAnswer> GetIntentAsync(string id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var intent = await db.Intents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);
        return intent is null ? SandboxWire.Missing("payment_intent", id) : SandboxAnswer.Ok(SandboxWire.Intent(intent));
    }

    public async Task<SandboxAnswer> CancelIntentAsync(string id, string? reason, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var intent = await db.Intents.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (intent is null) return SandboxWire.Missing("payment_intent", id);
        if (intent.Status is "succeeded" or "canceled")
            return SandboxAnswer.Error(400, "invalid_request_error", "payment_intent_unexpected_state",
                $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}.", null);
        // A hold cancelled is money released to the card.
        intent.Status = "canceled";
        intent.AmountCapturable = 0;
        intent.CancellationReason = reason is "duplicate" or "fraudulent" or "requested_by_customer" or "abandoned" ? reason : null;
        Emit(db, "payment_intent.canceled", SandboxWire.Intent(intent));
        await db.SaveChangesAsync(ct);
        webhooks.Notify();
        return SandboxAnswer.Ok(SandboxWire.Intent(intent));
    }

    public async Task<SandboxAnswer> CreateRefundAsync(IFormCollection form, CancellationToken ct)
    {
        var intentId = form["payment_intent"].ToString();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var intent = await db.Intents.FirstOrDefaultAsync(i => i.Id == intentId, ct);
        if (intent is null) return SandboxWire.Missing("payment_intent", intentId);
        if (intent.Status != "succeeded")
            return SandboxAnswer.Error(400, "invalid_request_error", "charge_not_refundable", "This PaymentIntent has no successful charge to refund.", "payment_intent");
        var refunded = await db.Refunds.Where(r => r.PaymentIntentId == intentId && r.Status != "failed" && r.Status != "canceled").SumAsync(r => r.Amount, ct);
        var amount = form.ContainsKey("amount") && long.TryParse(form["amount"], out var a) ? a : intent.AmountReceived - refunded;
        if (amount <= 0 || refunded + amount > intent.AmountReceived)
            return SandboxAnswer.Error(400, "invalid_request_error", "amount_too_large",
                $"Refund amount ({amount}) is greater than unrefunded amount on charge ({intent.AmountReceived - refunded}).", "amount");
        // Card refunds settle a moment later: pending now, succeeded (with its event) by RunDueAsync.
        var refund = new SandboxRefund
        {
            Id = NewId("re"),
            PaymentIntentId = intentId,
            Amount = amount,
            Currency = intent.Currency,
            Status = "pending",
            MetadataJson = JsonSerializer.Serialize(Metadata(form)),
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        db.Refunds.Add(refund);
        Emit(db, "refund.created", SandboxWire.Refund(refund));
        await db.SaveChangesAsync(ct);
        webhooks.Notify();
        due.Notify();
        return SandboxAnswer.Ok(SandboxWire.Refund(refund));
    }

    public async Task<SandboxAnswer> GetRefundAsync(string id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var refund = await db.Refunds.AsNoTracking().FirstOrDefaultAsync(r => r.Id == id, ct);
        return refund is null ? SandboxWire.Missing("refund", id) : SandboxAnswer.Ok(SandboxWire.Refund(refund));
    }

    public async Task<SandboxAnswer> ListRefundsAsync(string? intentId, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var refunds = await db.Refunds.AsNoTracking().Where(r => intentId == null || r.PaymentIntentId == intentId).OrderByDescending(r => r.CreatedAtUtc).Take(100).ToListAsync(ct);
        var list = new JsonObject
        {
            ["object"] = "list",
            ["url"] = "/v1/refunds",
            ["has_more"] = false,
            ["data"] = new JsonArray(refunds.Select(r => (JsonNode)SandboxWire.Refund(r)).ToArray()),
        };
        return SandboxAnswer.Ok(list);
    }

    /// <summary>Stripe's event log, newest first, paged with starting_after: lost webhooks are still in it.</summary>
    public async Task<SandboxAnswer> ListEventsAsync(long? createdSince, int limit, string? startingAfter, CancellationToken ct)
    {
        limit = Math.Clamp(limit, 1, 100);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var events = db.Webhooks.AsNoTracking();
        if (createdSince is { } since)
        {
            var from = DateTimeOffset.FromUnixTimeSeconds(since).UtcDateTime;
            events = events.Where(w => w.CreatedAtUtc >= from);
        }
        if (!string.IsNullOrEmpty(startingAfter))
        {
            var after = await db.Webhooks.Where(w => w.EventId == startingAfter).Select(w => (long?)w.Id).FirstOrDefaultAsync(ct);
            if (after is null) return SandboxWire.Missing("event", startingAfter);
            events = events.Where(w => w.Id < after);
        }
        var page = await events.OrderByDescending(w => w.Id).Take(limit + 1).Select(w => w.Payload).ToListAsync(ct);
        return SandboxAnswer.Ok(new JsonObject
        {
            ["object"] = "list",
            ["url"] = "/v1/events",
            ["has_more"] = page.Count > limit,
            ["data"] = new JsonArray(page.Take(limit).Select(p => JsonNode.Parse(p)).ToArray()),
        });
    }

    /// <summary>A refund made at the PSP directly, as an operator could in Stripe's dashboard.</summary>
    public async Task<string> RefundFromDashboardAsync(string intentId, long amount, CancellationToken ct)
    {
        var form = new FormCollection(new Dictionary<string, Microsoft.Extensions.Primitives.StringValues>
        {
            ["payment_intent"] = intentId,
            ["amount"] = amount.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var answer = await WithGateAsync(() => CreateRefundAsync(form, ct), ct);
        if (answer.Status != 200) throw new InvalidOperationException(answer.Body.ToJsonString());
        return answer.Body["id"]!.GetValue<string>();
    }

    public async Task<SandboxIntent?> FindIntentAsync(string id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.Intents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);
    }

    /// <summary>Runs one state change at a time, so a repeated request sees the first one's result.</summary>
    public async Task<T> WithGateAsync<T>(Func<Task<T>> work, CancellationToken ct)
    {
        await _gate.WaitAsync(ct);
        try
        {
            return await work();
        }
        finally
        {
            _gate.Release();
        }
    }

    /// <summary>Stripe's Idempotency-Key: the same key and parameters replay the first answer; other parameters are refused.</summary>
    public async Task<SandboxAnswer> IdempotentAsync(string? key, string fingerprint, Func<Task<SandboxAnswer>> work, CancellationToken ct) =>
        await WithGateAsync(async () =>
        {
            if (string.IsNullOrEmpty(key)) return await work();
            await using var db = await contexts.CreateDbContextAsync(ct);
            var stored = await db.IdempotentResponses.AsNoTracking().FirstOrDefaultAsync(r => r.Key == key, ct);
            if (stored is not null)
            {
                return stored.RequestFingerprint == fingerprint
                    ? new SandboxAnswer(stored.Status, JsonNode.Parse(stored.Body)!.AsObject(), Replayed: true)
                    : SandboxAnswer.Error(400, "idempotency_error", null,
                        $"Keys for idempotent requests can only be used with the same parameters they were first used with. Try using a key other than '{key}'.", null);
            }
            var answer = await work();
            if (answer.Status < 500)
            {
                db.IdempotentResponses.Add(new SandboxIdempotentResponse { Key = key, RequestFingerprint = fingerprint, Status = answer.Status, Body = answer.Body.ToJsonString() });
                await db.SaveChangesAsync(ct);
            }
            return answer;
        }, ct);

    public static string Fingerprint(HttpRequest request, IFormCollection? form) =>
        Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(request.Method + " " + request.Path + "?" +
            string.Join("&", (form ?? new FormCollection(null)).OrderBy(f => f.Key, StringComparer.Ordinal).Select(f => $"{f.Key}={f.Value}")))));

    /// <summary>
    /// What time does, from the stored state: open pages past their expiry close, holds older than
    /// <see cref="SandboxSettings.AuthorizationValidity"/> lapse (<c>cancellation_reason: automatic</c>), refunds settle.
    /// Returns when something next falls due (null: nothing waits).
    /// </summary>
    public async Task<DateTime?> RunDueAsync(CancellationToken ct) => await WithGateAsync(async () =>
    {
        var now = clock.GetUtcNow().UtcDateTime;
        var lapsedBefore = now - settings.AuthorizationValidity;
        var settledBefore = now - settings.RefundSettlesAfter;
        await using var db = await contexts.CreateDbContextAsync(ct);
        foreach (var session in await db.Sessions.Where(s => s.Status == "open" && s.ExpiresAtUtc <= now).OrderBy(s => s.ExpiresAtUtc).Take(100).ToListAsync(ct))
            await ExpireAsync(db, session, ct);
        foreach (var intent in await db.Intents.Where(i => i.Status == "requires_capture" && i.AuthorizedAtUtc <= lapsedBefore).Take(100).ToListAsync(ct))
        {
            intent.Status = "canceled";
            intent.CancellationReason = "automatic";
            intent.AmountCapturable = 0;
            Emit(db, "payment_intent.canceled", SandboxWire.Intent(intent));
        }
        foreach (var refund in await db.Refunds.Where(r => r.Status == "pending" && r.CreatedAtUtc <= settledBefore).OrderBy(r => r.CreatedAtUtc).Take(100).ToListAsync(ct))
        {
            refund.Status = "succeeded";
            Emit(db, "refund.updated", SandboxWire.Refund(refund));
        }
        if (db.ChangeTracker.HasChanges())
        {
            await db.SaveChangesAsync(ct);
            webhooks.Notify();
        }
        var nextPage = await db.Sessions.Where(s => s.Status == "open").MinAsync(s => (DateTime?)s.ExpiresAtUtc, ct);
        var nextLapse = await db.Intents.Where(i => i.Status == "requires_capture").MinAsync(i => i.AuthorizedAtUtc, ct) + settings.AuthorizationValidity;
        var nextRefund = await db.Refunds.Where(r => r.Status == "pending").MinAsync(r => (DateTime?)r.CreatedAtUtc, ct) + settings.RefundSettlesAfter;
        return new[] { nextPage, nextLapse, nextRefund }.Where(d => d is not null).Min();
    }, ct);

    private void Emit(PspSandboxDbContext db, string type, JsonObject data)
    {
        var now = clock.GetUtcNow();
        var id = NewId("evt");
        var payload = SandboxWire.Event(id, type, now, data);
        db.Webhooks.Add(new SandboxWebhook
        {
            EventId = id,
            Type = type,
            Payload = payload.ToJsonString(),
            CreatedAtUtc = now.UtcDateTime,
            NextAttemptAtUtc = now.UtcDateTime + faults.WebhookDelay,
            Lost = faults.LoseWebhooks,
        });
    }

    private static Dictionary<string, string> Metadata(IFormCollection form, string prefix = "metadata[") =>
        form.Where(f => f.Key.StartsWith(prefix, StringComparison.Ordinal) && f.Key.EndsWith(']') && !f.Key[prefix.Length..^1].Contains('['))
            .ToDictionary(f => f.Key[prefix.Length..^1], f => f.Value.ToString());

    private static string NewId(string prefix) => $"{prefix}_sbx{Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant()}";
}
