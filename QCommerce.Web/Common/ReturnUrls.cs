using System.Text;

namespace QCommerce.Web.Common;

public static class ReturnUrls
{
    /// <summary>
    /// A <c>returnUrl</c> a browser may be sent back to: only a path of this site (an open redirect would let a
    /// phishing link borrow our domain), never one with control characters, which browsers strip and so turn
    /// <c>/\t/evil.example</c> into <c>//evil.example</c>. Anything else sends the shopper home. A Location header
    /// is ASCII, so the rest of Unicode (a search for "café") goes percent-encoded, as the browser sent it.
    /// </summary>
    public static string Safe(string? returnUrl)
    {
        if (returnUrl is not { Length: > 0 and <= 2048 } url || url[0] != '/' || (url.Length > 1 && url[1] is '/' or '\\') || url.Any(char.IsControl))
            return "/";
        return url.All(char.IsAscii) ? url : PercentEncodeNonAscii(url);
    }

    private static string PercentEncodeNonAscii(string url)
    {
        var encoded = new StringBuilder(url.Length * 2);
        Span<byte> bytes = stackalloc byte[4];
        foreach (var rune in url.EnumerateRunes())
        {
            if (rune.IsAscii)
            {
                encoded.Append((char)rune.Value);
                continue;
            }
            var length = rune.EncodeToUtf8(bytes);
            foreach (var b in bytes[..length]) encoded.Append('%').Append(b.ToString("X2", System.Globalization.CultureInfo.InvariantCulture));
        }
        return encoded.ToString();
    }
}
