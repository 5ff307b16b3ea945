namespace QCommerce.Core.Payments;

/// <summary>
/// The inbox of PSP events: one row per event id, written in the same transaction as the event's
/// effect, so a redelivered event finds its row and changes nothing (architecture §4).
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
        Outcome = PspEventOutcome.Ignored;
    }

    public long Id { get; private set; }
    public string EventId { get; private set; } = "";
    public string Type { get; private set; } = "";

    /// <summary>The PaymentIntent or refund the event is about.</summary>
    public string? ObjectId { get; private set; }
    public int? PaymentId { get; internal set; }

    /// <summary>What the event did (stored by name, so the rows read the same to a person with a SQL prompt).</summary>
    public PspEventOutcome Outcome { get; internal set; }
    public DateTime PspCreatedAtUtc { get; private set; }
    public DateTime ReceivedAtUtc { get; private set; }
}

/// <summary>What one PSP event did: the payment's change it brought, or why it brought none.</summary>
public enum PspEventOutcome
{
    /// <summary>About a payment, but it changed nothing (late, repeated, about an older attempt).</summary>
    Ignored,

    /// <summary>Not about a PaymentIntent or refund (customer.*, charge.*): stored for the record.</summary>
    NotHandled,

    /// <summary>About a PaymentIntent no payment here knows.</summary>
    UnknownIntent,

    RequiresAction,
    Authorized,
    Captured,
    Failed,
    RefundSucceeded,
    RefundFailed,
    HeldForReview,
    Voided,
    Expired,
}
