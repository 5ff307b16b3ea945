using System.Text.Json.Nodes;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>
/// Stripe's wire format for the sandbox's state: PaymentIntents, refunds, events and errors shaped as api.stripe.com
/// shapes them, so Stripe.net (and the shop's webhook) read the sandbox exactly as they read Stripe.
/// </summary>
public static class SandboxWire
{
    public static JsonObject Intent(SandboxIntent i)
    {
        var json = new JsonObject
        {
            ["id"] = i.Id,
            ["object"] = "payment_intent",
            ["amount"] = i.Amount,
            ["amount_capturable"] = 0,
            ["amount_received"] = i.AmountReceived,
            ["capture_method"] = "automatic",
            ["client_secret"] = $"{i.Id}_secret_sandbox",
            ["confirmation_method"] = "automatic",
            ["created"] = new DateTimeOffset(i.CreatedAtUtc, TimeSpan.Zero).ToUnixTimeSeconds(),
            ["currency"] = i.Currency,
            ["description"] = i.Description,
            ["livemode"] = false,
            ["metadata"] = JsonNode.Parse(i.MetadataJson),
            ["payment_method_types"] = new JsonArray("card"),
            ["status"] = i.Status,
            ["last_payment_error"] = i.LastErrorCode is null ? null : new JsonObject
            {
                ["type"] = "card_error",
                ["code"] = i.LastErrorCode,
                ["decline_code"] = i.LastErrorCode == "card_declined" ? "generic_decline" : null,
                ["message"] = i.LastErrorMessage,
            },
            ["next_action"] = i.Status == "requires_action"
                ? new JsonObject
                {
                    ["type"] = "redirect_to_url",
                    ["redirect_to_url"] = new JsonObject
                    {
                        ["url"] = i.CardLast4 is null ? i.PayPageUrl : $"{i.PayPageUrl}/challenge",
                        ["return_url"] = i.ReturnUrl,
                    },
                }
                : null,
        };
        return json;
    }

    public static JsonObject Refund(SandboxRefund r) => new()
    {
        ["id"] = r.Id,
        ["object"] = "refund",
        ["amount"] = r.Amount,
        ["currency"] = r.Currency,
        ["created"] = new DateTimeOffset(r.CreatedAtUtc, TimeSpan.Zero).ToUnixTimeSeconds(),
        ["metadata"] = JsonNode.Parse(r.MetadataJson),
        ["payment_intent"] = r.PaymentIntentId,
        ["status"] = r.Status,
        ["failure_reason"] = null,
    };

    /// <summary>An event as Stripe posts it to a webhook and lists it under /v1/events.</summary>
    public static JsonObject Event(string id, string type, DateTimeOffset now, JsonObject data) =>
        new JsonObject
        {
            ["id"] = id,
            ["object"] = "event",
            ["api_version"] = Stripe.StripeConfiguration.ApiVersion,
            ["created"] = now.ToUnixTimeSeconds(),
            ["livemode"] = false,
            ["pending_webhooks"] = 1,
            ["request"] = new JsonObject { ["id"] = null, ["idempotency_key"] = null },
            ["type"] = type,
            ["data"] = new JsonObject { ["object"] = data.DeepClone() },
        };

    public static SandboxAnswer Missing(string what, string id) =>
        SandboxAnswer.Error(404, "invalid_request_error", "resource_missing", $"No such {what}: '{id}'", "id");
}

/// <summary>An answer in Stripe's shape: an object, or <c>{"error": {...}}</c> with its status.</summary>
public sealed record SandboxAnswer(int Status, JsonObject Body, bool Replayed = false)
{
    public static SandboxAnswer Ok(JsonObject body) => new(200, body);

    public static SandboxAnswer Error(int status, string type, string? code, string message, string? param) =>
        new(status, new JsonObject
        {
            ["error"] = new JsonObject { ["type"] = type, ["code"] = code, ["message"] = message, ["param"] = param },
        });
}
