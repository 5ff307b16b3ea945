namespace QCommerce.Core.Common;

public static class TimeProviderExtensions
{
    /// <summary>
    /// The current instant as a UTC <see cref="DateTime"/>: the database stores UTC DateTimes
    /// because SQLite cannot compare DateTimeOffset values in SQL.
    /// </summary>
    public static DateTime UtcNow(this TimeProvider clock) => clock.GetUtcNow().UtcDateTime;
}
