namespace QCommerce.Core.Identity;

/// <summary>A delivery address a shopper keeps on their account for checkout.</summary>
public sealed class SavedAddress
{
    private SavedAddress() { }

    internal SavedAddress(string userId, AddressInput input, bool isDefault, DateTime createdAtUtc)
    {
        UserId = userId;
        Label = input.Label.Trim();
        Line1 = input.Line1.Trim();
        Line2 = string.IsNullOrWhiteSpace(input.Line2) ? null : input.Line2.Trim();
        City = input.City.Trim();
        Zip = input.Zip.Trim().ToUpperInvariant();
        Instructions = string.IsNullOrWhiteSpace(input.Instructions) ? null : input.Instructions.Trim();
        IsDefault = isDefault;
        CreatedAtUtc = createdAtUtc;
    }

    public int Id { get; private set; }
    public string UserId { get; private set; } = "";
    public string Label { get; private set; } = "";
    public string Line1 { get; private set; } = "";
    public string? Line2 { get; private set; }
    public string City { get; private set; } = "";
    public string Zip { get; private set; } = "";
    /// <summary>What the rider should know at this address (buzzer, door); offered at checkout, changeable per order.</summary>
    public string? Instructions { get; private set; }
    public bool IsDefault { get; private set; }
    public DateTime CreatedAtUtc { get; private set; }

    internal void MakeDefault(bool isDefault) => IsDefault = isDefault;
}
