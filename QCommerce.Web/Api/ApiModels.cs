using QCommerce.Core.Common;

namespace QCommerce.Web.Api;

/// <summary>Money on the wire: <c>{"currency":"USD","value":1299}</c>, value in minor units.</summary>
public sealed record MoneyDto(string Currency, long Value)
{
    public static MoneyDto From(Money money) => new(money.Currency, money.MinorUnits);
    public static MoneyDto? From(Money? money) => money is { } m ? From(m) : null;
}

/// <summary>A list page on the wire.</summary>
public sealed record PageDto<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

/// <summary>Collects every problem with a request so the caller hears about all of them at once.</summary>
public sealed class RequestErrors
{
    private readonly Dictionary<string, List<string>> _errors = new(StringComparer.Ordinal);

    public bool Any => _errors.Count > 0;

    public void Add(string field, string message)
    {
        if (!_errors.TryGetValue(field, out var list)) _errors[field] = list = [];
        list.Add(message);
    }

    public IResult ToProblem(string title = "The request has invalid fields") =>
        Results.ValidationProblem(_errors.ToDictionary(e => e.Key, e => e.Value.ToArray()), title: title);

    /// <summary>Parses an optional whole number within bounds; a missing value takes the fallback.</summary>
    public int Int(string field, string? raw, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(raw)) return fallback;
        if (!int.TryParse(raw, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            Add(field, $"'{TextRules.Excerpt(raw)}' is not a whole number.");
            return fallback;
        }
        if (value < min || value > max) Add(field, $"{field} must be between {min} and {max}.");
        return value;
    }

    /// <summary>Parses an optional prefixed id (<c>st_3</c>): absent (null) is fine; empty, blank or malformed is an error.</summary>
    public int? Id(string field, string? raw, string prefix)
    {
        if (raw is null) return null;
        if (PublicId.TryParse(prefix, raw, out var id)) return id;
        Add(field, string.IsNullOrWhiteSpace(raw)
            ? $"{field} is empty; send a {prefix}<number> id, or leave it out."
            : $"'{TextRules.Excerpt(raw)}' is not a valid {field} (expected {prefix}<number>).");
        return null;
    }

    /// <summary>An optional id in the query string, where an empty value (<c>?storeId=</c>, as forms send it) means "not given".</summary>
    public int? QueryId(string field, string? raw, string prefix) => Id(field, raw is "" ? null : raw, prefix);

    /// <summary>Parses a prefixed id that must be there.</summary>
    public int? RequiredId(string field, string? raw, string prefix)
    {
        if (raw is null)
        {
            Add(field, $"{field} is required.");
            return null;
        }
        return Id(field, raw, prefix);
    }
}
