using System.Text;
using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>A full-text match: lower <see cref="Rank"/> is more relevant.</summary>
public sealed record SearchHit(int ProductId, double Rank);

/// <summary>
/// Full-text search over title, brand and description: FTS5 on SQLite, a weighted tsvector with a
/// GIN index on PostgreSQL (both created by the migrations). Every word the shopper typed must match,
/// the last one as a prefix, so "chob gree" finds Chobani Greek Yogurt while they type.
/// </summary>
public static class ProductSearch
{
    public const int MaxTerms = 8;

    public static IQueryable<SearchHit>? Match(QCommerceDbContext db, DatabaseProvider provider, string? text)
    {
        var terms = Terms(text);
        if (terms.Count == 0) return null;
        return provider switch
        {
            DatabaseProvider.Postgres => db.Database.SqlQuery<SearchHit>(
                $"""SELECT "Id" AS "ProductId", (-ts_rank("SearchVector", to_tsquery('english', {PostgresQuery(terms)}), 1))::float8 AS "Rank" FROM "Products" WHERE "SearchVector" @@ to_tsquery('english', {PostgresQuery(terms)})"""),
            _ => db.Database.SqlQuery<SearchHit>(
                $"""SELECT rowid AS "ProductId", bm25("ProductSearch", 10.0, 5.0, 1.0) AS "Rank" FROM "ProductSearch" WHERE "ProductSearch" MATCH {SqliteQuery(terms)}"""),
        };
    }

    /// <summary>The words of a query: letters and digits only, so no input can inject query syntax.</summary>
    public static IReadOnlyList<string> Terms(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) return [];
        var terms = new List<string>();
        var word = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (char.IsLetterOrDigit(c)) word.Append(char.ToLowerInvariant(c));
            else if (System.Globalization.CharUnicodeInfo.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.NonSpacingMark) continue;
            else Flush();
        }
        Flush();
        return terms.Take(MaxTerms).ToList();

        void Flush()
        {
            if (word.Length > 0 && word.Length <= 40) terms.Add(word.ToString());
            word.Clear();
        }
    }

    internal static string SqliteQuery(IReadOnlyList<string> terms) => string.Join(' ', terms.Select(t => $"\"{t}\"*"));

    internal static string PostgresQuery(IReadOnlyList<string> terms) => string.Join(" & ", terms.Select(t => $"{t}:*"));
}
