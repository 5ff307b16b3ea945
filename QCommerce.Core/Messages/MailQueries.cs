using QCommerce.Core.Data;

namespace QCommerce.Core.Messages;

public sealed record MailRow(Guid MessageId, MailKind Kind, MailState State, string To, string Subject, DateTime QueuedAtUtc, DateTime? SentAtUtc,
    string? Transport, string? SentTo, int FailedTries, string? LastError, int? OrderId);

/// <summary>One message as staff read it; an account message's link is hidden (<see cref="OutgoingMail.CarriesSecret"/>).</summary>
public sealed record MailDetail(MailRow Row, string Html, string Text, bool LinkHidden);

/// <summary>
/// The Messages page: what QCommerce wrote to whom and whether it left. A colleague of some stores sees the messages of their
/// stores' orders; account messages (confirmations, resets, invitations) are for admins, and even they never see the link in
/// one, which would open the account it was sent for.
/// </summary>
public sealed partial class MailQueries(IDbContextFactory<QCommerceDbContext> contexts)
{
    public const string HiddenLink = "[link hidden: it opens the account it was sent for]";

    public async Task<Page<MailRow>> ListAsync(StaffActor staff, string? to, MailState? state, int page, int pageSize, CancellationToken ct = default)
    {
        if (page < 1) throw new DomainException("Page numbers start at 1.");
        if (pageSize is < 1 or > Paging.MaxPageSize) throw new DomainException($"Page size must be between 1 and {Paging.MaxPageSize}.");
        if (TextRules.Problem(to, 254, "An address") is { } problem) throw new DomainException(problem);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var mails = Visible(db, staff);
        if (!string.IsNullOrWhiteSpace(to)) mails = mails.Where(m => m.To.StartsWith(to.Trim()));
        mails = state switch
        {
            MailState.Sent => mails.Where(m => m.SentAtUtc != null),
            MailState.Abandoned => mails.Where(m => m.AbandonedAtUtc != null),
            MailState.Retrying => mails.Where(m => m.SentAtUtc == null && m.AbandonedAtUtc == null && m.FailedTries > 0),
            MailState.Queued => mails.Where(m => m.SentAtUtc == null && m.AbandonedAtUtc == null && m.FailedTries == 0),
            _ => mails,
        };
        var total = await mails.CountAsync(ct);
        var rows = await mails.OrderByDescending(m => m.Id).Skip((page - 1) * pageSize).Take(pageSize).ToListAsync(ct);
        return new Page<MailRow>(rows.Select(Row).ToList(), page, pageSize, total);
    }

    public async Task<MailDetail?> FindAsync(StaffActor staff, Guid messageId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var mail = await Visible(db, staff).FirstOrDefaultAsync(m => m.MessageId == messageId, ct);
        if (mail is null) return null;
        return mail.CarriesSecret
            ? new MailDetail(Row(mail), HideLinks(mail.Html), HideLinks(mail.Text), LinkHidden: true)
            : new MailDetail(Row(mail), mail.Html, mail.Text, LinkHidden: false);
    }

    private static IQueryable<OutgoingMail> Visible(QCommerceDbContext db, StaffActor staff)
    {
        var mails = db.OutgoingMail.AsNoTracking();
        if (staff.IsAdmin && staff.StoreIds is null) return mails;
        var stores = staff.StoreIds?.ToList() ?? [];
        return mails.Where(m => m.OrderId != null && db.Orders.Any(o => o.Id == m.OrderId && stores.Contains(o.StoreId)));
    }

    private static MailRow Row(OutgoingMail m) =>
        new(m.MessageId, m.Kind, m.State, m.To, m.Subject, m.QueuedAtUtc, m.SentAtUtc, m.Transport, m.SentTo, m.FailedTries, m.LastError, m.OrderId);

    /// <summary>Every link with a code in it (an href, its text, a line of the text part) replaced by a notice.</summary>
    public static string HideLinks(string body) => SecretLink().Replace(body, HiddenLink);

    // A link in the text part stands in brackets: the closing one is not part of it (codes are base64url, no brackets).
    [System.Text.RegularExpressions.GeneratedRegex("https?://[^\\s<>\"'()]*code=[^\\s<>\"'()]*")]
    private static partial System.Text.RegularExpressions.Regex SecretLink();
}
