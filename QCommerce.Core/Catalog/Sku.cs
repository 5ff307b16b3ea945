using System.Globalization;

namespace QCommerce.Core.Catalog;

/// <summary>A sellable variant of a product: one barcode, one size.</summary>
public sealed class Sku
{
    private Sku() { }

    public Sku(string code, string barcode, SkuUnit unit, decimal size)
    {
        if (string.IsNullOrWhiteSpace(code)) throw new DomainException("A SKU needs a code.");
        if (size <= 0) throw new DomainException($"SKU '{code}' must have a positive size.");
        Code = code;
        Barcode = barcode;
        Unit = unit;
        Size = size;
    }

    public int Id { get; private set; }
    public int ProductId { get; private set; }
    public string Code { get; private set; } = "";
    public string Barcode { get; private set; } = "";
    public SkuUnit Unit { get; private set; }
    public decimal Size { get; private set; }

    public string SizeLabel => SkuSizes.Label(Unit, Size);

    public void Change(string barcode, SkuUnit unit, decimal size)
    {
        if (size <= 0) throw new DomainException($"SKU '{Code}' must have a positive size.");
        Barcode = barcode;
        Unit = unit;
        Size = size;
    }
}

/// <summary>
/// Barcodes as shelves carry them: GTIN-8, UPC-A (12), EAN-13 or GTIN-14, digits only, the last one the GS1 check digit,
/// so a mistyped digit is caught at the desk rather than at the scanner.
/// </summary>
public static class Barcodes
{
    public static string? Problem(string? barcode)
    {
        if (string.IsNullOrWhiteSpace(barcode)) return "A barcode is required (8, 12, 13 or 14 digits).";
        var digits = barcode.Trim();
        if (!digits.All(char.IsAsciiDigit) || digits.Length is not (8 or 12 or 13 or 14))
            return $"'{TextRules.Excerpt(digits)}' is not a barcode: 8, 12, 13 or 14 digits.";
        if (digits.All(c => c == '0')) return "A barcode of only zeros is no product's; scan or type the one on the pack.";
        return CheckDigit(digits[..^1]) == digits[^1] - '0' ? null : $"{digits} has a wrong check digit (the last digit should be {CheckDigit(digits[..^1])}).";
    }

    /// <summary>
    /// The forms one GTIN is written in: UPC-A 036000291452 is EAN-13 0036000291452 and GTIN-14 00036000291452, so a
    /// barcode is taken when any of its zero-padded forms is.
    /// </summary>
    public static IReadOnlyList<string> Spellings(string barcode)
    {
        var significant = barcode.TrimStart('0');
        return new[] { 8, 12, 13, 14 }.Where(n => n >= significant.Length).Select(n => significant.PadLeft(n, '0')).ToList();
    }

    /// <summary>The GS1 check digit of the digits before it: weights 3 and 1 alternate from the right.</summary>
    public static int CheckDigit(string body)
    {
        var sum = 0;
        for (var i = 0; i < body.Length; i++)
            sum += (body[body.Length - 1 - i] - '0') * (i % 2 == 0 ? 3 : 1);
        return (10 - sum % 10) % 10;
    }
}

public enum SkuUnit
{
    Piece,
    Pack,
    Gram,
    Kilogram,
    Millilitre,
    Litre,
}

public static class SkuSizes
{
    public static string Label(SkuUnit unit, decimal size)
    {
        var n = size.ToString("0.##", CultureInfo.InvariantCulture);
        return unit switch
        {
            SkuUnit.Piece => size == 1 ? "1 piece" : $"{n} pieces",
            SkuUnit.Pack => size == 1 ? "1 pack" : $"{n}-pack",
            SkuUnit.Gram => $"{n} g",
            SkuUnit.Kilogram => $"{n} kg",
            SkuUnit.Millilitre => $"{n} ml",
            SkuUnit.Litre => $"{n} L",
            _ => n,
        };
    }
}
