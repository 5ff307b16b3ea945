using System.Globalization;

namespace QCommerce.Web.Common;

/// <summary>
/// Numbers a storefront page reads from its query string (<c>?page=2</c>, <c>?sku=7</c>). Blazor's own binding
/// of <c>int?</c> throws on <c>?page=abc</c>, which made a mistyped or tampered link a 500; here anything that
/// is not a whole number in range is simply "not given", and the page shows its default.
/// </summary>
public static class QueryValues
{
    public static int? Int(string? raw) =>
        int.TryParse(raw, NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out var value) ? value : null;
}
