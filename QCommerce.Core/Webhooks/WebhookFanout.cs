using QCommerce.Core.Data;

namespace QCommerce.Core.Webhooks;

/// <summary>Wakes the webhook sender when deliveries are queued or sent again on this instance, instead of at its next look.</summary>
public sealed class WebhookSignal : WakeUpSignal;

/// <summary>
/// Turns each outbox event integrators can hear into one delivery per endpoint that subscribed to its type, in
/// one transaction with the record that it did so. The outbox hands a subject's events over in order, so deliveries of an
/// order are queued in the order they happened; the body is written now, once, and every try sends the same bytes.
/// </summary>
public sealed class WebhookFanout(IDbContextFactory<QCommerceDbContext> contexts, WebhookSignal signal, TimeProvider clock) : IOutboxHandler
{
    public string Name => "webhooks.fanout";

    public bool Handles(string eventType) => WebhookEvents.Carries(eventType);

    public async Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        // Disabled endpoints are paused, not forgotten: their deliveries wait and go out, in order, once enabled again.
        var endpoints = await db.Set<WebhookEndpoint>().AsNoTracking().ToListAsync(ct);
        if (endpoints.Count == 0) return; // nobody listens: nothing to remember either
        if (await Outbox.AlreadyProcessedAsync(db, Name, message.EventId, ct)) return;
        if (await WebhookEvents.ReadAsync(db, message, ct) is not { } e) return;
        var wanting = endpoints.Where(x => x.Wants(e.Type)).ToList();
        if (wanting.Count == 0) return;

        var now = clock.UtcNow();
        var body = WebhookEvents.Body(e, message.OccurredAtUtc, message.Sequence);
        foreach (var endpoint in wanting)
            db.Set<WebhookDelivery>().Add(new WebhookDelivery(endpoint.Id, message.EventId, e.Type, e.Subject, message.Sequence, body, now));
        db.ProcessedMessages.Add(new ProcessedMessage(Name, message.EventId, now));
        await db.SaveChangesAsync(ct);
        signal.Notify();
    }
}
