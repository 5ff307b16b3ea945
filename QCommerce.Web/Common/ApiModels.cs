using QCommerce.Core.Common;

namespace QCommerce.Web.Common;

/// <summary>Money on the wire: <c>{"currency":"USD","value":1299}</c>, value in minor units.</summary>
public sealed record MoneyDto(string Currency, long Value)
{
    public static MoneyDto From(Money money) => new(money.Currency, money.MinorUnits);
    public static MoneyDto? From(Money? money) => money is { } m ? From(m) : null;
}

/// <summary>A list page on the wire.</summary>
public sealed record PageDto<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

/// <summary>
/// Reading a request's values into Core's <see cref="ProblemList"/>, the one collector of a request's problems (the
/// API's edge and the use cases add to the same kind of list), and answering with all of them at once.
/// </summary>
public static class RequestProblems
{
    public static IResult ToProblem(this ProblemList problems, string title = "The request has invalid fields") =>
        Results.ValidationProblem(problems.ToDictionary(), title: title);

    /// <summary>Parses an optional whole number within bounds; a missing value takes the fallback.</summary>
    public static int Int(this ProblemList problems, string field, string? raw, int fallback, int min, int max)
    {
        if (string.IsNullOrEmpty(raw)) return fallback;
        if (!int.TryParse(raw, System.Globalization.NumberStyles.AllowLeadingSign, System.Globalization.CultureInfo.InvariantCulture, out var value))
        {
            problems.Add(field, $"'{TextRules.Excerpt(raw)}' is not a whole number.");
            return fallback;
        }
        if (value < min || value > max) problems.Add(field, $"{field} must be between {min} and {max}.");
        return value;
    }

    /// <summary>Parses an optional prefixed id (<c>st_3</c>): absent (null) is fine; empty, blank or malformed is an error.</summary>
    public static int? Id(this ProblemList problems, string field, string? raw, string prefix)
    {
        if (raw is null) return null;
        if (PublicId.TryParse(prefix, raw, out var id)) return id;
        problems.Add(field, string.IsNullOrWhiteSpace(raw)
            ? $"{field} is empty; send a {prefix}<number> id, or leave it out."
            : $"'{TextRules.Excerpt(raw)}' is not a valid {field} (expected {prefix}<number>).");
        return null;
    }

    /// <summary>An optional id in the query string, where an empty value (<c>?storeId=</c>, as forms send it) means "not given".</summary>
    public static int? QueryId(this ProblemList problems, string field, string? raw, string prefix) => problems.Id(field, raw is "" ? null : raw, prefix);

    /// <summary>Parses a prefixed id that must be there.</summary>
    public static int? RequiredId(this ProblemList problems, string field, string? raw, string prefix)
    {
        if (raw is null)
        {
            problems.Add(field, $"{field} is required.");
            return null;
        }
        return problems.Id(field, raw, prefix);
    }
}
