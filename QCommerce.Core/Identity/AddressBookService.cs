using System.ComponentModel.DataAnnotations;
using QCommerce.Core.Data;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Identity;

/// <summary>A form's view of an address; validated here so the page and the API agree.</summary>
public sealed class AddressInput
{
    [Required, StringLength(40)] public string Label { get; set; } = "Home";
    [Required(ErrorMessage = "Enter the street and number."), StringLength(120)] public string Line1 { get; set; } = "";
    [StringLength(120)] public string? Line2 { get; set; }
    [Required(ErrorMessage = "Enter the city."), StringLength(80)] public string City { get; set; } = "";
    [Required(ErrorMessage = "Enter the zip code."), StringLength(10)] public string Zip { get; set; } = "";
    [StringLength(DeliveryInstructions.MaxLength)] public string? Instructions { get; set; }
}

public sealed record AddressView(int Id, string Label, string Line1, string? Line2, string City, string Zip, bool IsDefault, string? Instructions = null);

/// <summary>Saved delivery addresses of one account: list, add, remove, choose the default.</summary>
public sealed class AddressBookService(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock)
{
    public const int MaxAddresses = 10;

    public async Task<IReadOnlyList<AddressView>> ListAsync(string userId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return await db.SavedAddresses.AsNoTracking()
            .Where(a => a.UserId == userId)
            .OrderByDescending(a => a.IsDefault).ThenBy(a => a.Id)
            .Select(a => new AddressView(a.Id, a.Label, a.Line1, a.Line2, a.City, a.Zip, a.IsDefault, a.Instructions))
            .ToListAsync(ct);
    }

    public async Task<AddressView> AddAsync(string userId, AddressInput input, CancellationToken ct = default)
    {
        input.Instructions = DeliveryInstructions.OneLine(input.Instructions);
        var problems = new List<ValidationResult>();
        if (!Validator.TryValidateObject(input, new ValidationContext(input), problems, validateAllProperties: true))
            throw new DomainException(string.Join(" ", problems.Select(p => p.ErrorMessage)));
        if (new[] { input.Label, input.Line1, input.Line2, input.City, input.Zip, input.Instructions }.Any(TextRules.HasControlCharacters))
            throw new DomainException("An address cannot contain control characters.");
        if (Zips.Normalize(input.Zip) is null) throw new DomainException($"'{TextRules.Excerpt(input.Zip)}' is not a zip code.");

        await using var db = await contexts.CreateDbContextAsync(ct);
        var count = await db.SavedAddresses.CountAsync(a => a.UserId == userId, ct);
        if (count >= MaxAddresses) throw new DomainException($"An account keeps at most {MaxAddresses} addresses; remove one first.");

        var address = new SavedAddress(userId, input, isDefault: count == 0, clock.UtcNow());
        db.SavedAddresses.Add(address);
        await db.SaveChangesAsync(ct);
        return new AddressView(address.Id, address.Label, address.Line1, address.Line2, address.City, address.Zip, address.IsDefault, address.Instructions);
    }

    public async Task RemoveAsync(string userId, int addressId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var addresses = await db.SavedAddresses.Where(a => a.UserId == userId).ToListAsync(ct);
        var address = addresses.SingleOrDefault(a => a.Id == addressId)
            ?? throw new NotFoundException("Address", addressId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        db.SavedAddresses.Remove(address);
        if (address.IsDefault && addresses.Where(a => a.Id != addressId).MinBy(a => a.Id) is { } next) next.MakeDefault(true);
        await db.SaveChangesAsync(ct);
    }

    public async Task MakeDefaultAsync(string userId, int addressId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var addresses = await db.SavedAddresses.Where(a => a.UserId == userId).ToListAsync(ct);
        if (addresses.All(a => a.Id != addressId))
            throw new NotFoundException("Address", addressId.ToString(System.Globalization.CultureInfo.InvariantCulture));
        foreach (var a in addresses) a.MakeDefault(a.Id == addressId);
        await db.SaveChangesAsync(ct);
    }
}
