using QCommerce.Core.Data;

namespace QCommerce.Core.Webhooks;

/// <summary>What an admin asks for an endpoint: where, why, and which event types (<see cref="WebhookEvents.All"/>).</summary>
public sealed record WebhookInput(string? Url, string? Description, IReadOnlyList<string?>? EventTypes);

public sealed record WebhookEndpointView(string Id, string Url, string Description, IReadOnlyList<string> EventTypes, bool Enabled, DateTime? DisabledAtUtc,
    string? DisabledReason, DateTime? FailingSinceUtc, DateTime? LastSuccessAtUtc, DateTime? PreviousSecretUntilUtc, DateTime CreatedAtUtc,
    int Waiting, int Failed);

/// <summary>An endpoint and its signing secret, which is shown this once (when made, and at each rotation).</summary>
public sealed record WebhookSecretShown(WebhookEndpointView Endpoint, string Secret);

/// <summary>
/// Registering and looking after webhook endpoints (admins only): the URL is checked for SSRF as it is saved, the secret is
/// made here and shown once, a rotation keeps the old secret signing for an overlap, and deliveries can be sent again one
/// at a time or all that failed since a moment. Every change is audited.
/// </summary>
public sealed class WebhookService(IDbContextFactory<QCommerceDbContext> contexts, WebhookSecrets secrets, WebhookSignal signal,
    IOptions<WebhookOptions> options, TimeProvider clock, ILogger<WebhookService> logger)
{
    public async Task<IReadOnlyList<WebhookEndpointView>> ListAsync(StaffActor staff, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var endpoints = await db.Set<WebhookEndpoint>().AsNoTracking().OrderBy(e => e.Id).ToListAsync(ct);
        var counts = await CountsAsync(db, null, ct);
        return endpoints.Select(e => View(e, counts)).ToList();
    }

    public async Task<WebhookEndpointView> FindAsync(StaffActor staff, int id, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var endpoint = await LoadAsync(db, id, ct);
        return View(endpoint, await CountsAsync(db, id, ct));
    }

    public async Task<WebhookSecretShown> CreateAsync(StaffActor staff, WebhookInput input, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        var (url, description, types) = Check(input);
        var secret = WebhookSecrets.NewSecret();
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var endpoint = new WebhookEndpoint(url, description, types, secrets.Protect(secret), staff.Label, now);
        db.Add(endpoint);
        await db.SaveChangesAsync(ct);
        Audit.Record(db, staff, AuditActions.WebhookCreate, "webhook", endpoint.PublicId, null, null, new { url, description, eventTypes = types }, null, now);
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Webhook endpoint {EndpointId} registered by {StaffId} for {EventTypes}", endpoint.PublicId, staff.UserId, string.Join(' ', types));
        return new(View(endpoint, []), secret);
    }

    public async Task<WebhookEndpointView> ChangeAsync(StaffActor staff, int id, WebhookInput input, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        var (url, description, types) = Check(input);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var endpoint = await LoadAsync(db, id, ct, tracked: true);
        var before = new { url = endpoint.Url, description = endpoint.Description, eventTypes = endpoint.Subscriptions };
        endpoint.Change(url, description, types);
        Audit.Record(db, staff, AuditActions.WebhookChange, "webhook", endpoint.PublicId, null, before, new { url, description, eventTypes = types }, null, clock.UtcNow());
        await db.SaveChangesAsync(ct);
        return View(endpoint, await CountsAsync(db, id, ct));
    }

    /// <summary>A new secret; the current one keeps signing beside it for <paramref name="overlap"/> (the configured overlap when null).</summary>
    public async Task<WebhookSecretShown> RotateAsync(StaffActor staff, int id, TimeSpan? overlap, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        var keep = overlap ?? options.Value.RotationOverlap;
        if (keep < TimeSpan.Zero || keep > TimeSpan.FromDays(7))
            throw new RequestRejectedException(new Dictionary<string, string[]> { ["overlapHours"] = ["Give an overlap from 0 to 168 hours."] });
        var now = clock.UtcNow();
        var secret = WebhookSecrets.NewSecret();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var endpoint = await LoadAsync(db, id, ct, tracked: true);
        // One old secret signs beside the new: a second rotation inside the first's overlap would drop the secret receivers
        // may still hold. Rotating with no overlap (a secret that leaked) always works: every old secret stops at once.
        if (keep > TimeSpan.Zero && endpoint.PreviousSecretUntilUtc > now)
            throw new ConflictException($"The last rotation's old secret still signs until {endpoint.PreviousSecretUntilUtc:yyyy-MM-dd HH:mm} UTC; rotating again now would stop it at once. "
                + "Wait until then, or rotate with no overlap to stop every old secret now.");
        endpoint.Rotate(secrets.Protect(secret), now + keep);
        Audit.Record(db, staff, AuditActions.WebhookRotate, "webhook", endpoint.PublicId, null, null, new { previousSecretUntil = now + keep }, null, now);
        await db.SaveChangesAsync(ct);
        return new(View(endpoint, await CountsAsync(db, id, ct)), secret);
    }

    /// <summary>Disables an endpoint (its deliveries wait), or enables it again (they go out, in order).</summary>
    public async Task<WebhookEndpointView> SetEnabledAsync(StaffActor staff, int id, bool enabled, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        var endpoint = await LoadAsync(db, id, ct, tracked: true);
        if (endpoint.Enabled != enabled)
        {
            if (enabled) endpoint.Enable();
            else endpoint.Disable($"turned off by {staff.Email}.", now);
            Audit.Record(db, staff, enabled ? AuditActions.WebhookEnable : AuditActions.WebhookDisable, "webhook", endpoint.PublicId, null, null, null, null, now);
            await db.SaveChangesAsync(ct);
            if (enabled) signal.Notify();
        }
        return View(endpoint, await CountsAsync(db, id, ct));
    }

    /// <summary>Removes the endpoint with its deliveries and their log.</summary>
    public async Task DeleteAsync(StaffActor staff, int id, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var endpoint = await LoadAsync(db, id, ct, tracked: true);
        db.Remove(endpoint);
        Audit.Record(db, staff, AuditActions.WebhookDelete, "webhook", endpoint.PublicId, null, new { url = endpoint.Url }, null, null, clock.UtcNow());
        await db.SaveChangesAsync(ct);
    }

    /// <summary>Sends one delivery again (with its own webhook-id and body), from the start of the retry schedule.</summary>
    public async Task SendAgainAsync(StaffActor staff, int endpointId, long deliveryId, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await LoadAsync(db, endpointId, ct);
        var requeued = await RequeueAsync(db, db.Set<WebhookDelivery>().Where(d => d.EndpointId == endpointId && d.Id == deliveryId), ct);
        if (requeued == 0) throw new NotFoundException("Delivery", deliveryId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        Audit.Record(db, staff, AuditActions.WebhookReplay, "webhook", WebhookEndpoint.Format(endpointId), null, null, new { delivery = deliveryId }, null, clock.UtcNow());
        await db.SaveChangesAsync(ct);
        signal.Notify();
    }

    /// <summary>Sends again every delivery made since <paramref name="sinceUtc"/> that failed (given up, or waiting for its next try); returns how many.</summary>
    public async Task<int> SendAgainFailedAsync(StaffActor staff, int endpointId, DateTime sinceUtc, CancellationToken ct = default)
    {
        RequireAdmin(staff);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await LoadAsync(db, endpointId, ct);
        var requeued = await RequeueAsync(db, db.Set<WebhookDelivery>().Where(d => d.EndpointId == endpointId && d.CreatedAtUtc >= sinceUtc
            && (d.State == WebhookDeliveryState.Failed || d.State == WebhookDeliveryState.Retrying)), ct);
        Audit.Record(db, staff, AuditActions.WebhookReplay, "webhook", WebhookEndpoint.Format(endpointId), null, null, new { failedSince = sinceUtc, requeued }, null,
            clock.UtcNow());
        await db.SaveChangesAsync(ct);
        if (requeued > 0) signal.Notify();
        return requeued;
    }

    private Task<int> RequeueAsync(QCommerceDbContext db, IQueryable<WebhookDelivery> which, CancellationToken ct)
    {
        var now = clock.UtcNow();
        return which.ExecuteUpdateAsync(s => s.SetProperty(d => d.State, WebhookDeliveryState.Pending).SetProperty(d => d.FailedInRound, 0)
            .SetProperty(d => d.NextAttemptAtUtc, now), ct);
    }

    private (string Url, string Description, List<string> Types) Check(WebhookInput input)
    {
        var problems = new ProblemList();
        var url = input.Url?.Trim();
        if (WebhookTargets.Problem(url, options.Value.RequireHttps ?? true, options.Value.AllowPrivateTargets ?? false) is { } bad) problems.Add("url", bad);
        var description = input.Description?.Trim() ?? "";
        if (TextRules.Problem(description, WebhookEndpoint.MaxDescriptionLength, "The description") is { } wrong) problems.Add("description", wrong);
        var types = (input.EventTypes ?? []).Select(t => t?.Trim() ?? "").Distinct(StringComparer.Ordinal).ToList();
        if (types.Count == 0) problems.Add("eventTypes", "Choose at least one event type.");
        // Named once however many are wrong: a request of thousands of bad types gets a short answer.
        if (types.Where(t => !WebhookEvents.IsKnown(t)).ToList() is { Count: > 0 } unknown)
            problems.Add("eventTypes", $"{string.Join(", ", unknown.Take(3).Select(t => $"'{TextRules.Excerpt(t, 40)}'"))}{(unknown.Count > 3 ? $" and {unknown.Count - 3} more" : "")} "
                + $"{(unknown.Count == 1 ? "is no event type" : "are no event types")}; the types are {string.Join(", ", WebhookEvents.All.Select(e => e.Type))}.");
        problems.ThrowIfAny();
        return (url!, description, WebhookEvents.All.Select(e => e.Type).Where(types.Contains).ToList());
    }

    private static void RequireAdmin(StaffActor staff)
    {
        if (!staff.IsAdmin) throw new AccessDeniedException("Only an admin looks after webhook endpoints.");
    }

    private static async Task<WebhookEndpoint> LoadAsync(QCommerceDbContext db, int id, CancellationToken ct, bool tracked = false)
    {
        var query = tracked ? db.Set<WebhookEndpoint>() : db.Set<WebhookEndpoint>().AsNoTracking();
        return await query.FirstOrDefaultAsync(e => e.Id == id, ct) ?? throw new NotFoundException("Webhook endpoint", WebhookEndpoint.Format(id));
    }

    private static async Task<Dictionary<(int, WebhookDeliveryState), int>> CountsAsync(QCommerceDbContext db, int? id, CancellationToken ct) =>
        await db.Set<WebhookDelivery>().Where(d => (id == null || d.EndpointId == id) && d.State != WebhookDeliveryState.Delivered)
            .GroupBy(d => new { d.EndpointId, d.State }).Select(g => new { g.Key.EndpointId, g.Key.State, Count = g.Count() })
            .ToDictionaryAsync(g => (g.EndpointId, g.State), g => g.Count, ct);

    private static WebhookEndpointView View(WebhookEndpoint e, Dictionary<(int, WebhookDeliveryState), int> counts) =>
        new(e.PublicId, e.Url, e.Description, e.Subscriptions, e.Enabled, e.DisabledAtUtc, e.DisabledReason, e.FailingSinceUtc, e.LastSuccessAtUtc,
            e.PreviousSecretUntilUtc, e.CreatedAtUtc,
            counts.GetValueOrDefault((e.Id, WebhookDeliveryState.Pending)) + counts.GetValueOrDefault((e.Id, WebhookDeliveryState.Retrying)),
            counts.GetValueOrDefault((e.Id, WebhookDeliveryState.Failed)));
}
