namespace QCommerce.Core.Common;

/// <summary>
/// What the rider should know at a door (buzzer, gate, leave it with the doorman), as a saved address and an order keep it:
/// typed in a box of several lines and kept as one, so every place that shows it (a pick list, a message) reads alike.
/// </summary>
public static partial class DeliveryInstructions
{
    public const int MaxLength = 280;

    /// <summary>The text on one line, trimmed; blank is none.</summary>
    public static string? OneLine(string? text) =>
        string.IsNullOrWhiteSpace(text) ? null : LineBreaks().Replace(text.Trim(), "; ").Replace('\t', ' ');

    [System.Text.RegularExpressions.GeneratedRegex(@"\s*(\r\n|\r|\n)\s*")]
    private static partial System.Text.RegularExpressions.Regex LineBreaks();
}
