using MailKit.Net.Smtp;
using MimeKit;
using QCommerce.Core.Data;

namespace QCommerce.Core.Messages;

/// <summary>
/// Sends each queued message once per message id: the outbox delivers <see cref="MailQueue.QueuedEvent"/> at least once,
/// and this handler claims the message before handing it to the transport and marks it sent after, so a redelivery of a
/// sent message sends nothing and two instances never send one together. A relay that fails is tried again with the
/// outbox's backoff; a refusal for good (an SMTP 5xx, an address MIME cannot write) ends the message as abandoned.
/// </summary>
public sealed class MailSender(IDbContextFactory<QCommerceDbContext> contexts, IMailTransport transport, IOptions<MailOptions> options,
    TimeProvider clock, ILogger<MailSender> logger) : IOutboxHandler
{
    /// <summary>How long one send may hold its message before another instance may try it.</summary>
    public static readonly TimeSpan Claim = TimeSpan.FromMinutes(2);

    public string Name => "mail-sender";

    public bool Handles(string eventType) => eventType == MailQueue.QueuedEvent;

    public async Task HandleAsync(OutboxEnvelope message, CancellationToken ct)
    {
        var messageId = message.Read<MailQueuedEvent>().MessageId;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var now = clock.UtcNow();
        var claimed = await db.OutgoingMail
            .Where(m => m.MessageId == messageId && m.SentAtUtc == null && m.AbandonedAtUtc == null && (m.SendingUntilUtc == null || m.SendingUntilUtc < now))
            .ExecuteUpdateAsync(s => s.SetProperty(m => m.SendingUntilUtc, now + Claim), ct);
        var mail = await db.OutgoingMail.AsNoTracking().FirstOrDefaultAsync(m => m.MessageId == messageId, ct);
        if (mail is null || mail.SentAtUtc is not null || mail.AbandonedAtUtc is not null) return;
        if (claimed == 0) throw new InvalidOperationException($"Message {messageId:N} is being sent by another instance; looking again later.");

        MimeMessage mime;
        try
        {
            mime = Compose(mail, options.Value);
        }
        catch (ParseException e)
        {
            await AbandonAsync(db, mail, $"It cannot be written as a message: {e.Message}", ct);
            return;
        }
        try
        {
            var sentTo = await transport.SendAsync(mime, ct);
            await db.OutgoingMail.Where(m => m.Id == mail.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.SentAtUtc, clock.UtcNow())
                .SetProperty(m => m.Transport, transport.Name)
                .SetProperty(m => m.SentTo, sentTo)
                .SetProperty(m => m.SendingUntilUtc, (DateTime?)null), CancellationToken.None);
            logger.LogInformation("Mail {MessageId} ({Kind}) sent by {Transport} to {SentTo}", mail.MessageId, mail.Kind, transport.Name, sentTo);
        }
        catch (SmtpCommandException e) when ((int)e.StatusCode >= 500)
        {
            await AbandonAsync(db, mail, $"The relay refused it for good ({(int)e.StatusCode}): {e.Message}", ct);
        }
        catch (Exception e) when (!ct.IsCancellationRequested)
        {
            var tries = mail.FailedTries + 1;
            var error = $"{e.GetType().Name}: {e.Message}";
            await db.OutgoingMail.Where(m => m.Id == mail.Id).ExecuteUpdateAsync(s => s
                .SetProperty(m => m.FailedTries, tries)
                .SetProperty(m => m.LastError, error.Length > 1000 ? error[..1000] : error)
                .SetProperty(m => m.SendingUntilUtc, (DateTime?)null), CancellationToken.None);
            // The address is personal data: the operator finds it on the Messages page by the message id.
            var level = tries >= options.Value.TriesBeforeWarning ? LogLevel.Error : LogLevel.Warning;
            logger.Log(level, "Mail {MessageId} ({Kind}) not sent (try {Tries}) by {Transport}: {Error}; the outbox tries again",
                mail.MessageId, mail.Kind, tries, transport.Name, e.Message);
            throw;
        }
    }

    private async Task AbandonAsync(QCommerceDbContext db, OutgoingMail mail, string why, CancellationToken ct)
    {
        await db.OutgoingMail.Where(m => m.Id == mail.Id).ExecuteUpdateAsync(s => s
            .SetProperty(m => m.AbandonedAtUtc, clock.UtcNow())
            .SetProperty(m => m.LastError, why.Length > 1000 ? why[..1000] : why)
            .SetProperty(m => m.SendingUntilUtc, (DateTime?)null), ct);
        logger.LogError("Mail {MessageId} ({Kind}) abandoned: {Why}", mail.MessageId, mail.Kind, why);
    }

    /// <summary>The MIME message: plain text and HTML as alternatives, and a Message-ID that stays the same on every try.</summary>
    public static MimeMessage Compose(OutgoingMail mail, MailOptions options)
    {
        var from = MailboxAddress.Parse(options.From);
        var message = new MimeMessage
        {
            Subject = mail.Subject,
            Date = new DateTimeOffset(mail.QueuedAtUtc, TimeSpan.Zero),
            MessageId = $"{mail.MessageId:N}@{from.Domain}",
        };
        message.From.Add(from);
        message.To.Add(MailboxAddress.Parse(mail.To));
        // RFC 3834: written by a machine, so an auto-responder does not answer it.
        message.Headers.Add("Auto-Submitted", "auto-generated");
        message.Body = new BodyBuilder { TextBody = mail.Text, HtmlBody = mail.Html }.ToMessageBody();
        // The parts hold non-ASCII ("×", the narrow space in "9:42 AM"): quoted-printable keeps them 7-bit, as MIME wants of a
        // part without a transfer encoding, for relays that do not speak 8BITMIME.
        foreach (var part in message.BodyParts.OfType<TextPart>()) part.ContentTransferEncoding = ContentEncoding.QuotedPrintable;
        return message;
    }
}
