namespace QCommerce.Core.Common;

/// <summary>
/// What free text from a client may hold before it is stored or echoed back: no control characters
/// (PostgreSQL refuses NUL outright; the rest only hides things from the people who read it), no
/// bidirectional overrides, no unpaired UTF-16 surrogates (they cannot be written as UTF-8), and no
/// more than its column takes.
/// </summary>
public static class TextRules
{
    /// <summary>How much of a client's input an error message quotes back.</summary>
    public const int ExcerptLength = 40;

    public static bool HasControlCharacters(string? text)
    {
        if (text is null) return false;
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsControl(c) || IsBidiControl(c)) return true;
            if (char.IsHighSurrogate(c) && (i + 1 == text.Length || !char.IsLowSurrogate(text[++i]))) return true;
            if (char.IsLowSurrogate(c)) return true;
        }
        return false;
    }

    /// <summary>
    /// The embedding, override and isolate marks (U+202A–U+202E, U+2066–U+2069): invisible, they make stored text read
    /// in another order than it is written ("Trojan source"). The plain direction marks (U+200E, U+200F) stay allowed.
    /// </summary>
    private static bool IsBidiControl(char c) => c is >= '‪' and <= '‮' or >= '⁦' and <= '⁩';

    /// <summary>
    /// A search or filter as typed, without what no stored text holds (control characters, override marks, broken
    /// surrogates): a NUL pasted into the portal's filter box would otherwise reach PostgreSQL, which refuses it. The API
    /// refuses such text at the edge instead; a person at a filter box simply gets the search they meant.
    /// </summary>
    public static string Searchable(string? text)
    {
        if (string.IsNullOrEmpty(text) || !HasControlCharacters(text)) return text ?? "";
        var kept = new System.Text.StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1])) kept.Append(c).Append(text[++i]);
            else if (!char.IsControl(c) && !IsBidiControl(c) && !char.IsSurrogate(c)) kept.Append(c);
        }
        return kept.ToString();
    }

    /// <summary>The problem with one field's text, in words for the caller; null when it may be stored.</summary>
    public static string? Problem(string? text, int maxLength, string what) =>
        text is null ? null
        : text.Length > maxLength ? $"{what} is at most {maxLength} characters."
        : HasControlCharacters(text) ? $"{what} cannot contain control characters."
        : null;

    /// <summary>
    /// Text from outside that we store as it comes (a PSP's decline message): control characters and unpaired
    /// surrogates become spaces, and it is cut to <paramref name="maxLength"/> without splitting a character.
    /// </summary>
    public static string Clean(string text, int maxLength)
    {
        var chars = text.ToCharArray();
        for (var i = 0; i < chars.Length; i++)
        {
            if (char.IsHighSurrogate(chars[i]) && i + 1 < chars.Length && char.IsLowSurrogate(chars[i + 1])) { i++; continue; }
            if (char.IsControl(chars[i]) || char.IsSurrogate(chars[i]) || IsBidiControl(chars[i])) chars[i] = ' ';
        }
        var length = Math.Min(chars.Length, maxLength);
        if (length > 0 && length < chars.Length && char.IsHighSurrogate(chars[length - 1])) length--;
        return new string(chars, 0, length);
    }

    /// <summary>A short, printable quote of a client's input for an error message: never the whole of a 20 MB string.</summary>
    public static string Excerpt(string? text, int length = ExcerptLength)
    {
        if (string.IsNullOrEmpty(text)) return "";
        var cut = text.Length <= length ? text : text[..length];
        if (cut.Length > 0 && char.IsHighSurrogate(cut[^1])) cut = cut[..^1];
        var printable = new string(cut.Select(c => char.IsControl(c) || IsBidiControl(c) ? '?' : c).ToArray());
        return text.Length <= length ? printable : printable + "…";
    }
}
