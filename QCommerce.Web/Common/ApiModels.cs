using Microsoft.AspNetCore.Http.HttpResults;
using QCommerce.Core.Common;

namespace QCommerce.Web.Common;

/// <summary>Money on the wire: <c>{"currency":"USD","value":1299}</c>, value in minor units.</summary>
public sealed record MoneyDto(string Currency, long Value)
{
    public static MoneyDto From(Money money) => new(money.Currency, money.MinorUnits);
    public static MoneyDto? From(Money? money) => money is { } m ? From(m) : null;
}

/// <summary>An enum's name as the API writes it (camelCase, as the JSON enum converter does): for CSV, URLs and lists of names.</summary>
public static class WireNames
{
    public static string Of(Enum value) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(value.ToString());
}

/// <summary>A list page on the wire.</summary>
public sealed record PageDto<T>(IReadOnlyList<T> Items, int Page, int PageSize, int Total);

/// <summary>
/// Reading a request's values into Core's <see cref="ProblemList"/>, the one collector of a request's problems (the
/// API's edge and the use cases add to the same kind of list), and answering with all of them at once.
/// </summary>
public static class RequestProblems
{
    public static ValidationProblem ToProblem(this ProblemList problems, string title = "The request has invalid fields") =>
        TypedResults.ValidationProblem(problems.ToDictionary(), title: title);

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

    /// <summary>
    /// Reads an optional prefixed id of kind <typeparamref name="T"/> (<c>st_3</c>) to its number: absent (null) is fine;
    /// empty, blank, malformed or of another kind is this field's problem, reported with the request's others.
    /// </summary>
    public static int? Id<T>(this ProblemList problems, string field, string? raw) where T : struct, IPublicId<T>
    {
        if (raw is null) return null;
        if (PublicIds.TryParse<T>(raw, out var id)) return id.Value;
        problems.Add(field, string.IsNullOrWhiteSpace(raw)
            ? $"{field} is empty; send a {T.Prefix}<number> id, or leave it out."
            : $"'{TextRules.Excerpt(raw)}' is not {Article(T.Noun)} {T.Noun} id (expected {T.Prefix}<number>).");
        return null;
    }

    private static string Article(string noun) => "aeiou".Contains(noun[0]) ? "an" : "a";

    /// <summary>An optional id in the query string, where an empty value (<c>?storeId=</c>, as forms send it) means "not given".</summary>
    public static int? QueryId<T>(this ProblemList problems, string field, string? raw) where T : struct, IPublicId<T> =>
        problems.Id<T>(field, raw is "" ? null : raw);

    /// <summary>Reads a prefixed id that must be there.</summary>
    public static int? RequiredId<T>(this ProblemList problems, string field, string? raw) where T : struct, IPublicId<T>
    {
        if (raw is null)
        {
            problems.Add(field, $"{field} is required.");
            return null;
        }
        return problems.Id<T>(field, raw);
    }
}
