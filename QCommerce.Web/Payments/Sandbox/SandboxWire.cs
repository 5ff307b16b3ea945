using System.Text.Json.Nodes;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>
/// Stripe's wire format for the sandbox's state: Checkout Sessions, PaymentIntents, coupons and refunds are Stripe.net's own models, serialised
/// by Stripe.net, so their JSON is api.stripe.com's by construction (names, epoch times, nulls); events and errors
/// wrap them as Stripe does. Stripe.net, and the shop's webhook, read the sandbox exactly as they read Stripe.
/// </summary>
public static class SandboxWire
{
    public static JsonObject Intent(SandboxIntent i) => Wire(new Stripe.PaymentIntent
    {
        Id = i.Id,
        Object = "payment_intent",
        Amount = i.Amount,
        AmountCapturable = i.AmountCapturable,
        AmountReceived = i.AmountReceived,
        CaptureMethod = i.CaptureMethod,
        CancellationReason = i.CancellationReason,
        ClientSecret = $"{i.Id}_secret_sandbox",
        ConfirmationMethod = "automatic",
        Created = i.CreatedAtUtc,
        Currency = i.Currency,
        Description = i.Description,
        Livemode = false,
        Metadata = Metadata(i.MetadataJson),
        PaymentMethodTypes = ["card"],
        Status = i.Status,
        LastPaymentError = i.LastErrorCode is null ? null : new Stripe.StripeError
        {
            Type = "card_error",
            Code = i.LastErrorCode,
            DeclineCode = i.LastErrorCode == "card_declined" ? "generic_decline" : null,
            Message = i.LastErrorMessage,
        },
        NextAction = i.Status == "requires_action"
            ? new Stripe.PaymentIntentNextAction
            {
                Type = "redirect_to_url",
                RedirectToUrl = new Stripe.PaymentIntentNextActionRedirectToUrl
                {
                    Url = i.CardLast4 is null ? i.PayPageUrl : $"{i.PayPageUrl}/challenge",
                    ReturnUrl = i.ReturnUrl,
                },
            }
            : null,
    });

    public static JsonObject Session(SandboxSession s) => Wire(new Stripe.Checkout.Session
    {
        Id = s.Id,
        Object = "checkout.session",
        AmountSubtotal = s.AmountSubtotal,
        AmountTotal = s.AmountTotal,
        CancelUrl = s.CancelUrl,
        ClientReferenceId = s.ClientReferenceId,
        Created = s.CreatedAtUtc,
        Currency = s.Currency,
        ExpiresAt = s.ExpiresAtUtc,
        Livemode = false,
        Metadata = Metadata(s.MetadataJson),
        Mode = "payment",
        PaymentIntentId = s.PaymentIntentId,
        PaymentMethodTypes = ["card"],
        PaymentStatus = s.PaymentStatus,
        ShippingCost = s.AmountShipping > 0 ? new Stripe.Checkout.SessionShippingCost { AmountSubtotal = s.AmountShipping, AmountTotal = s.AmountShipping } : null,
        Status = s.Status,
        SuccessUrl = s.SuccessUrl,
        TotalDetails = new Stripe.Checkout.SessionTotalDetails { AmountDiscount = s.AmountDiscount, AmountShipping = s.AmountShipping, AmountTax = 0 },
        UiMode = "hosted",
        Url = s.Status == "open" ? s.Url : null,
    });

    public static JsonObject Coupon(SandboxCoupon c) => Wire(new Stripe.Coupon
    {
        Id = c.Id,
        Object = "coupon",
        AmountOff = c.AmountOff,
        Created = c.CreatedAtUtc,
        Currency = c.Currency,
        Duration = "once",
        Livemode = false,
        MaxRedemptions = c.MaxRedemptions,
        Name = c.Name,
        TimesRedeemed = c.TimesRedeemed,
        Valid = c.MaxRedemptions is not { } max || c.TimesRedeemed < max,
    });

    public static JsonObject Refund(SandboxRefund r) => Wire(new Stripe.Refund
    {
        Id = r.Id,
        Object = "refund",
        Amount = r.Amount,
        Currency = r.Currency,
        Created = r.CreatedAtUtc,
        Metadata = Metadata(r.MetadataJson),
        PaymentIntentId = r.PaymentIntentId,
        Status = r.Status,
    });

    private static Dictionary<string, string> Metadata(string json) =>
        System.Text.Json.JsonSerializer.Deserialize<Dictionary<string, string>>(json) ?? [];

    private static JsonObject Wire(Stripe.StripeEntity entity) => JsonNode.Parse(entity.ToJson())!.AsObject();

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
