using System.Globalization;
using System.Text.Json;
using Microsoft.EntityFrameworkCore;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>
/// Stripe Checkout in the sandbox: coupons, Checkout Sessions in payment mode (create, retrieve, expire) and the
/// PaymentIntent a session's page makes when the shopper pays, held (manual capture) or taken at once. Parameters are
/// checked as Stripe checks them, with its messages, so a request the sandbox takes is one Stripe would take.
/// </summary>
public sealed partial class SandboxPsp
{
    /// <summary>Stripe's floor and ceiling for a Checkout Session's <c>expires_at</c>, from its creation.</summary>
    /// <summary>Stripe's largest amount: eight digits of minor units.</summary>
    private const long MaxAmount = 99_999_999;

    public static readonly TimeSpan SessionMinimumLife = TimeSpan.FromMinutes(30), SessionMaximumLife = TimeSpan.FromHours(24);

    public async Task<SandboxAnswer> CreateCouponAsync(IFormCollection form, CancellationToken ct)
    {
        if (!long.TryParse(form["amount_off"], NumberStyles.None, CultureInfo.InvariantCulture, out var amountOff) || amountOff is < 1 or > MaxAmount)
            return Invalid("amount_off must be a positive integer (minor units); the sandbox makes amount-off coupons only.", "amount_off");
        var currency = form["currency"].ToString().ToLowerInvariant();
        if (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower)) return Invalid("currency is required with amount_off: a three-letter ISO code.", "currency");
        int? maxRedemptions = null;
        if (form.ContainsKey("max_redemptions"))
        {
            if (!int.TryParse(form["max_redemptions"], NumberStyles.None, CultureInfo.InvariantCulture, out var max) || max < 1)
                return Invalid("max_redemptions must be a positive integer.", "max_redemptions");
            maxRedemptions = max;
        }
        if (form["duration"].ToString() is { Length: > 0 } duration && duration != "once") return Invalid("The sandbox makes coupons of duration once only.", "duration");
        var coupon = new SandboxCoupon
        {
            Id = NewId("co"),
            AmountOff = amountOff,
            Currency = currency,
            Name = form["name"].ToString() is { Length: > 0 } name ? name[..Math.Min(name.Length, 40)] : null,
            MaxRedemptions = maxRedemptions,
            CreatedAtUtc = clock.GetUtcNow().UtcDateTime,
        };
        await using var db = await contexts.CreateDbContextAsync(ct);
        db.Coupons.Add(coupon);
        await db.SaveChangesAsync(ct);
        return SandboxAnswer.Ok(SandboxWire.Coupon(coupon));
    }

    public async Task<SandboxAnswer> CreateSessionAsync(IFormCollection form, string payPageBase, CancellationToken ct)
    {
        var now = clock.GetUtcNow().UtcDateTime;
        if (form["mode"] != "payment") return Invalid("The sandbox makes Checkout Sessions in payment mode only.", "mode");
        var successUrl = form["success_url"].ToString();
        if (!IsWebUrl(successUrl)) return Invalid("Not a valid URL", "success_url");
        var cancelUrl = form["cancel_url"].ToString() is { Length: > 0 } c ? c : null;
        if (cancelUrl is not null && !IsWebUrl(cancelUrl)) return Invalid("Not a valid URL", "cancel_url");

        var lines = new List<SandboxLineItem>();
        string? currency = form["currency"].ToString() is { Length: > 0 } given ? given.ToLowerInvariant() : null;
        if (currency is not null && (currency.Length != 3 || !currency.All(char.IsAsciiLetterLower))) return Invalid("currency must be a three-letter ISO code.", "currency");
        for (var i = 0; form.ContainsKey($"line_items[{i}][quantity]"); i++)
        {
            var p = $"line_items[{i}]";
            if (!long.TryParse(form[$"{p}[quantity]"], NumberStyles.None, CultureInfo.InvariantCulture, out var quantity) || quantity is < 1 or > 999_999)
                return Invalid("Quantity must be between 1 and 999999.", $"{p}[quantity]");
            if (!long.TryParse(form[$"{p}[price_data][unit_amount]"], NumberStyles.None, CultureInfo.InvariantCulture, out var unit) || unit > MaxAmount)
                return Invalid("unit_amount must be a non-negative integer (minor units).", $"{p}[price_data][unit_amount]");
            var name = form[$"{p}[price_data][product_data][name]"].ToString();
            if (name.Length is 0 or > 250) return Invalid("A line item needs product_data[name] (at most 250 characters).", $"{p}[price_data][product_data][name]");
            var lineCurrency = form[$"{p}[price_data][currency]"].ToString().ToLowerInvariant();
            currency ??= lineCurrency;
            if (lineCurrency != currency) return Invalid("All line items must be in the session's currency.", $"{p}[price_data][currency]");
            lines.Add(new SandboxLineItem(name, unit, quantity));
        }
        if (lines.Count == 0) return Invalid("line_items is required in payment mode.", "line_items");
        if (currency is not { Length: 3 } || !currency.All(char.IsAsciiLetterLower)) return Invalid("currency is required: a three-letter ISO code.", "currency");

        long shipping = 0;
        if (form.ContainsKey("shipping_options[0][shipping_rate_data][fixed_amount][amount]"))
        {
            const string s = "shipping_options[0][shipping_rate_data]";
            if (!long.TryParse(form[$"{s}[fixed_amount][amount]"], NumberStyles.None, CultureInfo.InvariantCulture, out shipping) || shipping > MaxAmount)
                return Invalid($"fixed_amount[amount] must be an integer from 0 to {MaxAmount}.", $"{s}[fixed_amount][amount]");
            if (form[$"{s}[fixed_amount][currency]"].ToString().ToLowerInvariant() != currency) return Invalid("The shipping rate must be in the session's currency.", $"{s}[fixed_amount][currency]");
            if (form[$"{s}[display_name]"].ToString().Length == 0) return Invalid("A shipping rate needs a display_name.", $"{s}[display_name]");
        }

        var expiresAt = now + SessionMaximumLife;
        if (form.ContainsKey("expires_at"))
        {
            if (!long.TryParse(form["expires_at"], NumberStyles.None, CultureInfo.InvariantCulture, out var unix) || unix > SandboxSetup.MaxUnixSeconds)
                return Invalid("expires_at must be a Unix timestamp.", "expires_at");
            expiresAt = DateTimeOffset.FromUnixTimeSeconds(unix).UtcDateTime;
            if (expiresAt < now + SessionMinimumLife - TimeSpan.FromSeconds(1))
                return Invalid("The `expires_at` timestamp must be at least 30 minutes from Checkout Session creation.", "expires_at");
            if (expiresAt > now + SessionMaximumLife) return Invalid("The `expires_at` timestamp must be less than 24 hours from Checkout Session creation.", "expires_at");
        }

        var captureMethod = form["payment_intent_data[capture_method]"].ToString() is { Length: > 0 } m ? m : "automatic";
        if (captureMethod is not ("automatic" or "automatic_async" or "manual")) return Invalid("Invalid capture_method.", "payment_intent_data[capture_method]");

        await using var db = await contexts.CreateDbContextAsync(ct);
        SandboxCoupon? coupon = null;
        if (form["discounts[0][coupon]"].ToString() is { Length: > 0 } couponId)
        {
            coupon = await db.Coupons.FirstOrDefaultAsync(x => x.Id == couponId, ct);
            if (coupon is null) return SandboxWire.Missing("coupon", couponId);
            if (coupon.Currency != currency) return Invalid("The coupon's currency is not the session's.", "discounts[0][coupon]");
            if (coupon.MaxRedemptions is { } max && coupon.TimesRedeemed >= max) return Invalid($"Coupon {coupon.Id} has been fully redeemed.", "discounts[0][coupon]");
            coupon.TimesRedeemed++;
        }

        var subtotal = lines.Sum(l => l.UnitAmount * l.Quantity);
        var discount = Math.Min(coupon?.AmountOff ?? 0, subtotal);
        var total = subtotal - discount + shipping;
        if (total < 50) return Invalid("The Checkout Session's total amount due must add up to at least 50 minor units.", "line_items");

        var id = NewId("cs_test");
        var session = new SandboxSession
        {
            Id = id,
            Currency = currency,
            AmountSubtotal = subtotal,
            AmountShipping = shipping,
            AmountDiscount = discount,
            AmountTotal = total,
            LineItemsJson = JsonSerializer.Serialize(lines),
            MetadataJson = JsonSerializer.Serialize(Metadata(form)),
            CaptureMethod = captureMethod,
            IntentDescription = form["payment_intent_data[description]"],
            IntentMetadataJson = JsonSerializer.Serialize(Metadata(form, "payment_intent_data[metadata][")),
            ClientReferenceId = form["client_reference_id"],
            SuccessUrl = successUrl,
            CancelUrl = cancelUrl,
            Url = $"{payPageBase.TrimEnd('/')}/psp-sandbox/pay/{id}",
            ExpiresAtUtc = expiresAt,
            CreatedAtUtc = now,
        };
        db.Sessions.Add(session);
        await db.SaveChangesAsync(ct);
        due.Notify();
        return SandboxAnswer.Ok(SandboxWire.Session(session));
    }

    public async Task<SandboxAnswer> GetSessionAsync(string id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var session = await db.Sessions.AsNoTracking().FirstOrDefaultAsync(s => s.Id == id, ct);
        return session is null ? SandboxWire.Missing("checkout.session", id) : SandboxAnswer.Ok(SandboxWire.Session(session));
    }

    /// <summary>Closes an open session (Stripe: only an open one can be expired); a PaymentIntent it made that took nothing is cancelled.</summary>
    public async Task<SandboxAnswer> ExpireSessionAsync(string id, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var session = await db.Sessions.FirstOrDefaultAsync(s => s.Id == id, ct);
        if (session is null) return SandboxWire.Missing("checkout.session", id);
        if (session.Status != "open")
            return SandboxAnswer.Error(400, "invalid_request_error", "checkout_session_not_expirable",
                $"Only Checkout Sessions with a status of `open` can be expired. This session has a status of `{session.Status}`.", null);
        await ExpireAsync(db, session, ct);
        await db.SaveChangesAsync(ct);
        webhooks.Notify();
        return SandboxAnswer.Ok(SandboxWire.Session(session));
    }

    private async Task ExpireAsync(PspSandboxDbContext db, SandboxSession session, CancellationToken ct)
    {
        session.Status = "expired";
        if (session.PaymentIntentId is { } intentId && await db.Intents.FirstOrDefaultAsync(i => i.Id == intentId, ct) is { } intent
            && intent.Status is "requires_payment_method" or "requires_action")
        {
            intent.Status = "canceled";
            intent.CancellationReason = "abandoned";
            Emit(db, "payment_intent.canceled", SandboxWire.Intent(intent));
        }
        Emit(db, "checkout.session.expired", SandboxWire.Session(session));
    }

    /// <summary>
    /// Takes held money: <c>amount_to_capture</c> (all that is held when absent) at most what is capturable; the rest is
    /// released to the card at once, as Stripe does.
    /// </summary>
    public async Task<SandboxAnswer> CaptureIntentAsync(string id, IFormCollection form, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var intent = await db.Intents.FirstOrDefaultAsync(i => i.Id == id, ct);
        if (intent is null) return SandboxWire.Missing("payment_intent", id);
        if (intent.Status != "requires_capture")
            return SandboxAnswer.Error(400, "invalid_request_error", "payment_intent_unexpected_state",
                $"This PaymentIntent could not be captured because it has a status of {intent.Status}. Only a PaymentIntent with one of the following statuses may be captured: requires_capture.", null);
        var amount = intent.AmountCapturable;
        if (form.ContainsKey("amount_to_capture")
            && (!long.TryParse(form["amount_to_capture"], NumberStyles.None, CultureInfo.InvariantCulture, out amount) || amount < 1))
            return Invalid("amount_to_capture must be a positive integer.", "amount_to_capture");
        if (amount > intent.AmountCapturable)
            return SandboxAnswer.Error(400, "invalid_request_error", "amount_too_large",
                $"The amount to capture ({amount}) is greater than the amount capturable ({intent.AmountCapturable}).", "amount_to_capture");
        intent.Status = "succeeded";
        intent.AmountReceived = amount;
        intent.AmountCapturable = 0;
        Emit(db, "payment_intent.succeeded", SandboxWire.Intent(intent));
        if (intent.CheckoutSessionId is { } sessionId && await db.Sessions.FirstOrDefaultAsync(s => s.Id == sessionId, ct) is { } session) session.PaymentStatus = "paid";
        await db.SaveChangesAsync(ct);
        webhooks.Notify();
        return SandboxAnswer.Ok(SandboxWire.Intent(intent));
    }

    private static bool IsWebUrl(string value) => Uri.TryCreate(value.Replace("{CHECKOUT_SESSION_ID}", "x"), UriKind.Absolute, out var uri) && uri.Scheme is "http" or "https";

    private static SandboxAnswer Invalid(string message, string param) => SandboxAnswer.Error(400, "invalid_request_error", "parameter_invalid", message, param);
}
