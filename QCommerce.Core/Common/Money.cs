using System.Globalization;

namespace QCommerce.Core.Common;

/// <summary>
/// An amount in whole minor units (cents) of an ISO 4217 currency. There is no floating point
/// anywhere money is; arithmetic across currencies is a bug and throws.
/// </summary>
public readonly record struct Money
{
    public Money(string currency, long minorUnits)
    {
        if (string.IsNullOrWhiteSpace(currency) || currency.Length != 3 || !currency.All(char.IsAsciiLetterUpper))
            throw new DomainException($"'{TextRules.Excerpt(currency)}' is not an ISO 4217 currency code.");
        Currency = currency;
        MinorUnits = minorUnits;
    }

    public string Currency { get; }
    public long MinorUnits { get; }

    public static Money Zero(string currency) => new(currency, 0);

    public bool IsZero => MinorUnits == 0;
    public bool IsNegative => MinorUnits < 0;

    public static Money operator +(Money a, Money b) => new(SameCurrency(a, b), checked(a.MinorUnits + b.MinorUnits));
    public static Money operator -(Money a, Money b) => new(SameCurrency(a, b), checked(a.MinorUnits - b.MinorUnits));
    public static Money operator *(Money a, int quantity) => new(a.Currency, checked(a.MinorUnits * quantity));

    public static bool operator <(Money a, Money b) => Compare(a, b) < 0;
    public static bool operator >(Money a, Money b) => Compare(a, b) > 0;
    public static bool operator <=(Money a, Money b) => Compare(a, b) <= 0;
    public static bool operator >=(Money a, Money b) => Compare(a, b) >= 0;

    private static int Compare(Money a, Money b)
    {
        SameCurrency(a, b);
        return a.MinorUnits.CompareTo(b.MinorUnits);
    }

    /// <summary>Sums amounts of one currency; an empty sequence is zero in <paramref name="currency"/>.</summary>
    public static Money Sum(string currency, IEnumerable<Money> amounts) =>
        amounts.Aggregate(Zero(currency), (total, next) => total + next);

    /// <summary>Formats for display, e.g. "$12.99" or "€3.50", with the currency's own decimals.</summary>
    public string Format()
    {
        var (symbol, decimals) = Currencies.Describe(Currency);
        var major = MinorUnits / (decimal)Pow10(decimals);
        var number = major.ToString("N" + decimals, CultureInfo.InvariantCulture);
        return symbol is null ? $"{number} {Currency}" : $"{(IsNegative ? "-" : "")}{symbol}{number.TrimStart('-')}";
    }

    public override string ToString() => Format();

    private static string SameCurrency(Money a, Money b) =>
        a.Currency == b.Currency
            ? a.Currency
            : throw new DomainException($"Cannot combine {a.Currency} and {b.Currency} amounts.");

    private static long Pow10(int n) => n switch { 0 => 1, 2 => 100, 3 => 1000, _ => (long)Math.Pow(10, n) };
}

/// <summary>The few facts about a currency the storefront needs to show an amount.</summary>
public static class Currencies
{
    public static (string? Symbol, int Decimals) Describe(string currency) => currency switch
    {
        "USD" => ("$", 2),
        "EUR" => ("€", 2),
        "GBP" => ("£", 2),
        "JPY" => ("¥", 0),
        _ => (null, 2),
    };
}
