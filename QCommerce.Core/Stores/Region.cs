namespace QCommerce.Core.Stores;

/// <summary>A pricing region: every store in it sells at the region's prices, in its currency.</summary>
public sealed class Region
{
    private Region() { }

    public Region(string code, string name, string currency, string locale = "en-US")
    {
        Code = code;
        Name = name;
        Currency = currency;
        Locale = locale;
    }

    public int Id { get; private set; }
    public string Code { get; private set; } = "";
    public string Name { get; private set; } = "";
    public string Currency { get; private set; } = "";

    /// <summary>How the region's shoppers write times and dates (a culture name: "en-US" says 7:55 PM and Mon, Dec 7).</summary>
    public string Locale { get; private set; } = "en-US";
}
