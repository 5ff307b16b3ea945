using QCommerce.Core.Data;

namespace QCommerce.Core.Messages;

/// <summary>The outbox event that sends one queued message; its aggregate is the message, so a slow relay delays no order's events.</summary>
public sealed record MailQueuedEvent(Guid MessageId);

/// <summary>A message ready to queue: rendered, addressed, and named by what caused it.</summary>
public sealed record MailDraft(string Key, MailKind Kind, string To, RenderedMail Content, int? OrderId = null, string? UserId = null);

/// <summary>Queues messages in the caller's transaction: the message and the event that sends it commit together or not at all.</summary>
public static class MailQueue
{
    public const string QueuedEvent = "MailQueued";

    /// <summary>Adds the message unless its cause queued one already; true when it was added.</summary>
    public static async Task<bool> AddAsync(QCommerceDbContext db, MailDraft draft, DateTime now, CancellationToken ct)
    {
        if (await db.OutgoingMail.AnyAsync(m => m.Key == draft.Key, ct)) return false;
        var mail = new OutgoingMail(draft.Key, draft.Kind, draft.To, draft.Content.Subject, draft.Content.Html, draft.Content.Text, draft.OrderId, draft.UserId, now);
        db.OutgoingMail.Add(mail);
        Outbox.Enqueue(db, QueuedEvent, OutgoingMail.AggregateOf(mail.MessageId), new MailQueuedEvent(mail.MessageId), now);
        return true;
    }

    /// <summary>Queues one message in a transaction of its own.</summary>
    public static async Task<bool> QueueAsync(IDbContextFactory<QCommerceDbContext> contexts, MailDraft draft, TimeProvider clock, CancellationToken ct)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (!await AddAsync(db, draft, clock.UtcNow(), ct)) return false;
        try
        {
            await db.SaveChangesAsync(ct);
            return true;
        }
        catch (DbUpdateException)
        {
            // The same cause queued it at the same moment elsewhere: one is queued, which is all we want.
            await using var again = await contexts.CreateDbContextAsync(ct);
            if (await again.OutgoingMail.AnyAsync(m => m.Key == draft.Key, ct)) return false;
            throw;
        }
    }
}
