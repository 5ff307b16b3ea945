namespace QCommerce.Core.Common;

/// <summary>
/// Ids that leave the system carry a prefix naming what they are (<c>p_42</c>, <c>sku_7</c>), so a
/// product id pasted where a SKU id belongs is caught instead of silently finding the wrong row.
/// </summary>
public static class PublicId
{
    public const string Store = "st_";
    public const string Category = "cat_";
    public const string Product = "p_";
    public const string Sku = "sku_";
    public const string Order = "o_";
    public const string Slot = "slot_";
    public const string Payment = "pay_";
    public const string Refund = "rf_";
    public const string Price = "pr_";
    public const string Webhook = "wh_";

    public static string Format(string prefix, int id) => prefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>
    /// The one reading of a public id: the prefix, then ASCII digits with no leading zero (so each entity has exactly one
    /// spelling, and nothing <see cref="int.TryParse(string?, out int)"/> would forgive, such as a trailing NUL, gets through).
    /// </summary>
    public static bool TryParse(string prefix, string? value, out int id)
    {
        id = 0;
        if (value is null || !value.StartsWith(prefix, StringComparison.Ordinal)) return false;
        var digits = value.AsSpan(prefix.Length);
        if (digits.Length is 0 or > 10 || digits[0] == '0') return false;
        foreach (var c in digits)
            if (!char.IsAsciiDigit(c)) return false;
        return int.TryParse(digits, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out id);
    }
}
