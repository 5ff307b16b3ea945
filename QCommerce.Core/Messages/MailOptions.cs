namespace QCommerce.Core.Messages;

/// <summary>The <c>Mail</c> section of appsettings.json: who the shop writes as, and how its messages leave.</summary>
public sealed class MailOptions
{
    /// <summary>The sender shoppers see and reply to.</summary>
    public string From { get; set; } = "QCommerce <orders@qcommerce.local>";

    /// <summary>The shop's name in every message's footer.</summary>
    public string ShopName { get; set; } = "QCommerce";

    /// <summary>The shop's postal address in every message's footer (a legal requirement in many places).</summary>
    public string PostalAddress { get; set; } = "QCommerce Inc., 100 Market Street, New York, NY 10001";

    /// <summary>
    /// Where the links in messages point (https://shop.example.com). Never taken from a request's Host header, which a
    /// caller chooses: a password reset asked with a forged host would mail a working link to the forger's site. Empty:
    /// the address the server listens on.
    /// </summary>
    public string? SiteUrl { get; set; }

    /// <summary>With no SMTP host, each message is written here as an .eml file (relative to the content root).</summary>
    public string PickupDirectory { get; set; } = "data/mail";

    public SmtpSettings Smtp { get; set; } = new();

    /// <summary>Tries of one message before the dispatcher waits its longest between tries (it keeps trying after).</summary>
    public int TriesBeforeWarning { get; set; } = 5;
}

public sealed class SmtpSettings
{
    /// <summary>The relay; empty means no SMTP (messages go to <see cref="MailOptions.PickupDirectory"/>).</summary>
    public string? Host { get; set; }

    public int Port { get; set; } = 587;

    /// <summary><c>StartTls</c> (the default: port 587), <c>SslOnConnect</c> (port 465), or <c>None</c> (a relay on this host only).</summary>
    public SmtpSecurity Security { get; set; } = SmtpSecurity.StartTls;

    public string? Username { get; set; }

    public string? Password { get; set; }

    public TimeSpan Timeout { get; set; } = TimeSpan.FromSeconds(30);
}

public enum SmtpSecurity
{
    StartTls,
    SslOnConnect,
    None,
}
