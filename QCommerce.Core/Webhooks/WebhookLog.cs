using QCommerce.Core.Data;

namespace QCommerce.Core.Webhooks;

/// <summary>One delivery in an endpoint's log, with its last try (status, how long it took, the start of the answer).</summary>
public sealed record WebhookDeliveryView(long Id, string MessageId, string EventType, string Subject, long Sequence, WebhookDeliveryState State, int Attempts,
    DateTime CreatedAtUtc, DateTime? LastAttemptAtUtc, int? LastStatusCode, int? LastLatencyMs, string? LastExcerpt, string? LastError,
    DateTime? NextAttemptAtUtc, DateTime? DeliveredAtUtc);

public sealed record WebhookAttemptView(int Number, DateTime AtUtc, int? StatusCode, int LatencyMs, string? ResponseExcerpt, string? Error);

/// <summary>A delivery with its body and every try, for the log's detail.</summary>
public sealed record WebhookDeliveryDetail(WebhookDeliveryView Delivery, string Payload, IReadOnlyList<WebhookAttemptView> Attempts);

/// <summary>The delivery log of an endpoint, newest first (admins only).</summary>
public sealed class WebhookLog(IDbContextFactory<QCommerceDbContext> contexts)
{
    public const int MaxPageSize = 100;

    public async Task<Page<WebhookDeliveryView>> DeliveriesAsync(StaffActor staff, int endpointId, WebhookDeliveryState? state, int page, int pageSize,
        CancellationToken ct = default)
    {
        RequireAdmin(staff);
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        page = Math.Max(1, page);
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await db.Set<WebhookEndpoint>().AnyAsync(e => e.Id == endpointId, ct)) throw new NotFoundException("Webhook endpoint", WebhookEndpoint.Format(endpointId));
        var query = db.Set<WebhookDelivery>().AsNoTracking().Where(d => d.EndpointId == endpointId && (state == null || d.State == state));
        var total = await query.CountAsync(ct);
        var rows = await query.OrderByDescending(d => d.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        var ids = rows.Select(r => r.Id).ToList();
        // The last try of each row: one query for the page.
        var last = (await db.Set<WebhookAttempt>().AsNoTracking().Where(a => ids.Contains(a.DeliveryId)).ToListAsync(ct))
            .GroupBy(a => a.DeliveryId).ToDictionary(g => g.Key, g => g.MaxBy(a => a.Number)!);
        return new(rows.Select(d => View(d, last.GetValueOrDefault(d.Id))).ToList(), page, pageSize, total);
    }

    public async Task<WebhookDeliveryDetail> DeliveryAsync(StaffActor staff, int endpointId, long deliveryId, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var delivery = await db.Set<WebhookDelivery>().AsNoTracking().FirstOrDefaultAsync(d => d.EndpointId == endpointId && d.Id == deliveryId, ct)
            ?? throw new NotFoundException("Delivery", deliveryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        var attempts = await db.Set<WebhookAttempt>().AsNoTracking().Where(a => a.DeliveryId == deliveryId).OrderBy(a => a.Number).ToListAsync(ct);
        return new(View(delivery, attempts.LastOrDefault()), delivery.Payload,
            attempts.Select(a => new WebhookAttemptView(a.Number, a.AtUtc, a.StatusCode, a.LatencyMs, a.ResponseExcerpt, a.Error)).ToList());
    }

    /// <summary>Endpoints disabled (by failing, or by hand), for the dashboard's notice.</summary>
    public async Task<IReadOnlyList<(string Id, string Url, string? Reason)>> DisabledAsync(CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = await db.Set<WebhookEndpoint>().AsNoTracking().Where(e => e.DisabledAtUtc != null).OrderBy(e => e.Id)
            .Select(e => new { e.Id, e.Url, e.DisabledReason }).ToListAsync(ct);
        return rows.Select(r => (WebhookEndpoint.Format(r.Id), r.Url, r.DisabledReason)).ToList();
    }

    private static WebhookDeliveryView View(WebhookDelivery d, WebhookAttempt? last) =>
        new(d.Id, d.MessageId, d.EventType, d.OrderingKey, d.Sequence, d.State, d.Attempts, d.CreatedAtUtc, d.LastAttemptAtUtc, d.LastStatusCode,
            last?.LatencyMs, last?.ResponseExcerpt, d.LastError,
            d.State is WebhookDeliveryState.Pending or WebhookDeliveryState.Retrying ? d.NextAttemptAtUtc : null, d.DeliveredAtUtc);

    private static void RequireAdmin(StaffActor staff)
    {
        if (!staff.IsAdmin) throw new AccessDeniedException("Only an admin reads the webhook delivery log.");
    }
}
