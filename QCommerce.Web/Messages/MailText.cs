using System.Net;
using System.Text.RegularExpressions;

namespace QCommerce.Web.Messages;

/// <summary>
/// The plain-text part of a message, read from its HTML: paragraphs and rows become lines, a link shows its address, and
/// nothing else of the markup is left. Written for the mail components' own markup (no scripts, no comments of substance).
/// </summary>
public static partial class MailText
{
    public static string FromHtml(string html)
    {
        var text = Head().Replace(html, "");
        text = Comment().Replace(text, "");
        text = Whitespace().Replace(text, " "); // the markup's own line breaks mean nothing; its elements do
        text = Link().Replace(text, m =>
        {
            var href = WebUtility.HtmlDecode(m.Groups["href"].Value);
            var label = WebUtility.HtmlDecode(Tag().Replace(m.Groups["label"].Value, "")).Trim();
            return label.Length == 0 || label == href ? href : $"{label} ({href})";
        });
        text = LineBreak().Replace(text, "\n");
        text = BlockEnd().Replace(text, "\n\n");
        text = RowEnd().Replace(text, "\n");
        text = CellEnd().Replace(text, "   ");
        text = ListItem().Replace(text, "\n- ");
        text = WebUtility.HtmlDecode(Tag().Replace(text, ""));
        var lines = text.Split('\n').Select(l => Spaces().Replace(l, " ").Trim());
        return BlankLines().Replace(string.Join("\n", lines), "\n\n").Trim() + "\n";
    }

    [GeneratedRegex("<head[\\s\\S]*?</head>", RegexOptions.IgnoreCase)] private static partial Regex Head();
    [GeneratedRegex("<!--[\\s\\S]*?-->")] private static partial Regex Comment();
    [GeneratedRegex("\\s+")] private static partial Regex Whitespace();
    [GeneratedRegex("<a\\b[^>]*?href=\"(?<href>[^\"]*)\"[^>]*>(?<label>[\\s\\S]*?)</a>", RegexOptions.IgnoreCase)] private static partial Regex Link();
    [GeneratedRegex("<br\\s*/?>", RegexOptions.IgnoreCase)] private static partial Regex LineBreak();
    [GeneratedRegex("</(p|h[1-6]|ul|ol|table)>", RegexOptions.IgnoreCase)] private static partial Regex BlockEnd();
    [GeneratedRegex("</(tr|li|div)>", RegexOptions.IgnoreCase)] private static partial Regex RowEnd();
    [GeneratedRegex("</td>", RegexOptions.IgnoreCase)] private static partial Regex CellEnd();
    [GeneratedRegex("<li\\b[^>]*>", RegexOptions.IgnoreCase)] private static partial Regex ListItem();
    [GeneratedRegex("<[^>]+>")] private static partial Regex Tag();
    [GeneratedRegex("[ \\t\\u00a0]+")] private static partial Regex Spaces();
    [GeneratedRegex("\\n{3,}")] private static partial Regex BlankLines();
}
