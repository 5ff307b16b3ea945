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

    public static string Format(string prefix, int id) => prefix + id.ToString(System.Globalization.CultureInfo.InvariantCulture);

    public static bool TryParse(string prefix, string? value, out int id)
    {
        id = 0;
        return value is not null
            && value.StartsWith(prefix, StringComparison.Ordinal)
            && int.TryParse(value.AsSpan(prefix.Length), System.Globalization.NumberStyles.None,
                System.Globalization.CultureInfo.InvariantCulture, out id)
            && id > 0;
    }
}
