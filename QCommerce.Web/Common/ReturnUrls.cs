namespace QCommerce.Web.Common;

public static class ReturnUrls
{
    /// <summary>
    /// A <c>returnUrl</c> a browser may be sent back to: only a path of this site (an open redirect would let a
    /// phishing link borrow our domain), never one with control characters, which browsers strip and so turn
    /// <c>/\t/evil.example</c> into <c>//evil.example</c>. Anything else sends the shopper home.
    /// </summary>
    public static string Safe(string? returnUrl) =>
        returnUrl is { Length: > 0 and <= 2048 } url
        && url[0] == '/'
        && (url.Length == 1 || url[1] is not ('/' or '\\'))
        && !url.Any(char.IsControl)
            ? url
            : "/";
}
