using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;

namespace QCommerce.Core.Messages;

/// <summary>A message as it will be read: its subject, its HTML, and the same words as plain text.</summary>
public sealed record RenderedMail(string Subject, string Html, string Text);

/// <summary>What a message says, before it is rendered; the web project renders it with Razor components.</summary>
public abstract record MailContent(MailKind Kind, string RecipientName);

/// <summary>
/// A message about an order, at one step of its life: the order as its shopper reads it, its card payment if any, the amount
/// the step is about (a refund), and the link to the order's page.
/// </summary>
public sealed record OrderMailContent(MailKind Kind, string RecipientName, OrderDetailView Order, PaymentView? Payment, Money? Amount, Uri OrderLink)
    : MailContent(Kind, RecipientName);

/// <summary>A message with a one-use link into an account: confirm an address, reset a password, accept an invitation.</summary>
public sealed record AccountMailContent(MailKind Kind, string RecipientName, Uri Link, TimeSpan ValidFor, string? NewEmail = null)
    : MailContent(Kind, RecipientName);

/// <summary>Renders a message's content to HTML and text (Razor components in the web project).</summary>
public interface IMailRenderer
{
    Task<RenderedMail> RenderAsync(MailContent content, CancellationToken ct);
}

/// <summary>Where the shop is on the web, for links in messages (<see cref="MailOptions.SiteUrl"/>, else the server's own address).</summary>
public interface ISiteAddress
{
    Uri BaseUri { get; }
}
