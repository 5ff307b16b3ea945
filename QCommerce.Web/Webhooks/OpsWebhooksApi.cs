using Microsoft.AspNetCore.Http.HttpResults;
using Microsoft.AspNetCore.Mvc;
using QCommerce.Core.Common;
using QCommerce.Core.Identity;
using QCommerce.Core.Webhooks;
using QCommerce.Web.Common;
using QCommerce.Web.Identity;

namespace QCommerce.Web.Webhooks;

public sealed record OpsWebhookDto(WebhookId Id, string Url, string Description, IReadOnlyList<string> EventTypes, bool Enabled, DateTime? DisabledAt,
    string? DisabledReason, DateTime? FailingSince, DateTime? LastSuccessAt, DateTime? PreviousSecretUntil, DateTime CreatedAt, int Waiting, int Failed)
{
    public static OpsWebhookDto From(WebhookEndpointView e) => new(Parse(e.Id), e.Url, e.Description, e.EventTypes, e.Enabled, e.DisabledAtUtc, e.DisabledReason,
        e.FailingSinceUtc, e.LastSuccessAtUtc, e.PreviousSecretUntilUtc, e.CreatedAtUtc, e.Waiting, e.Failed);

    private static WebhookId Parse(string id) => WebhookId.TryParse(id, out var parsed) ? parsed : throw new InvalidOperationException(id);
}

/// <summary>An endpoint with its signing secret: the one time the secret is shown. Keep it where the receiver reads it.</summary>
public sealed record OpsWebhookSecretDto(OpsWebhookDto Endpoint, string Secret);

public sealed record OpsWebhookRequest(string? Url, string? Description, List<string?>? EventTypes);

public sealed record OpsWebhookRotateRequest(double? OverlapHours);

public sealed record OpsWebhookSendAgainRequest(DateTime? FailedSince);

public sealed record OpsWebhookRequeuedDto(int Requeued);

public sealed record OpsWebhookEventTypeDto(string Type, string Meaning);

public sealed record OpsWebhookDeliveryDto(long Id, string MessageId, string EventType, string Subject, long Sequence, string State, int Attempts, DateTime CreatedAt,
    DateTime? LastAttemptAt, int? LastStatus, int? LastLatencyMs, string? LastResponse, string? LastError, DateTime? NextAttemptAt, DateTime? DeliveredAt)
{
    public static OpsWebhookDeliveryDto From(WebhookDeliveryView d) => new(d.Id, d.MessageId, d.EventType, d.Subject, d.Sequence, WireNames.Of(d.State), d.Attempts,
        d.CreatedAtUtc, d.LastAttemptAtUtc, d.LastStatusCode, d.LastLatencyMs, d.LastExcerpt, d.LastError, d.NextAttemptAtUtc, d.DeliveredAtUtc);
}

public sealed record OpsWebhookAttemptDto(int Attempt, DateTime At, int? Status, int LatencyMs, string? Response, string? Error);

public sealed record OpsWebhookDeliveryDetailDto(OpsWebhookDeliveryDto Delivery, string Payload, IReadOnlyList<OpsWebhookAttemptDto> Attempts);

/// <summary>
/// <c>/v1/ops/webhooks</c> (Admin): register receivers of signed events (Standard Webhooks), rotate their secrets, read each
/// one's delivery log and send again what failed. The secret is in the answer to a create or a rotation, and nowhere else.
/// </summary>
public static class OpsWebhooksApi
{
    public static RouteGroupBuilder MapOpsWebhooksApi(this RouteGroupBuilder ops)
    {
        var hooks = ops.MapGroup("/webhooks").WithTags("Ops: webhooks").RequireAuthorization(Roles.Admin);

        hooks.MapGet("/event-types", () => TypedResults.Ok(WebhookEvents.All.Select(e => new OpsWebhookEventTypeDto(e.Type, e.Meaning)).ToList()))
            .WithSummary("The event types an endpoint can subscribe to, with what each means.");

        hooks.MapGet("/", async (HttpContext http, WebhookService service, CancellationToken ct) =>
            TypedResults.Ok((await service.ListAsync(await http.StaffAsync(ct), ct)).Select(OpsWebhookDto.From).ToList()))
            .WithSummary("Every endpoint with its state and how many deliveries wait or failed.");

        hooks.MapPost("/", async Task<Results<Created<OpsWebhookSecretDto>, ValidationProblem>> ([FromBody] OpsWebhookRequest? body, HttpContext http,
            WebhookService service, CancellationToken ct) =>
        {
            if (body is null) return Missing();
            var made = await service.CreateAsync(await http.StaffAsync(ct), Input(body), ct);
            var dto = OpsWebhookDto.From(made.Endpoint);
            return TypedResults.Created($"/v1/ops/webhooks/{dto.Id}", new OpsWebhookSecretDto(dto, made.Secret));
        })
        .WithSummary("Registers an endpoint: {url, description, eventTypes: [\"order.placed\", …]}. The answer carries the signing secret, shown this once.")
        .Accepts<OpsWebhookRequest>("application/json").ProducesProblem(403).ProducesValidationProblem(422);

        hooks.MapGet("/{webhookId:webhook}", async (WebhookId webhookId, HttpContext http, WebhookService service, CancellationToken ct) =>
            TypedResults.Ok(OpsWebhookDto.From(await service.FindAsync(await http.StaffAsync(ct), webhookId.Value, ct))))
            .WithSummary("One endpoint (never its secret).").ProducesProblem(404);

        hooks.MapPut("/{webhookId:webhook}", async Task<Results<Ok<OpsWebhookDto>, ValidationProblem>> (WebhookId webhookId, [FromBody] OpsWebhookRequest? body,
            HttpContext http, WebhookService service, CancellationToken ct) =>
        {
            if (body is null) return Missing();
            return TypedResults.Ok(OpsWebhookDto.From(await service.ChangeAsync(await http.StaffAsync(ct), webhookId.Value, Input(body), ct)));
        })
        .WithSummary("Changes an endpoint's URL, description and event types; deliveries already queued keep their body.")
        .Accepts<OpsWebhookRequest>("application/json").ProducesProblem(404).ProducesValidationProblem(422);

        hooks.MapPost("/{webhookId:webhook}/rotate-secret", async (WebhookId webhookId,
            [FromBody] OpsWebhookRotateRequest? body, HttpContext http, WebhookService service, CancellationToken ct) =>
        {
            TimeSpan? overlap = body?.OverlapHours switch
            {
                null => null,
                >= 0 and <= 168 and var hours => TimeSpan.FromHours(hours),
                _ => throw new RequestRejectedException(new Dictionary<string, string[]> { ["overlapHours"] = ["Give an overlap from 0 to 168 hours."] }),
            };
            var rotated = await service.RotateAsync(await http.StaffAsync(ct), webhookId.Value, overlap, ct);
            return TypedResults.Ok(new OpsWebhookSecretDto(OpsWebhookDto.From(rotated.Endpoint), rotated.Secret));
        })
        .WithSummary("Makes a new signing secret (shown this once); the old one keeps signing beside it for {overlapHours} (24 unless given).")
        .Accepts<OpsWebhookRotateRequest>("application/json").ProducesProblem(404).ProducesValidationProblem(422);

        hooks.MapPost("/{webhookId:webhook}/disable", async (WebhookId webhookId, HttpContext http, WebhookService service, CancellationToken ct) =>
            TypedResults.Ok(OpsWebhookDto.From(await service.SetEnabledAsync(await http.StaffAsync(ct), webhookId.Value, enabled: false, ct))))
            .WithSummary("Pauses the endpoint: its deliveries, new ones included, wait in order until it is enabled.").ProducesProblem(404);

        hooks.MapPost("/{webhookId:webhook}/enable", async (WebhookId webhookId, HttpContext http, WebhookService service, CancellationToken ct) =>
            TypedResults.Ok(OpsWebhookDto.From(await service.SetEnabledAsync(await http.StaffAsync(ct), webhookId.Value, enabled: true, ct))))
            .WithSummary("Sends to the endpoint again, starting with what waited.").ProducesProblem(404);

        hooks.MapDelete("/{webhookId:webhook}", async (WebhookId webhookId, HttpContext http, WebhookService service, CancellationToken ct) =>
        {
            await service.DeleteAsync(await http.StaffAsync(ct), webhookId.Value, ct);
            return TypedResults.NoContent();
        })
        .WithSummary("Removes the endpoint, its deliveries and their log.").ProducesProblem(404);

        hooks.MapGet("/{webhookId:webhook}/deliveries", async Task<Results<Ok<PageDto<OpsWebhookDeliveryDto>>, ValidationProblem>> (WebhookId webhookId,
            string? state, string? page, string? pageSize, HttpContext http, WebhookLog log, CancellationToken ct) =>
        {
            var problems = new ProblemList();
            WebhookDeliveryState? filter = null;
            if (!string.IsNullOrEmpty(state))
            {
                filter = Enum.GetValues<WebhookDeliveryState>().Cast<WebhookDeliveryState?>().FirstOrDefault(s => WireNames.Of(s!) == state);
                if (filter is null) problems.Add("state", $"Use one of {string.Join(", ", Enum.GetValues<WebhookDeliveryState>().Select(s => WireNames.Of(s)))}.");
            }
            var number = problems.Int("page", page, 1, 1, 100_000);
            var size = problems.Int("pageSize", pageSize, 50, 1, WebhookLog.MaxPageSize);
            if (problems.Any) return problems.ToProblem();
            var found = await log.DeliveriesAsync(await http.StaffAsync(ct), webhookId.Value, filter, number, size, ct);
            return TypedResults.Ok(new PageDto<OpsWebhookDeliveryDto>(found.Items.Select(OpsWebhookDeliveryDto.From).ToList(), found.PageNumber, found.PageSize, found.Total));
        })
        .WithSummary("The delivery log, newest first: state, tries, the last answer's status, latency and first bytes. ?state=pending|retrying|delivered|failed")
        .ProducesProblem(404).ProducesValidationProblem(400);

        hooks.MapGet("/{webhookId:webhook}/deliveries/{deliveryId:long}", async (WebhookId webhookId, long deliveryId, HttpContext http, WebhookLog log,
            CancellationToken ct) =>
        {
            var detail = await log.DeliveryAsync(await http.StaffAsync(ct), webhookId.Value, deliveryId, ct);
            return TypedResults.Ok(new OpsWebhookDeliveryDetailDto(OpsWebhookDeliveryDto.From(detail.Delivery), detail.Payload,
                detail.Attempts.Select(a => new OpsWebhookAttemptDto(a.Number, a.AtUtc, a.StatusCode, a.LatencyMs, a.ResponseExcerpt, a.Error)).ToList()));
        })
        .WithSummary("One delivery: its body and every try.").ProducesProblem(404);

        hooks.MapPost("/{webhookId:webhook}/deliveries/{deliveryId:long}/send-again", async (WebhookId webhookId, long deliveryId, HttpContext http,
            WebhookService service, CancellationToken ct) =>
        {
            await service.SendAgainAsync(await http.StaffAsync(ct), webhookId.Value, deliveryId, ct);
            return TypedResults.Accepted((string?)null);
        })
        .WithSummary("Sends one delivery again, same webhook-id and body, with a fresh retry schedule.").ProducesProblem(404);

        hooks.MapPost("/{webhookId:webhook}/send-again", async (WebhookId webhookId,
            [FromBody] OpsWebhookSendAgainRequest? body, HttpContext http, WebhookService service, CancellationToken ct) =>
        {
            if (body?.FailedSince is not { } since)
                throw new RequestRejectedException(new Dictionary<string, string[]> { ["failedSince"] = ["Say since when: {\"failedSince\": \"2026-12-07T09:00:00Z\"}."] });
            return TypedResults.Ok(new OpsWebhookRequeuedDto(await service.SendAgainFailedAsync(await http.StaffAsync(ct), webhookId.Value, since.ToUniversalTime(), ct)));
        })
        .WithSummary("Sends again every delivery made since {failedSince} that failed (given up, or waiting to retry).")
        .Accepts<OpsWebhookSendAgainRequest>("application/json").ProducesProblem(404).ProducesValidationProblem(422);

        return ops;
    }

    private static ValidationProblem Missing()
    {
        var problems = new ProblemList();
        problems.Add("body", "Send {url, description, eventTypes: [\"order.placed\", …]}.");
        return problems.ToProblem();
    }

    private static WebhookInput Input(OpsWebhookRequest body) => new(body.Url, body.Description, body.EventTypes);
}
