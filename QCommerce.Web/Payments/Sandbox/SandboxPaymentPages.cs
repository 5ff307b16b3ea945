using System.Globalization;
using System.Text.Encodings.Web;
using Microsoft.AspNetCore.Antiforgery;
using QCommerce.Core.Common;
using QCommerce.Web.Common;

namespace QCommerce.Web.Payments.Sandbox;

/// <summary>
/// The sandbox's hosted checkout page (a Checkout Session's: its lines, delivery, discount and total) and its 3-D Secure challenge: plain HTML of the PSP's own,
/// not the storefront's, because at a real PSP the shopper leaves the shop for them.
/// </summary>
public static class SandboxPaymentPages
{
    public static void MapSandboxPaymentPages(this WebApplication app)
    {
        // A real PSP's page guards its own forms; so does this one (the storefront's cookies reach it on this origin).
        var pages = app.MapGroup("/psp-sandbox/pay").RequireAntiforgeryToken().ExcludeFromDescription();

        pages.MapGet("/{id}", async (string id, HttpContext http, SandboxPsp psp, CancellationToken ct) =>
            await psp.FindSessionAsync(id, ct) is { } found ? PayPage(http, found.Session, found.Intent, error: null) : NotFound());

        pages.MapPost("/{id}", async (string id, HttpContext http, SandboxPsp psp, TimeProvider clock, CancellationToken ct) =>
        {
            if (await psp.FindSessionAsync(id, ct) is not { } found) return NotFound();
            var form = await http.Request.ReadFormOrRejectAsync(ct);
            var number = new string(form["number"].ToString().Where(char.IsDigit).ToArray());
            if (CheckCard(number, form["expiry"], form["cvc"], clock.GetUtcNow()) is { } problem) return PayPage(http, found.Session, found.Intent, problem, number);
            var outcome = await psp.PayAsync(id, number, ct);
            var now = await psp.FindSessionAsync(id, ct);
            return outcome switch
            {
                SandboxCardOutcome.Succeeded => Results.Redirect(SandboxPsp.SuccessUrl(now!.Value.Session)),
                SandboxCardOutcome.ChallengeRequired => Results.Redirect($"/psp-sandbox/pay/{id}/challenge"),
                // Like Stripe's page: the decline is shown on the page, which stays open for another card.
                SandboxCardOutcome.Declined => PayPage(http, now!.Value.Session, now.Value.Intent, error: null, number, status: 402),
                SandboxCardOutcome.Invalid => PayPage(http, found.Session, found.Intent, "This is a sandbox: use one of the test cards listed below.", number),
                _ => ClosedPage(now!.Value.Session),
            };
        });

        // With no challenge waiting (answered, or a reload after it failed), an open page is where the shopper goes on.
        pages.MapGet("/{id}/challenge", async (string id, HttpContext http, SandboxPsp psp, CancellationToken ct) =>
            await psp.FindSessionAsync(id, ct) is { } found
                ? found is { Session.Status: "open", Intent: { Status: "requires_action", CardLast4: not null } intent } ? ChallengePage(http, found.Session, intent)
                    : found.Session.Status == "open" ? Results.Redirect($"/psp-sandbox/pay/{id}") : ClosedPage(found.Session)
                : NotFound());

        pages.MapPost("/{id}/challenge", async (string id, HttpContext http, SandboxPsp psp, CancellationToken ct) =>
        {
            if (await psp.FindSessionAsync(id, ct) is null) return NotFound();
            var form = await http.Request.ReadFormOrRejectAsync(ct);
            var outcome = await psp.CompleteChallengeAsync(id, form["outcome"] == "approve", ct);
            var now = (await psp.FindSessionAsync(id, ct))!.Value;
            return outcome switch
            {
                SandboxCardOutcome.Succeeded => Results.Redirect(SandboxPsp.SuccessUrl(now.Session)),
                SandboxCardOutcome.Declined => PayPage(http, now.Session, now.Intent, error: null, status: 402),
                _ => now.Session.Status == "open" ? Results.Redirect($"/psp-sandbox/pay/{id}") : ClosedPage(now.Session),
            };
        });
    }

    /// <summary>What is wrong with the typed card, in the words a card form uses; null when it can be tried.</summary>
    public static string? CheckCard(string number, string? expiry, string? cvc, DateTimeOffset now)
    {
        if (number.Length is < 12 or > 19 || !Luhn(number)) return "Your card number is incomplete or invalid.";
        var parts = (expiry ?? "").Split('/', StringSplitOptions.TrimEntries);
        if (parts.Length != 2 || !int.TryParse(parts[0], out var month) || !int.TryParse(parts[1], out var year) || month is < 1 or > 12)
            return "Enter the expiry date as MM/YY.";
        if (year < 100) year += 2000;
        if (year is < 2000 or > 2099) return "Enter the expiry date as MM/YY.";
        if (new DateTime(year, month, 1).AddMonths(1) <= now.UtcDateTime) return "Your card has expired.";
        if ((cvc ?? "").Trim() is not { Length: 3 or 4 } code || !code.All(char.IsDigit)) return "Your card's security code is 3 or 4 digits.";
        return null;
    }

    private static bool Luhn(string digits)
    {
        var sum = 0;
        for (var i = 0; i < digits.Length; i++)
        {
            var d = digits[digits.Length - 1 - i] - '0';
            if (i % 2 == 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
            sum += d;
        }
        return sum % 10 == 0;
    }

    private static string Amount(string currency, long minor) => new Money(currency.ToUpperInvariant(), minor).ToString();

    private static IResult PayPage(HttpContext http, SandboxSession session, SandboxIntent? intent, string? error, string? number = null, int? status = null)
    {
        if (session.Status != "open") return ClosedPage(session);
        if (intent is { Status: "requires_action", CardLast4: not null }) return Results.Redirect($"/psp-sandbox/pay/{session.Id}/challenge");
        var h = HtmlEncoder.Default;
        var declined = intent?.LastErrorMessage is { } m && error is null ? $"<p class=\"error\" role=\"alert\">{h.Encode(m)} Try another card.</p>" : "";
        var lines = string.Concat(SandboxPsp.LineItems(session).Select(l =>
            $"<tr><td>{h.Encode(l.Name)}{(l.Quantity > 1 ? $" <span class=\"muted\">× {l.Quantity}</span>" : "")}</td><td class=\"num\">{h.Encode(Amount(session.Currency, l.UnitAmount * l.Quantity))}</td></tr>"));
        var shipping = session.AmountShipping > 0 ? $"<tr><td>Delivery</td><td class=\"num\">{h.Encode(Amount(session.Currency, session.AmountShipping))}</td></tr>" : "";
        var discount = session.AmountDiscount > 0 ? $"<tr><td>Discount</td><td class=\"num\">−{h.Encode(Amount(session.Currency, session.AmountDiscount))}</td></tr>" : "";
        var total = Amount(session.Currency, session.AmountTotal);
        var held = session.CaptureMethod == "manual"
            ? "<p class=\"muted\">This amount is held on your card now; QCommerce charges only what it picks for you, and the rest is released.</p>"
            : "";
        var cancel = session.CancelUrl is { } back ? $"<a class=\"back\" href=\"{h.Encode(back)}\">Cancel and return to QCommerce</a>" : "";
        var body = $"""
            <p class="merchant">QCommerce</p>
            <p class="amount">{h.Encode(total)}</p>
            {held}
            <table class="items" aria-label="Order summary"><tbody>{lines}{shipping}{discount}</tbody>
              <tfoot><tr><th scope="row">Total due</th><td class="num">{h.Encode(total)}</td></tr></tfoot></table>
            {declined}
            {(error is null ? "" : $"<p class=\"error\" role=\"alert\">{h.Encode(error)}</p>")}
            <form method="post" action="/psp-sandbox/pay/{h.Encode(session.Id)}" novalidate>
              {TokenField(http)}
              <label for="number">Card number</label>
              <input id="number" name="number" inputmode="numeric" autocomplete="cc-number" placeholder="1234 1234 1234 1234" value="{h.Encode(number ?? "")}" required>
              <div class="row">
                <div><label for="expiry">Expiry</label><input id="expiry" name="expiry" autocomplete="cc-exp" placeholder="MM/YY" required></div>
                <div><label for="cvc">CVC</label><input id="cvc" name="cvc" inputmode="numeric" autocomplete="cc-csc" placeholder="123" required></div>
              </div>
              <button type="submit" id="pay">Pay {h.Encode(total)}</button>
            </form>
            {cancel}
            <section class="cards" aria-label="Test cards">
              <h2>Test cards</h2>
              <p class="muted">Any future expiry date and any 3-digit CVC.</p>
              <ul>
                <li><button type="button" data-card="4242 4242 4242 4242">4242 4242 4242 4242</button> succeeds</li>
                <li><button type="button" data-card="4000 0000 0000 0002">4000 0000 0000 0002</button> is declined</li>
                <li><button type="button" data-card="4000 0025 0000 3155">4000 0025 0000 3155</button> asks for 3-D Secure</li>
              </ul>
            </section>
            <script nonce="{SecurityHeaders.Nonce(http)}">{FillScript}</script>
            """;
        return Page("Pay QCommerce", body, status ?? (error is null ? 200 : 400));
    }

    /// <summary>The test-card buttons fill the form, as Stripe's own test pages offer.</summary>
    private const string FillScript = """
          document.querySelectorAll('[data-card]').forEach(b => b.addEventListener('click', () => {
            document.getElementById('number').value = b.dataset.card;
            document.getElementById('expiry').value = '12/34';
            document.getElementById('cvc').value = '123';
          }));
        """;

    private static IResult ChallengePage(HttpContext http, SandboxSession session, SandboxIntent intent)
    {
        var h = HtmlEncoder.Default;
        var body = $"""
            <p class="merchant">Your bank · 3-D Secure</p>
            <h1>Confirm this payment</h1>
            <p>QCommerce asks for <strong>{h.Encode(Amount(intent.Currency, intent.Amount))}</strong> from your card ending in <strong>{h.Encode(intent.CardLast4 ?? "")}</strong>.</p>
            <form method="post" action="/psp-sandbox/pay/{h.Encode(session.Id)}/challenge" class="stack">
              {TokenField(http)}
              <button type="submit" name="outcome" value="approve">Complete authentication</button>
              <button type="submit" name="outcome" value="fail" class="secondary">Fail authentication</button>
            </form>
            {(session.CancelUrl is { } back ? $"<a class=\"back\" href=\"{h.Encode(back)}\">Cancel and return to QCommerce</a>" : "")}
            """;
        return Page("3-D Secure", body, 200);
    }

    private static IResult ClosedPage(SandboxSession session)
    {
        var h = HtmlEncoder.Default;
        var (what, back) = session.Status switch
        {
            "complete" => ("This payment is complete.", SandboxPsp.SuccessUrl(session)),
            "expired" => ("This payment page has expired: nothing more can be paid on it. Your order in the shop says what comes next.", session.CancelUrl ?? SandboxPsp.SuccessUrl(session)),
            _ => ("This payment cannot be made from this page any more.", session.CancelUrl ?? SandboxPsp.SuccessUrl(session)),
        };
        return Page("Payment", $"<p class=\"merchant\">QCommerce</p><h1>{h.Encode(what)}</h1><a class=\"back\" href=\"{h.Encode(back)}\">Return to QCommerce</a>", 200);
    }

    private static string TokenField(HttpContext http)
    {
        var tokens = http.RequestServices.GetRequiredService<IAntiforgery>().GetAndStoreTokens(http);
        var h = HtmlEncoder.Default;
        return $"<input type=\"hidden\" name=\"{h.Encode(tokens.FormFieldName)}\" value=\"{h.Encode(tokens.RequestToken ?? "")}\">";
    }

    private static IResult NotFound() => Page("Not found", "<h1>No such payment.</h1>", 404);

    private static IResult Page(string title, string body, int status) => Results.Content($$"""
        <!DOCTYPE html>
        <html lang="en">
        <head>
        <meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
        <title>{{title}} · Sandbox PSP</title>
        <style>
          * { box-sizing: border-box; }
          body { margin: 0; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; background: #f2f4f8; color: #1a1f36; }
          .test { background: #ff9f1c; color: #1a1f36; text-align: center; font-size: 13px; font-weight: 600; padding: 6px; letter-spacing: .02em; }
          main { max-width: 420px; margin: 32px auto; background: #fff; border-radius: 12px; padding: 28px; box-shadow: 0 6px 24px rgba(26,31,54,.1); }
          @media (max-width: 460px) { main { margin: 16px; padding: 20px; } }
          .merchant { margin: 0; color: #697386; font-weight: 600; }
          .amount { font-size: 34px; font-weight: 700; margin: 4px 0; }
          h1 { font-size: 22px; margin: 8px 0 16px; }
          h2 { font-size: 15px; margin: 0 0 4px; }
          .muted { color: #697386; margin: 0 0 16px; font-size: 14px; }
          label { display: block; font-size: 14px; font-weight: 600; margin: 14px 0 6px; }
          input { width: 100%; font: inherit; padding: 11px 12px; border: 1px solid #c9cfd9; border-radius: 8px; }
          input:focus { outline: 2px solid #635bff; border-color: #635bff; }
          .row { display: flex; gap: 12px; } .row > div { flex: 1; }
          button { font: inherit; font-weight: 600; cursor: pointer; border: 0; border-radius: 8px; }
          form > button, .stack button { width: 100%; margin-top: 20px; padding: 13px; background: #635bff; color: #fff; }
          .stack button.secondary { margin-top: 10px; background: #fff; color: #c0123c; border: 1px solid #c0123c; }
          .error { background: #fdecee; color: #a4112f; border-radius: 8px; padding: 10px 12px; margin: 12px 0 0; }
          .back { display: inline-block; margin-top: 16px; color: #635bff; }
          .items { width: 100%; border-collapse: collapse; margin: 12px 0 4px; font-size: 14px; }
          .items td, .items th { padding: 6px 0; border-bottom: 1px solid #e3e8ee; text-align: left; font-weight: normal; }
          .items tfoot th, .items tfoot td { font-weight: 700; border-bottom: 0; }
          .items .num { text-align: right; white-space: nowrap; padding-left: 12px; }
          .cards { margin-top: 24px; padding-top: 16px; border-top: 1px solid #e3e8ee; }
          .cards ul { list-style: none; padding: 0; margin: 0; font-size: 14px; }
          .cards li { margin: 8px 0; color: #697386; }
          .cards button { background: #f2f4f8; color: #1a1f36; padding: 6px 10px; font-family: ui-monospace, monospace; font-size: 13px; margin-right: 6px; }
        </style>
        </head>
        <body><div class="test">SANDBOX PSP · TEST MODE · no real money moves</div><main>{{body}}</main></body>
        </html>
        """, "text/html; charset=utf-8", System.Text.Encoding.UTF8, status);
}
