using QCommerce.Core.Common;

namespace QCommerce.Web.Common;

/// <summary>
/// Every text a client sends in an API query string (the filters: orders by e-mail, audit by entity or colleague, product
/// and stock searches, suggestions) is checked here, once, before any route reads it: a control character (a NUL, which
/// PostgreSQL refuses outright, a bell, an escape), an override mark or a broken surrogate is a 400 problem naming the
/// parameter, on every provider, and nothing is looked up. Pages are for people: a pasted NUL in <c>/search?q=</c> or an ops
/// filter is dropped by Core (<see cref="TextRules.Searchable"/>) and the page answers the search that was meant.
/// </summary>
public static class QueryTextCheck
{
    public static IApplicationBuilder UseQueryTextCheck(this IApplicationBuilder app) => app.Use((context, next) =>
    {
        if (!context.Request.QueryString.HasValue || !ApiPaths.IsApi(context.Request.Path)) return next(context);
        foreach (var (name, values) in context.Request.Query)
        {
            if (!TextRules.HasControlCharacters(name) && !values.Any(TextRules.HasControlCharacters)) continue;
            var field = TextRules.HasControlCharacters(name) ? "query" : name;
            return Results.ValidationProblem(new Dictionary<string, string[]> { [field] = ["cannot contain control characters (such as NUL) or text-direction overrides."] },
                title: "The request has invalid fields", detail: "Nothing was looked up. Remove the control characters from the query string and try again.")
                .ExecuteAsync(context);
        }
        return next(context);
    });
}
