using System.Security.Claims;
using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Common;
using QCommerce.Core.Payments;
using QCommerce.Web.Common;

namespace QCommerce.Web.Payments;

public sealed record StartPaymentRequest(string? OrderId);

public sealed record NextActionDto(string Type, string Url);

public sealed record PaymentStartedDto(PaymentId PaymentId, OrderId OrderId, PaymentStatus Status, int Attempt, MoneyDto Amount, NextActionDto? NextAction)
{
    public static PaymentStartedDto From(PaymentReceipt r) => new(PaymentId.Of(r.PaymentId), OrderId.Of(r.OrderId), r.Status, r.Attempt,
        MoneyDto.From(new Money(r.Currency, r.AmountMinor)), r.RedirectUrl is { } url ? new NextActionDto("redirect", url) : null);
}

public sealed record PaymentAttemptDto(int Number, PaymentStatus Status, MoneyDto Amount, string? PspReference, string? FailureMessage, DateTime CreatedAt);

public sealed record RefundDto(RefundId RefundId, MoneyDto Amount, RefundStatus Status, string Reason, string? FailureMessage, DateTime CreatedAt, DateTime? CompletedAt);

/// <param name="Held">What the card holds for the order (authorised at checkout, taken when the pick is done); zero when taken at once.</param>
/// <param name="Released">Held money that went back to the card uncharged: the rest after the capture, or all of a released hold.</param>
public sealed record PaymentDto(
    PaymentId PaymentId, OrderId OrderId, PaymentStatus Status, MoneyDto Amount, MoneyDto Captured, MoneyDto Refunded, string? PspReference,
    NextActionDto? NextAction, string? FailureMessage, IReadOnlyList<PaymentAttemptDto> Attempts, IReadOnlyList<RefundDto> Refunds,
    DateTime CreatedAt, DateTime UpdatedAt, MoneyDto Held, MoneyDto Released)
{
    public static PaymentDto From(PaymentView p) => new(
        PaymentId.Of(p.Id), OrderId.Of(p.OrderId), p.Status, MoneyDto.From(p.Amount), MoneyDto.From(p.Captured), MoneyDto.From(p.Refunded), p.PspReference,
        p.CanContinue ? new NextActionDto("redirect", p.RedirectUrl!) : null, p.FailureMessage,
        p.Attempts.Select(a => new PaymentAttemptDto(a.Number, a.Status, MoneyDto.From(a.Amount), a.PspReference, a.FailureMessage, a.CreatedAtUtc)).ToList(),
        p.Refunds.Select(r => new RefundDto(RefundId.Of(r.Id), MoneyDto.From(r.Amount), r.Status, r.Reason, r.FailureMessage, r.CreatedAtUtc, r.CompletedAtUtc)).ToList(),
        p.CreatedAtUtc, p.UpdatedAtUtc, MoneyDto.From(p.Held), MoneyDto.From(p.Released));
}

/// <summary>Card payments of the caller's orders (architecture §9). The amount always comes from the order.</summary>
public static class PaymentsApi
{
    public static RouteGroupBuilder MapPaymentsApi(this RouteGroupBuilder v1)
    {
        var payments = v1.MapGroup("/payments").WithTags("Payments").RequireAuthorization();

        payments.MapPost("/", async Task<IResult> ([FromHeader(Name = IdempotencyKeys.Header)] string? idempotencyKey,
            [FromBody] StartPaymentRequest? body, ClaimsPrincipal user, PaymentService service, HttpContext http, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            var orderId = errors.RequiredId<OrderId>("orderId", body?.OrderId);
            if (errors.Any) return errors.ToProblem();
            var result = await service.StartAsync(ApiUser.Id(user), orderId!.Value, SiteBase(http), idempotencyKey!, ct);
            return Started(http, result);
        })
        .RequireRateLimiting(RateLimitPolicies.PaymentsPerUser)
        .RequireIdempotencyKey()
        .WithSummary("Starts paying for an order by card; send the shopper to nextAction.url.")
        .WithDescription("Requires an Idempotency-Key. One payment per order: a second one is 409; after a failure use /retry. 503 when the payment provider does not answer (nothing charged; try again).")
        .Accepts<StartPaymentRequest>("application/json")
        .Produces<PaymentStartedDto>(201).ProducesValidationProblem().ProducesValidationProblem(422).ProducesProblem(404).ProducesProblem(409).ProducesProblem(503);

        payments.MapPost("/{paymentId:payment}/retry", async Task<IResult> (PaymentId paymentId, [FromHeader(Name = IdempotencyKeys.Header)] string? idempotencyKey,
            ClaimsPrincipal user, PaymentService service, HttpContext http, CancellationToken ct) =>
        {
            var result = await service.RetryAsync(ApiUser.Id(user), paymentId.Value, SiteBase(http), idempotencyKey!, ct);
            return Started(http, result);
        })
        .RequireRateLimiting(RateLimitPolicies.PaymentsPerUser)
        .RequireIdempotencyKey()
        .WithSummary("A new attempt after the last one failed; 409 otherwise.")
        .Produces<PaymentStartedDto>(201).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(503);

        payments.MapGet("/{paymentId:payment}", async Task<Results<Ok<PaymentDto>, ProblemHttpResult>> (PaymentId paymentId, ClaimsPrincipal user, PaymentQueries queries, CancellationToken ct) =>
        {
            var payment = await queries.FindAsync(paymentId.Value, ApiUser.Id(user), ct);
            return payment is null ? PaymentNotFound(paymentId) : TypedResults.Ok(PaymentDto.From(payment));
        })
        .WithSummary("Status, amount, pspReference (the PaymentIntent id), attempts and refunds.")
        .ProducesProblem(404);

        return v1;
    }

    /// <summary>
    /// The storefront's address as the caller reached it: where the PSP sends the shopper back. The scheme is http or
    /// https, whatever a proxy's X-Forwarded-Proto claimed ("javascript" must never reach a link on the PSP's page).
    /// </summary>
    internal static string SiteBase(HttpContext http) => $"{(http.Request.IsHttps ? "https" : "http")}://{http.Request.Host}";

    private static IResult Started(HttpContext http, PaymentStartResult result)
    {
        if (result.Replayed) http.Response.Headers[IdempotencyKeys.ReplayedHeader] = "true";
        return TypedResults.Created($"/v1/payments/{result.Receipt.PublicId}", PaymentStartedDto.From(result.Receipt));
    }

    private static ProblemHttpResult PaymentNotFound(PaymentId paymentId) =>
        TypedResults.Problem(statusCode: 404, title: "Not found", detail: $"Payment '{paymentId}' was not found.");
}
