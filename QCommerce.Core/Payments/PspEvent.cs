namespace QCommerce.Core.Payments;

/// <summary>
/// The inbox of PSP events: one row per event id, written in the same transaction as the event's
/// effect, so a redelivered event finds its row and changes nothing (DESIGN §4).
/// </summary>
public sealed class PspEvent
{
    private PspEvent() { }

    public PspEvent(string eventId, string type, string? objectId, DateTime pspCreatedAtUtc, DateTime receivedAtUtc)
    {
        EventId = eventId;
        Type = type;
        ObjectId = objectId;
        PspCreatedAtUtc = pspCreatedAtUtc;
        ReceivedAtUtc = receivedAtUtc;
        Outcome = "";
    }

    public long Id { get; private set; }
    public string EventId { get; private set; } = "";
    public string Type { get; private set; } = "";

    /// <summary>The PaymentIntent or refund the event is about.</summary>
    public string? ObjectId { get; private set; }
    public int? PaymentId { get; internal set; }

    /// <summary>What the event did: a <see cref="PaymentChange"/>, "Ignored" or "UnknownIntent".</summary>
    public string Outcome { get; internal set; } = "";
    public DateTime PspCreatedAtUtc { get; private set; }
    public DateTime ReceivedAtUtc { get; private set; }
}
