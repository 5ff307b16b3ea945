using MailKit.Net.Smtp;
using MailKit.Security;
using MimeKit;

namespace QCommerce.Core.Messages;

/// <summary>Where a message leaves QCommerce: an SMTP relay, or an .eml file for the demo and for development.</summary>
public interface IMailTransport
{
    /// <summary><c>smtp</c> or <c>file</c>.</summary>
    string Name { get; }

    /// <summary>Hands the message over; returns where it went (the relay, or the file's name).</summary>
    Task<string> SendAsync(MimeMessage message, CancellationToken ct);
}

/// <summary>
/// Sends through the configured relay, over TLS unless the operator says otherwise (a relay on this host). One connection per
/// message: a shop's transactional mail is a few messages a minute per instance, and a connection held open would be a
/// connection that breaks between messages.
/// </summary>
public sealed class SmtpMailTransport(IOptions<MailOptions> options) : IMailTransport
{
    public string Name => "smtp";

    public async Task<string> SendAsync(MimeMessage message, CancellationToken ct)
    {
        var smtp = options.Value.Smtp;
        using var client = new SmtpClient { Timeout = (int)smtp.Timeout.TotalMilliseconds };
        var security = smtp.Security switch
        {
            SmtpSecurity.SslOnConnect => SecureSocketOptions.SslOnConnect,
            SmtpSecurity.None => SecureSocketOptions.None,
            _ => SecureSocketOptions.StartTls,
        };
        await client.ConnectAsync(smtp.Host!, smtp.Port, security, ct);
        if (!string.IsNullOrEmpty(smtp.Username)) await client.AuthenticateAsync(smtp.Username, smtp.Password ?? "", ct);
        await client.SendAsync(message, ct);
        await client.DisconnectAsync(quit: true, ct);
        return $"{smtp.Host}:{smtp.Port}";
    }
}

/// <summary>
/// Writes each message as an .eml file (any mail program opens one) under the pickup folder: the embedded default, so a
/// demo shows its messages without a relay. The file is named by the message, so a second try writes the same file.
/// </summary>
public sealed class PickupDirectoryTransport(IOptions<MailOptions> options) : IMailTransport
{
    public string Name => "file";

    public async Task<string> SendAsync(MimeMessage message, CancellationToken ct)
    {
        var folder = options.Value.PickupDirectory;
        Directory.CreateDirectory(folder);
        var name = $"{message.Date.UtcDateTime:yyyyMMdd-HHmmss}-{(message.MessageId ?? Guid.NewGuid().ToString("N")).Split('@')[0]}.eml";
        var path = Path.Combine(folder, name);
        var partial = path + ".partial";
        await message.WriteToAsync(partial, ct);
        File.Move(partial, path, overwrite: true); // a reader of the folder never sees half a message
        return name;
    }
}
