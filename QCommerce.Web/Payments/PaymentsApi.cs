using System.Security.Claims;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Common;
using QCommerce.Core.Payments;
using QCommerce.Web.Common;

namespace QCommerce.Web.Payments;

public sealed record StartPaymentRequest(string? OrderId);

public sealed record NextActionDto(string Type, string Url);

public sealed record PaymentStartedDto(string PaymentId, string OrderId, PaymentStatus Status, int Attempt, MoneyDto Amount, NextActionDto? NextAction)
{
    public static PaymentStartedDto From(PaymentReceipt r) => new(r.PublicId, PublicId.Format(PublicId.Order, r.OrderId), r.Status, r.Attempt,
        MoneyDto.From(new Money(r.Currency, r.AmountMinor)), r.RedirectUrl is { } url ? new NextActionDto("redirect", url) : null);
}

public sealed record PaymentAttemptDto(int Number, PaymentStatus Status, MoneyDto Amount, string? PspReference, string? FailureMessage, DateTime CreatedAt);

public sealed record RefundDto(string RefundId, MoneyDto Amount, RefundStatus Status, string Reason, string? FailureMessage, DateTime CreatedAt, DateTime? CompletedAt);

public sealed record PaymentDto(
    string PaymentId, string OrderId, PaymentStatus Status, MoneyDto Amount, MoneyDto Captured, MoneyDto Refunded, string? PspReference,
    NextActionDto? NextAction, string? FailureMessage, IReadOnlyList<PaymentAttemptDto> Attempts, IReadOnlyList<RefundDto> Refunds,
    DateTime CreatedAt, DateTime UpdatedAt)
{
    public static PaymentDto From(PaymentView p) => new(
        p.PublicId, p.OrderPublicId, p.Status, MoneyDto.From(p.Amount), MoneyDto.From(p.Captured), MoneyDto.From(p.Refunded), p.PspReference,
        p.CanContinue ? new NextActionDto("redirect", p.RedirectUrl!) : null, p.FailureMessage,
        p.Attempts.Select(a => new PaymentAttemptDto(a.Number, a.Status, MoneyDto.From(a.Amount), a.PspReference, a.FailureMessage, a.CreatedAtUtc)).ToList(),
        p.Refunds.Select(r => new RefundDto(r.PublicId, MoneyDto.From(r.Amount), r.Status, r.Reason, r.FailureMessage, r.CreatedAtUtc, r.CompletedAtUtc)).ToList(),
        p.CreatedAtUtc, p.UpdatedAtUtc);
}

/// <summary>Card payments of the caller's orders (DESIGN §9). The amount always comes from the order.</summary>
public static class PaymentsApi
{
    public static RouteGroupBuilder MapPaymentsApi(this RouteGroupBuilder v1)
    {
        var payments = v1.MapGroup("/payments").WithTags("Payments").RequireAuthorization();

        payments.MapPost("/", async Task<IResult> ([FromHeader(Name = IdempotencyKeys.Header)] string? idempotencyKey,
            [FromBody] StartPaymentRequest? body, ClaimsPrincipal user, PaymentService service, HttpContext http, CancellationToken ct) =>
        {
            var errors = new ProblemList();
            var orderId = errors.RequiredId("orderId", body?.OrderId, PublicId.Order);
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

        payments.MapPost("/{paymentId}/retry", async Task<IResult> (string paymentId, [FromHeader(Name = IdempotencyKeys.Header)] string? idempotencyKey,
            ClaimsPrincipal user, PaymentService service, HttpContext http, CancellationToken ct) =>
        {
            if (!PublicId.TryParse(PublicId.Payment, paymentId, out var id)) return PaymentNotFound(paymentId);
            var result = await service.RetryAsync(ApiUser.Id(user), id, SiteBase(http), idempotencyKey!, ct);
            return Started(http, result);
        })
        .RequireRateLimiting(RateLimitPolicies.PaymentsPerUser)
        .RequireIdempotencyKey()
        .WithSummary("A new attempt after the last one failed; 409 otherwise.")
        .Produces<PaymentStartedDto>(201).ProducesValidationProblem().ProducesProblem(404).ProducesProblem(409).ProducesProblem(503);

        payments.MapGet("/{paymentId}", async Task<IResult> (string paymentId, ClaimsPrincipal user, PaymentQueries queries, CancellationToken ct) =>
        {
            var payment = PublicId.TryParse(PublicId.Payment, paymentId, out var id) ? await queries.FindAsync(id, ApiUser.Id(user), ct) : null;
            return payment is null ? PaymentNotFound(paymentId) : TypedResults.Ok(PaymentDto.From(payment));
        })
        .WithSummary("Status, amount, pspReference (the PaymentIntent id), attempts and refunds.")
        .Produces<PaymentDto>().ProducesProblem(404);

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

    private static IResult PaymentNotFound(string paymentId) =>
        Results.Problem(statusCode: 404, title: "Not found", detail: $"Payment '{TextRules.Excerpt(paymentId)}' was not found.");
}
