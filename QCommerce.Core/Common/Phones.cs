using PhoneNumbers;

namespace QCommerce.Core.Common;

/// <summary>
/// Phone numbers as a rider dials them: whatever a shopper types ("(212) 555-0142", "+44 20 7946 0958") is checked against
/// Google's numbering plans and kept as E.164 ("+12125550142"); shown back in the national form for the shop's country.
/// A number without a country code is read as the shop's country's (every store is in the US today).
/// </summary>
public static class Phones
{
    public const string DefaultRegion = "US";
    public const int MaxInputLength = 32; // the longest national and international forms with spaces fit
    public const int MaxE164Length = 16;   // '+' and at most 15 digits

    private static readonly PhoneNumberUtil Util = PhoneNumberUtil.GetInstance();

    /// <summary>The number in E.164, or null with <paramref name="problem"/> saying why in the shopper's words. Blank is no number and no problem.</summary>
    public static string? Normalize(string? input, out string? problem)
    {
        problem = null;
        if (string.IsNullOrWhiteSpace(input)) return null;
        var text = input.Trim();
        if (text.Length > MaxInputLength || TextRules.HasControlCharacters(text))
        {
            problem = "Enter a phone number such as (212) 555-0142.";
            return null;
        }
        try
        {
            var number = Util.Parse(text, DefaultRegion);
            if (number.HasExtension)
            {
                // E.164 has no extension, and a rider's phone cannot dial one: said, not silently dropped.
                problem = "A rider cannot dial an extension: give a direct number, and put the extension in the instructions for the rider.";
                return null;
            }
            if (Util.IsValidNumber(number)) return Util.Format(number, PhoneNumberFormat.E164);
        }
        catch (NumberParseException)
        {
            // Not a number at all: the same answer as a number that does not exist.
        }
        problem = $"'{TextRules.Excerpt(text)}' is not a phone number we can call; include the area code, or the country code from abroad.";
        return null;
    }

    /// <summary>A stored E.164 number as people write it: national in the shop's country, international otherwise.</summary>
    public static string Display(string? e164)
    {
        if (string.IsNullOrEmpty(e164)) return "";
        try
        {
            var number = Util.Parse(e164, DefaultRegion);
            return Util.GetRegionCodeForNumber(number) == DefaultRegion
                ? Util.Format(number, PhoneNumberFormat.NATIONAL)
                : Util.Format(number, PhoneNumberFormat.INTERNATIONAL);
        }
        catch (NumberParseException)
        {
            return e164;
        }
    }
}
