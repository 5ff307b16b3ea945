using System.Net;
using System.Text.RegularExpressions;
using QCommerce.Core.Messages;

namespace QCommerce.Tests.Support;

/// <summary>What the app wrote to someone, read from its own record of queued messages, and the links in it followed as a browser would.</summary>
public static partial class Inbox
{
    public const string ColleaguePassword = "Colleague-Passw0rd!";

    /// <summary>The newest message of <paramref name="kind"/> to <paramref name="to"/>, once it is queued (and, with <paramref name="sent"/>, once it left).</summary>
    public static Task<OutgoingMail> AwaitAsync(QCommerceApp app, string to, MailKind kind, bool sent = false) =>
        Eventually.Async(async () =>
        {
            await using var db = app.Database.CreateContext();
            return await db.OutgoingMail.AsNoTracking().Where(m => m.To == to && m.Kind == kind).OrderByDescending(m => m.Id).FirstOrDefaultAsync();
        }, m => m is not null && (!sent || m.SentAtUtc is not null), $"a {kind} message to {to}{(sent ? ", sent" : "")}")!;

    /// <summary>The one-use link in an account message (its text part).</summary>
    public static Uri LinkIn(OutgoingMail mail)
    {
        var match = AccountLink().Match(mail.Text);
        Assert.True(match.Success, $"no account link in the message: {mail.Text}");
        return new Uri(match.Value);
    }

    /// <summary>A new colleague follows their invitation and chooses <paramref name="password"/> on the page it opens.</summary>
    public static async Task AcceptInvitationAsync(QCommerceApp app, string email, string password = ColleaguePassword)
    {
        var link = LinkIn(await AwaitAsync(app, email, MailKind.StaffInvitation));
        var body = await SetPasswordAsync(app, link, password);
        Assert.True(body.Contains("data-testid=\"password-set\"", StringComparison.Ordinal), $"the invitation's page did not set the password: {Section(body)}");
    }

    /// <summary>Posts the password form of a reset or invitation link; returns the page it answers with.</summary>
    public static async Task<string> SetPasswordAsync(QCommerceApp app, Uri link, string password)
    {
        using var browser = app.CreateClient();
        var page = link.PathAndQuery;
        var response = await Forms.PostAsync(browser, page, page, new Dictionary<string, string>
        {
            ["_handler"] = "reset-password", ["Input.Password"] = password, ["Input.ConfirmPassword"] = password,
        });
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }

    /// <summary>The page's main section, for a failure's message.</summary>
    public static string Section(string html)
    {
        var start = html.IndexOf("<section", StringComparison.Ordinal);
        return start < 0 ? html : html[start..Math.Min(html.Length, start + 1500)];
    }

    [GeneratedRegex("https?://[^\\s()]+?code=[A-Za-z0-9_\\-]+(&[^\\s()]+)*")]
    private static partial Regex AccountLink();
}
