using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Messages;

/// <summary>What a message is about: order messages follow the order's life, account messages carry a one-use link.</summary>
public enum MailKind
{
    OrderPlaced,
    PaymentFailed,
    OrderPicked,
    OutForDelivery,
    Delivered,
    OrderCancelled,
    Refunded,
    ConfirmEmail,
    ChangeEmail,
    PasswordReset,
    StaffInvitation,
}

public enum MailState
{
    Queued,
    Retrying,
    Sent,
    Abandoned,
}

/// <summary>
/// One message to one address, rendered when it was queued (HTML and plain text) and sent at least once by the outbox
/// (<see cref="MailSender"/>). <see cref="Key"/> says what caused it (an event and a kind), so a cause queues one message
/// however often it is delivered; <see cref="MessageId"/> is the Message-ID a receiving server can dedupe on.
/// </summary>
public sealed class OutgoingMail
{
    public const int MaxSubjectLength = 200;

    private OutgoingMail() { }

    internal OutgoingMail(string key, MailKind kind, string to, string subject, string html, string text, int? orderId, string? userId, DateTime now)
    {
        MessageId = Guid.NewGuid();
        Key = key;
        Kind = kind;
        To = to;
        Subject = subject.Length > MaxSubjectLength ? subject[..MaxSubjectLength] : subject;
        Html = html;
        Text = text;
        OrderId = orderId;
        UserId = userId;
        QueuedAtUtc = now;
    }

    public long Id { get; private set; }
    public Guid MessageId { get; private set; }
    public string Key { get; private set; } = "";
    public MailKind Kind { get; private set; }
    public string To { get; private set; } = "";
    public string Subject { get; private set; } = "";
    public string Html { get; private set; } = "";
    public string Text { get; private set; } = "";
    public int? OrderId { get; private set; }
    public string? UserId { get; private set; }
    public DateTime QueuedAtUtc { get; private set; }
    public DateTime? SentAtUtc { get; private set; }

    /// <summary>How it left: <c>smtp</c>, or <c>file</c> (an .eml under the pickup folder, named in <see cref="SentTo"/>).</summary>
    public string? Transport { get; private set; }
    public string? SentTo { get; private set; }
    public int FailedTries { get; private set; }
    public string? LastError { get; private set; }

    /// <summary>An instance sending it holds it until then, so two never send it at once (a relay slower than the outbox's lease).</summary>
    public DateTime? SendingUntilUtc { get; private set; }

    /// <summary>Set when the relay refused it for good (a 5xx: no such mailbox) or it cannot be written as a message: never tried again.</summary>
    public DateTime? AbandonedAtUtc { get; private set; }

    public MailState State => SentAtUtc is not null ? MailState.Sent : AbandonedAtUtc is not null ? MailState.Abandoned
        : FailedTries > 0 ? MailState.Retrying : MailState.Queued;

    /// <summary>Account messages carry a link that opens the account: staff reading the Messages page do not see it.</summary>
    public bool CarriesSecret => Kind is MailKind.ConfirmEmail or MailKind.ChangeEmail or MailKind.PasswordReset or MailKind.StaffInvitation;

    public static string AggregateOf(Guid messageId) => $"mail:{messageId:N}";
}

internal sealed class OutgoingMailConfiguration : IEntityTypeConfiguration<OutgoingMail>
{
    public void Configure(EntityTypeBuilder<OutgoingMail> b)
    {
        b.ToTable("OutgoingMail");
        b.Property(m => m.Key).HasMaxLength(120);
        b.HasIndex(m => m.Key).IsUnique();
        b.HasIndex(m => m.MessageId).IsUnique();
        b.Property(m => m.Kind).HasConversion<string>().HasMaxLength(24);
        b.Property(m => m.To).HasMaxLength(254);
        b.Property(m => m.Subject).HasMaxLength(OutgoingMail.MaxSubjectLength);
        b.Property(m => m.UserId).HasMaxLength(64);
        b.Property(m => m.Transport).HasMaxLength(8);
        b.Property(m => m.SentTo).HasMaxLength(400);
        b.Property(m => m.LastError).HasMaxLength(1000);
        b.HasIndex(m => m.QueuedAtUtc);
        b.HasIndex(m => m.OrderId);
    }
}
