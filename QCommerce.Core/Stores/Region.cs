namespace QCommerce.Core.Stores;

/// <summary>A pricing region: every store in it sells at the region's prices, in its currency.</summary>
public sealed class Region
{
    private Region() { }

    public Region(string code, string name, string currency)
    {
        Code = code;
        Name = name;
        Currency = currency;
    }

    public int Id { get; private set; }
    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Currency { get; private set; } = "";
}
