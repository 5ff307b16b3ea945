using System.Globalization;
using QCommerce.Core.Common;
using QCommerce.Core.Ops;
using QCommerce.Core.Ordering;

namespace QCommerce.Web.Ops;

/// <summary>
/// The orders grid's URL (<c>?q=&amp;state=&amp;method=&amp;from=&amp;to=</c>) read as a filter, in one place for the page and
/// its CSV download, so a download is exactly the list on the screen. The search box takes an order id (o_12 or 12) or
/// a customer's email; anything else matches nothing and says why.
/// </summary>
public static class OrderGridQuery
{
    public static (OpsOrderFilter Filter, string? Problem) Read(string? q, string? state, string? method, string? from, string? to, int? storeId)
    {
        var text = q?.Trim();
        int? orderId = null;
        string? email = null;
        string? problem = null;
        if (!string.IsNullOrEmpty(text))
        {
            if (PublicId.TryParse(PublicId.Order, text, out var id) || PublicId.TryParse("", text, out id)) orderId = id;
            else if (text.Contains('@')) email = text;
            else
            {
                problem = $"Search by an order id (o_12) or a customer's email; '{TextRules.Excerpt(text)}' is neither.";
                orderId = -1;
            }
        }
        OrderStatus? status = Enum.TryParse<OrderStatus>(state, true, out var s) && !char.IsAsciiDigit((state ?? "0")[0]) ? s : null;
        PaymentMethod? paid = method switch { "card" => PaymentMethod.Card, "cod" => PaymentMethod.CashOnDelivery, _ => null };
        return (new OpsOrderFilter(status, storeId, Day(from), Day(to)?.AddDays(1), paid, email, orderId), problem);
    }

    /// <summary>What in the URL is not a filter at all (the page shows it; the download refuses it rather than ignore it).</summary>
    public static string? Check(string? state, string? method, string? from, string? to) =>
        !string.IsNullOrEmpty(state) && (!Enum.TryParse<OrderStatus>(state, true, out _) || char.IsAsciiDigit(state[0])) ? $"'{TextRules.Excerpt(state)}' is not an order state."
        : method is { Length: > 0 } and not ("card" or "cod") ? "The payment method is card or cod."
        : (!string.IsNullOrEmpty(from) && Day(from) is null) || (!string.IsNullOrEmpty(to) && Day(to) is null) ? "Dates are written yyyy-MM-dd."
        : null;

    /// <summary>A day of the URL (yyyy-MM-dd), as UTC midnight.</summary>
    public static DateTime? Day(string? value) =>
        DateTime.TryParseExact(value, "yyyy-MM-dd", CultureInfo.InvariantCulture, DateTimeStyles.None, out var d) ? DateTime.SpecifyKind(d, DateTimeKind.Utc) : null;
}
