using System.Globalization;
using System.Text.RegularExpressions;

namespace QCommerce.Web.Components.Ops;

/// <summary>
/// An amount staff type (cash collected, a refund): digits with at most two decimals after a point, nothing else. "5,00",
/// "1e3", "-5" or "0.001" are refused rather than read as something else (a comma as a thousands separator made 5,00 $500).
/// </summary>
public static partial class MoneyInput
{
    [GeneratedRegex(@"^\s*\d{1,9}(\.\d{1,2})?\s*$")]
    private static partial Regex Amount();

    /// <summary>The amount in minor units, or null when the text is not an amount.</summary>
    public static long? Parse(string? text) =>
        text is not null && Amount().IsMatch(text) ? (long)Math.Round(decimal.Parse(text.Trim(), CultureInfo.InvariantCulture) * 100m, 0, MidpointRounding.AwayFromZero) : null;
}
