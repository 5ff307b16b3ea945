using System.Net;
using System.Text.RegularExpressions;

namespace QCommerce.Tests.Support;

/// <summary>Posts a page's form as a browser does: first the page (its antiforgery cookie and token), then the form with the token.</summary>
public static partial class Forms
{
    public const string TokenField = "__RequestVerificationToken";

    /// <summary>The antiforgery token the page at <paramref name="path"/> renders into its forms; the cookie lands in the client's jar.</summary>
    public static async Task<string> TokenAsync(HttpClient client, string path)
    {
        var response = await client.GetAsync(path);
        var html = await response.Content.ReadAsStringAsync();
        var match = TokenInput().Match(html);
        Assert.True(match.Success, $"{path} ({(int)response.StatusCode}) renders no antiforgery token");
        return WebUtility.HtmlDecode(match.Groups[1].Value);
    }

    /// <summary>Opens <paramref name="page"/>, then posts <paramref name="fields"/> with its token to <paramref name="action"/>.</summary>
    public static async Task<HttpResponseMessage> PostAsync(HttpClient client, string page, string action, IDictionary<string, string> fields)
    {
        var token = await TokenAsync(client, page);
        var form = new Dictionary<string, string>(fields) { [TokenField] = token };
        return await client.PostAsync(action, new FormUrlEncodedContent(form));
    }

    [GeneratedRegex("name=\"__RequestVerificationToken\"[^>]*value=\"([^\"]+)\"")]
    private static partial Regex TokenInput();
}
