using Microsoft.AspNetCore.Mvc;
using Microsoft.Extensions.Options;
using QCommerce.Core.Common;
using QCommerce.Core.Payments;
using Stripe;

namespace QCommerce.Web.Payments;

/// <summary>
/// Stripe's events (architecture §1, §4). The signature is checked on the raw body before anything is
/// read from it: a missing, forged or stale one is 400 and nothing is stored. A verified event goes
/// to <see cref="PaymentUpdates.HandlePspEventAsync"/>, which stores it under its event id with its
/// effect, so a duplicate is answered 200 and changes nothing.
/// </summary>
[ApiController]
[Route("v1/webhooks/psp")]
[ApiExplorerSettings(GroupName = "v1")]
public sealed class PspWebhookController(PaymentUpdates payments, IOptions<PaymentsOptions> options, QCommerceMetrics metrics, TimeProvider clock,
    ILogger<PspWebhookController> logger)
    : ControllerBase
{
    /// <summary>Stripe's own events are a few KB; anything far larger is not one.</summary>
    private const int MaxBodyBytes = 512 * 1024;

    [HttpPost]
    [RequestSizeLimit(MaxBodyBytes)]
    [Consumes("application/json")]
    [ProducesResponseType(typeof(WebhookAnswer), 200)]
    [ProducesResponseType(typeof(ProblemDetails), 400)]
    public async Task<IActionResult> ReceiveAsync(CancellationToken ct)
    {
        string json;
        using (var reader = new StreamReader(Request.Body))
            json = await reader.ReadToEndAsync(ct);
        var signature = Request.Headers["Stripe-Signature"].ToString();
        if (string.IsNullOrWhiteSpace(signature)) return Rejected("The Stripe-Signature header is missing.");

        try
        {
            var stripe = options.Value.Stripe;
            EventUtility.ValidateSignature(json, signature, stripe.WebhookSecret, stripe.WebhookToleranceSeconds, clock.GetUtcNow().ToUnixTimeSeconds());
        }
        catch (Exception ex) when (ex is not OperationCanceledException)
        {
            // StripeException for a wrong or stale signature; a header Stripe.net cannot even read (a timestamp past
            // 2038 overflows it) is just as much not a signature of ours.
            logger.LogWarning("PSP webhook refused: {Reason} (remote {Remote})", ex is StripeException ? ex.Message : ex.GetType().Name,
                HttpContext.Connection.RemoteIpAddress);
            return Rejected("The Stripe-Signature does not match this body, or its timestamp is outside the tolerance.");
        }

        Event stripeEvent;
        try
        {
            stripeEvent = EventUtility.ParseEvent(json, throwOnApiVersionMismatch: false);
        }
        catch (Exception ex)
        {
            // Signed by someone who has the secret, yet not an event: whatever the parser makes of it (an array, a number, an
            // object whose fields have the wrong types), nothing here can act on it.
            logger.LogWarning("PSP webhook refused: signed, but not an event ({Error})", ex.GetType().Name);
            return Rejected("The body is not a Stripe event.");
        }

        if (StripePaymentGateway.Map(stripeEvent) is not { } input) return Rejected("The event has no id or type.");
        var result = await payments.HandlePspEventAsync(input, ct);
        if (result == PspEventResult.ImpossibleAmount)
            return Rejected("Its amounts cannot be a payment's or a refund's here: negative, zero, a refund above what the charge has left, or of money not captured here (yet).");
        if (result is not PspEventResult.Duplicate) metrics.WebhookApplied(input.Type, input.CreatedAtUtc, clock.GetUtcNow().UtcDateTime);
        return Ok(new WebhookAnswer(true, result.ToString()));
    }

    private BadRequestObjectResult Rejected(string detail) => BadRequest(new ProblemDetails
    {
        Type = "https://tools.ietf.org/html/rfc9110#section-15.5.1",
        Status = 400,
        Title = "Webhook rejected",
        Detail = detail + " Nothing was stored.",
        Instance = Request.Path,
    });
}

public sealed record WebhookAnswer(bool Received, string Outcome);
