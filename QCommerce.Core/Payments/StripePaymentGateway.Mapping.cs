using Stripe;

namespace QCommerce.Core.Payments;

/// <summary>Stripe's objects (events, PaymentIntents, Checkout Sessions, refunds) in our words, for the gateway and the webhook.</summary>
public sealed partial class StripePaymentGateway
{
    /// <summary>
    /// A Stripe event in our words: the PaymentIntent or refund it carries; null when it is not an event we can
    /// store, whatever signed it: Stripe's ids are short ASCII (<c>evt_…</c>, <c>pi_…</c>), its types dotted words.
    /// </summary>
    public static PspEventInput? Map(Event stripeEvent)
    {
        if (!IsPspId(stripeEvent.Id) || !IsEventType(stripeEvent.Type)) return null;
        var intent = stripeEvent.Data?.Object as PaymentIntent;
        var refund = stripeEvent.Data?.Object as Refund;
        var session = stripeEvent.Data?.Object as Stripe.Checkout.Session;
        if (intent is not null && !IsPspId(intent.Id)) return null;
        if (session is not null && (!IsPspId(session.Id) || (session.PaymentIntentId is { } si && !IsPspId(si)))) return null;
        if (refund is not null && (!IsPspId(refund.Id) || (refund.PaymentIntentId is { } pi && !IsPspId(pi)))) return null;
        return new PspEventInput(stripeEvent.Id, stripeEvent.Type, stripeEvent.Created.ToUniversalTime(),
            intent is null ? null : Map(intent), refund is null ? null : Map(refund), session is null ? null : Map(session));
    }

    private static bool IsPspId(string? id) => id is { Length: > 0 and <= 255 } && id.All(c => char.IsAsciiLetterOrDigit(c) || c == '_');

    private static bool IsEventType(string? type) => type is { Length: > 0 and <= 100 } && type.All(c => char.IsAsciiLetterLower(c) || char.IsAsciiDigit(c) || c is '_' or '.');

    /// <summary>Our words for a PaymentIntent's state (Stripe's requires_payment_method after an error means it failed).</summary>
    public static PspIntent Map(PaymentIntent intent)
    {
        var status = intent.Status switch
        {
            "succeeded" => PspIntentStatus.Succeeded,
            "requires_capture" => PspIntentStatus.Authorized,
            "requires_action" => PspIntentStatus.RequiresAction,
            "canceled" => PspIntentStatus.Canceled,
            "requires_payment_method" when intent.LastPaymentError is not null => PspIntentStatus.Failed,
            _ => PspIntentStatus.Pending,
        };
        var failure = intent.LastPaymentError is { } e ? e.Message ?? e.DeclineCode ?? e.Code : null;
        return new PspIntent(intent.Id, status, intent.Amount, intent.AmountReceived, intent.Currency?.ToUpperInvariant() ?? "",
            intent.NextAction?.RedirectToUrl?.Url, failure, PaymentOf(intent.Metadata), intent.AmountCapturable, intent.CancellationReason == "automatic");
    }

    public static PspCheckout Map(Stripe.Checkout.Session session) => new(
        session.Id,
        session.Status switch
        {
            "complete" => PspCheckoutStatus.Complete,
            "expired" => PspCheckoutStatus.Expired,
            _ => PspCheckoutStatus.Open,
        },
        session.PaymentIntentId, session.AmountTotal ?? 0, session.Currency?.ToUpperInvariant() ?? "", session.Url,
        session.ExpiresAt.ToUniversalTime(), PaymentOf(session.Metadata));

    /// <summary>The payment and attempt our metadata names; null when it names none (an object made at the PSP by hand).</summary>
    private static PspPaymentRef? PaymentOf(Dictionary<string, string>? metadata) =>
        metadata is not null && metadata.TryGetValue(PaymentKey, out var payment) && IsPspId(payment)
        && metadata.TryGetValue(AttemptKey, out var attempt) && int.TryParse(attempt, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var number)
            ? new PspPaymentRef(payment, number)
            : null;

    public static PspRefund Map(Refund refund) => new(
        refund.Id, refund.PaymentIntentId ?? "", refund.Amount,
        refund.Status switch
        {
            "succeeded" => RefundStatus.Succeeded,
            "failed" or "canceled" => RefundStatus.Failed,
            _ => RefundStatus.Pending,
        },
        refund.Metadata is { } m && m.TryGetValue(LocalRefundKey, out var key) && Guid.TryParse(key, out var g) ? g : null,
        refund.FailureReason);
}
