using System.Globalization;
using QCommerce.Core.Stores;

namespace QCommerce.Web.Components.Shared;

/// <summary>Times are stored in UTC and shown in the store's own time zone, where the shopper is.</summary>
public static class StoreTime
{
    public static DateTime Local(DateTime utc, StoreSummary store) =>
        TimeZoneInfo.ConvertTimeFromUtc(DateTime.SpecifyKind(utc, DateTimeKind.Utc), TimeZoneInfo.FindSystemTimeZoneById(store.Hours.TimeZoneId));

    public static string Time(DateTime utc, StoreSummary store) => Local(utc, store).ToString("HH:mm", CultureInfo.InvariantCulture);

    public static string DayAndTime(DateTime utc, StoreSummary store) => Local(utc, store).ToString("ddd d MMM, HH:mm", CultureInfo.InvariantCulture);

    /// <summary>"Today", "Tomorrow" or the weekday and date, relative to <paramref name="nowUtc"/> in the store's zone.</summary>
    public static string Day(DateTime utc, StoreSummary store, DateTime nowUtc)
    {
        var day = Local(utc, store).Date;
        var today = Local(nowUtc, store).Date;
        return day == today ? "Today" : day == today.AddDays(1) ? "Tomorrow" : day.ToString("ddd d MMM", CultureInfo.InvariantCulture);
    }
}
