using System.Globalization;
using System.Text;

namespace QCommerce.Core.Catalog;

/// <summary>A full-text match: lower <see cref="Rank"/> is more relevant.</summary>
public sealed record SearchHit(int ProductId, double Rank);

/// <summary>
/// The words of search: what a shopper typed and what a product says are cut into words the same way (letters and
/// digits only, lower case, accents dropped), for <see cref="CatalogSearchIndex"/>.
/// </summary>
public static class ProductSearch
{
    public const int MaxTerms = 8;
    public const int MaxWordLength = 40;

    /// <summary>The words of a query, at most <see cref="MaxTerms"/>: no input can be anything but words.</summary>
    public static IReadOnlyList<string> Terms(string? text) => Words(text).Take(MaxTerms).ToList();

    /// <summary>The words of a text, in order, repeats kept (a word longer than 40 characters is no word anyone types).</summary>
    public static IEnumerable<string> Words(string? text)
    {
        if (string.IsNullOrWhiteSpace(text)) yield break;
        var word = new StringBuilder();
        foreach (var c in text.Normalize(NormalizationForm.FormD))
        {
            if (char.IsLetterOrDigit(c)) word.Append(char.ToLowerInvariant(c));
            else if (CharUnicodeInfo.GetUnicodeCategory(c) == UnicodeCategory.NonSpacingMark) continue;
            else if (word.Length > 0)
            {
                if (word.Length <= MaxWordLength) yield return word.ToString();
                word.Clear();
            }
        }
        if (word.Length is > 0 and <= MaxWordLength) yield return word.ToString();
    }

    /// <summary>
    /// A word's singular, as English plurals go ("berries" berry, "tomatoes" tomato, "peaches" peach, "apples" apple):
    /// a shopper's "apples" finds "Apple", and "berry" finds "Mixed Berries". Words that only look plural stay
    /// ("asparagus", "swiss", "hummus").
    /// </summary>
    public static string Singular(string word)
    {
        if (word.Length <= 3 || !word.EndsWith('s')) return word;
        if (word.EndsWith("ies", StringComparison.Ordinal) && word.Length > 4) return word[..^3] + "y";
        if (word.EndsWith("sses", StringComparison.Ordinal)) return word[..^2];
        if (word.EndsWith("xes", StringComparison.Ordinal) || word.EndsWith("zes", StringComparison.Ordinal)
            || word.EndsWith("ches", StringComparison.Ordinal) || word.EndsWith("shes", StringComparison.Ordinal)
            || (word.EndsWith("oes", StringComparison.Ordinal) && word.Length > 4))
            return word[..^2];
        if (word.EndsWith("ss", StringComparison.Ordinal) || word.EndsWith("us", StringComparison.Ordinal) || word.EndsWith("is", StringComparison.Ordinal))
            return word;
        return word[..^1];
    }
}
