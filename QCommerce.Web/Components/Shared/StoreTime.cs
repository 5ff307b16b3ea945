using System.Globalization;
using QCommerce.Core.Stores;

namespace QCommerce.Web.Components.Shared;

/// <summary>
/// Times are stored in UTC and shown in the store's own time zone and its region's way of writing them: a New York
/// shopper reads "7:55 PM" and "Mon, Dec 7", a London one "19:55" and "Mon 7 Dec".
/// </summary>
public static class StoreTime
{
    public static DateTime Local(DateTime utc, StoreSummary store) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById(store.Hours.TimeZoneId));

    public static CultureInfo Culture(StoreSummary store)
    {
        try
        {
            return CultureInfo.GetCultureInfo(store.Locale);
        }
        catch (CultureNotFoundException)
        {
            return CultureInfo.GetCultureInfo("en-US");
        }
    }

    public static string Time(DateTime utc, StoreSummary store) => Local(utc, store).ToString("t", Culture(store));

    public static string DayAndTime(DateTime utc, StoreSummary store)
    {
        var culture = Culture(store);
        var local = Local(utc, store);
        return $"{ShortDate(local, culture)}, {local.ToString("t", culture)}";
    }

    /// <summary>"Today", "Tomorrow" or the weekday and date, relative to <paramref name="nowUtc"/> in the store's zone.</summary>
    public static string Day(DateTime utc, StoreSummary store, DateTime nowUtc)
    {
        var day = Local(utc, store).Date;
        var today = Local(nowUtc, store).Date;
        return day == today ? "Today" : day == today.AddDays(1) ? "Tomorrow" : ShortDate(day, Culture(store));
    }

    // The culture's month-and-day pattern with the month abbreviated, after the abbreviated weekday: "Mon, Dec 7" in en-US.
    private static string ShortDate(DateTime local, CultureInfo culture)
    {
        var monthDay = culture.DateTimeFormat.MonthDayPattern.Replace("MMMM", "MMM", StringComparison.Ordinal);
        var separator = culture.Name.StartsWith("en-US", StringComparison.Ordinal) ? ", " : " ";
        return local.ToString("ddd", culture) + separator + local.ToString(monthDay, culture);
    }
}
