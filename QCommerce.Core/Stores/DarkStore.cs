namespace QCommerce.Core.Stores;

/// <summary>A local fulfilment centre that delivers to the zips of its zone.</summary>
public sealed class DarkStore
{
    private readonly List<DeliveryZip> _deliveryZips = [];

    private DarkStore() { }

    public DarkStore(string name, Region region, StoreAddress address, IEnumerable<string> zips,
        long deliveryFeeMinor, long freeDeliveryThresholdMinor, OpeningHours hours, int baseEtaMinutes)
    {
        if (baseEtaMinutes <= 0) throw new DomainException("A store's base ETA must be positive.");
        if (deliveryFeeMinor < 0 || freeDeliveryThresholdMinor < 0) throw new DomainException("Fees cannot be negative.");
        Name = name;
        Region = region;
        Address = address;
        DeliveryFeeMinor = deliveryFeeMinor;
        FreeDeliveryThresholdMinor = freeDeliveryThresholdMinor;
        Hours = hours;
        BaseEtaMinutes = baseEtaMinutes;
        foreach (var zip in zips.Distinct()) _deliveryZips.Add(new DeliveryZip(zip));
    }

    public int Id { get; private set; }
    public string Name { get; private set; } = "";
    public int RegionId { get; private set; }
    public Region Region { get; private set; } = null!;
    public StoreAddress Address { get; private set; } = null!;
    public IReadOnlyList<DeliveryZip> DeliveryZips => _deliveryZips;
    public long DeliveryFeeMinor { get; private set; }
    public long FreeDeliveryThresholdMinor { get; private set; }
    public OpeningHours Hours { get; private set; } = null!;
    public int BaseEtaMinutes { get; private set; }

    /// <summary>How long each bookable delivery window is.</summary>
    public int SlotMinutes { get; private set; } = 60;

    /// <summary>How many orders one delivery window takes.</summary>
    public int SlotCapacity { get; private set; } = 6;

    public static readonly int[] SlotLengths = [30, 60, 90, 120];

    /// <summary>New settings (the caller checked each field; see <see cref="StoreSettingsService"/>).</summary>
    public void Change(OpeningHours hours, IEnumerable<string> zips, long deliveryFeeMinor, long freeDeliveryThresholdMinor, int baseEtaMinutes,
        int slotMinutes, int slotCapacity)
    {
        Hours = hours;
        DeliveryFeeMinor = deliveryFeeMinor;
        FreeDeliveryThresholdMinor = freeDeliveryThresholdMinor;
        BaseEtaMinutes = baseEtaMinutes;
        SlotMinutes = slotMinutes;
        SlotCapacity = slotCapacity;
        var wanted = zips.Select(z => Zips.Normalize(z)!).Distinct().ToHashSet();
        _deliveryZips.RemoveAll(z => !wanted.Contains(z.Zip));
        foreach (var zip in wanted.Where(w => _deliveryZips.All(z => z.Zip != w))) _deliveryZips.Add(new DeliveryZip(zip));
    }
}

/// <summary>One zip a store delivers to. A zip may be served by more than one store.</summary>
public sealed class DeliveryZip
{
    private DeliveryZip() { }
    public DeliveryZip(string zip) => Zip = Zips.Normalize(zip) ?? throw new DomainException($"'{TextRules.Excerpt(zip)}' is not a zip code.");

    public int StoreId { get; private set; }
    public string Zip { get; private set; } = "";
}

public sealed record StoreAddress(string Line1, string City, string Zip);

/// <summary>
/// Daily opening hours in the store's own time zone. <see cref="Closes"/> before <see cref="Opens"/>
/// means the store is open past midnight.
/// </summary>
public sealed record OpeningHours(TimeOnly Opens, TimeOnly Closes, string TimeZoneId)
{
    public bool IsOpenAt(DateTimeOffset instant)
    {
        var zone = TimeZoneInfo.FindSystemTimeZoneById(TimeZoneId);
        var local = TimeOnly.FromDateTime(TimeZoneInfo.ConvertTime(instant, zone).DateTime);
        if (Opens == Closes) return true; // open around the clock
        return Opens < Closes
            ? local >= Opens && local < Closes
            : local >= Opens || local < Closes;
    }

    public string Describe() => Opens == Closes ? "Open 24 hours" : $"{Opens:HH\\:mm}–{Closes:HH\\:mm}";
}

public static class Zips
{
    /// <summary>A zip as stored and compared: trimmed, upper-case, 3 to 10 letters, digits, spaces or dashes.</summary>
    public static string? Normalize(string? zip)
    {
        if (string.IsNullOrWhiteSpace(zip)) return null;
        var trimmed = zip.Trim().ToUpperInvariant();
        return trimmed.Length is >= 3 and <= 10 && trimmed.All(c => char.IsAsciiLetterOrDigit(c) || c is ' ' or '-')
            ? trimmed
            : null;
    }
}
