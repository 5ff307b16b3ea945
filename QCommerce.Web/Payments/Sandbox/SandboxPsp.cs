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
/// The embedded PSP (DESIGN §5): PaymentIntents and refunds with Stripe's semantics (the JSON is
/// <see cref="SandboxWire"/>'s), and a signed event for every change; what the payment page does with
/// Stripe's test cards is in SandboxPsp.Cards.cs. One lock serialises its
/// writes: it is a sandbox for one shop, and that keeps idempotent replays exact.
/// </summary>
public sealed partial class SandboxPsp(IDbContextFactory<PspSandboxDbContext> contexts, SandboxWebhookSignal webhooks, SandboxFaults faults, TimeProvider clock)
{
    public const string SucceedsCard = "4242424242424242";
    public const string DeclinedCard = "4000000000000002";
    public const string ChallengeCard = "4000002500003155";

    internal static readonly JsonSerializerOptions Json = new() { PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };
    private readonly SemaphoreSlim _gate = new(1, 1);

    public async Task<SandboxAnswer> CreateIntentAsync(IFormCollection form, string payPageBase, CancellationToken ct)
    {
        if (!long.TryParse(form["amount"], out var amount) || amount < 50)
            return SandboxAnswer.Error(400, "invalid_request_error", "parameter_invalid_integer", "amount must be an integer of at least 50 (minor units).", "amount");
        var currency = form["currency"].ToString().ToLowerInvariant();
        if (currency.Length != 3) return SandboxAnswer.Error(400, "invalid_request_error", "parameter_missing", "currency must be a three-letter ISO code.", "currency");
        var returnUrl = form["return_url"].ToString();
        if (form["confirm"] == "true" && !Uri.TryCreate(returnUrl, UriKind.Absolute, out _))
            return SandboxAnswer.Error(400, "invalid_request_error", "parameter_missing", "return_url is required to confirm a PaymentIntent that redirects.", "return_url");

        var id = NewId("pi");
        var payPage = $"{payPageBase.TrimEnd('/')}/psp-sandbox/pay/{id}";
        var intent = new SandboxIntent
        {
            Id = id,
            Amount = amount,
            Currency = currency,
            Description = form["description"],
            MetadataJson = JsonSerializer.Serialize(Metadata(form)),
            ReturnUrl = returnUrl,
            PayPageUrl = payPage,
            // Confirmed with a redirect method: the shopper has to act on the payment page first.
            Status = form["confirm"] == "true" ? "requires_action" : "requires_payment_method",
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        await using var db = await contexts.CreateDbContextAsync(ct);
        // No payment_intent.created event: like a Stripe endpoint, ours subscribes only to outcomes.
        db.Intents.Add(intent);
        await db.SaveChangesAsync(ct);
        return SandboxAnswer.Ok(SandboxWire.Intent(intent));
    }

    public async Task<SandboxAnswer> GetIntentAsync(string id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var intent = await db.Intents.AsNoTracking().FirstOrDefaultAsync(i => i.Id == id, ct);
        return intent is null ? SandboxWire.Missing("payment_intent", id) : SandboxAnswer.Ok(SandboxWire.Intent(intent));
    }

    public async Task<SandboxAnswer> CancelIntentAsync(string id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var intent = await db.Intents.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (intent is null) return SandboxWire.Missing("payment_intent", id);
        if (intent.Status is "succeeded" or "canceled")
            return SandboxAnswer.Error(400, "invalid_request_error", "payment_intent_unexpected_state",
                $"You cannot cancel this PaymentIntent because it has a status of {intent.Status}.", null);
        intent.Status = "canceled";
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
        // Card refunds settle a moment later: pending now, succeeded (with its event) right after.
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
        var answer = SandboxAnswer.Ok(SandboxWire.Refund(refund));
        _ = SettleRefundSoonAsync(refund.Id);
        return answer;
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

    private async Task SettleRefundSoonAsync(string refundId)
    {
        try
        {
            await Task.Delay(TimeSpan.FromMilliseconds(200));
            await WithGateAsync(async () =>
            {
                await using var db = await contexts.CreateDbContextAsync();
                var refund = await db.Refunds.FirstAsync(r => r.Id == refundId);
                if (refund.Status != "pending") return 0;
                refund.Status = "succeeded";
                Emit(db, "refund.updated", SandboxWire.Refund(refund));
                await db.SaveChangesAsync();
                webhooks.Notify();
                return 1;
            }, CancellationToken.None);
        }
        catch (Exception)
        {
            // Shutting down: the refund stays pending and the shop's reconciliation asks about it later.
        }
    }

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

    private static Dictionary<string, string> Metadata(IFormCollection form) =>
        form.Where(f => f.Key.StartsWith("metadata[", StringComparison.Ordinal) && f.Key.EndsWith(']'))
            .ToDictionary(f => f.Key["metadata[".Length..^1], f => f.Value.ToString());

    private static string NewId(string prefix) => $"{prefix}_sbx{Convert.ToHexString(RandomNumberGenerator.GetBytes(12)).ToLowerInvariant()}";
}
