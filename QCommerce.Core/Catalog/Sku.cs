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
