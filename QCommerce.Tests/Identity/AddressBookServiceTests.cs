using QCommerce.Core.Identity;

namespace QCommerce.Tests.Identity;

/// <summary>The saved-address use cases on a real database of each provider.</summary>
public abstract class AddressBookServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private TestDatabase _db = null!;
    private AddressBookService _book = null!;
    private string _ana = "", _ben = "";

    public async Task InitializeAsync()
    {
        _db = await TestDatabase.CreateAsync(provider);
        await _db.InitializeAsync(seed: false);
        await using var db = _db.CreateContext();
        var ana = new AppUser { UserName = "ana@example.com", Email = "ana@example.com" };
        var ben = new AppUser { UserName = "ben@example.com", Email = "ben@example.com" };
        db.Users.AddRange(ana, ben);
        await db.SaveChangesAsync();
        (_ana, _ben) = (ana.Id, ben.Id);
        _book = new AddressBookService(_db.ContextFactory(), TimeProvider.System);
    }

    public async Task DisposeAsync() => await _db.DisposeAsync();

    private static AddressInput Input(string label = "Home", string zip = "10013") =>
        new() { Label = label, Line1 = "12 Mercer Street", City = "New York", Zip = zip };

    private async Task<int> CountAsync()
    {
        await using var db = _db.CreateContext();
        return await db.SavedAddresses.CountAsync();
    }

    [Fact]
    public async Task Add_FirstAddress_IsTheDefault_LaterOnesAreNot()
    {
        var home = await _book.AddAsync(_ana, Input("Home"));
        var work = await _book.AddAsync(_ana, Input("Work"));
        Assert.True(home.IsDefault);
        Assert.False(work.IsDefault);
        Assert.Equal(["Home", "Work"], (await _book.ListAsync(_ana)).Select(a => a.Label));
    }

    [Theory]
    [InlineData("", "12 Mercer Street", "10013")]
    [InlineData("Home", "", "10013")]
    [InlineData("Home", "12 Mercer Street", "")]
    [InlineData("Home", "12 Mercer Street", "<script>")]
    [InlineData("Home", "12 Mercer\0 Street", "10013")] // PostgreSQL refuses NUL outright: a 500 until it was checked
    [InlineData("Ho\u0007me", "12 Mercer Street", "10013")]
    public async Task Add_WithAMissingOrBadField_ThrowsAndSavesNothing(string label, string line1, string zip)
    {
        var input = new AddressInput { Label = label, Line1 = line1, City = "New York", Zip = zip };
        await Assert.ThrowsAsync<DomainException>(() => _book.AddAsync(_ana, input));
        Assert.Equal(0, await CountAsync());
    }

    [Fact]
    public async Task Add_BeyondTheLimit_ThrowsAndSavesNothing()
    {
        for (var i = 0; i < AddressBookService.MaxAddresses; i++) await _book.AddAsync(_ana, Input($"A{i}"));
        await Assert.ThrowsAsync<DomainException>(() => _book.AddAsync(_ana, Input("One too many")));
        Assert.Equal(AddressBookService.MaxAddresses, await CountAsync());
    }

    [Fact]
    public async Task List_ShowsOnlyTheCallersAddresses()
    {
        await _book.AddAsync(_ana, Input("Ana's"));
        await _book.AddAsync(_ben, Input("Ben's"));
        Assert.Equal("Ana's", Assert.Single(await _book.ListAsync(_ana)).Label);
    }

    [Fact]
    public async Task Remove_TheDefault_MakesTheNextOneDefault()
    {
        var home = await _book.AddAsync(_ana, Input("Home"));
        await _book.AddAsync(_ana, Input("Work"));
        await _book.RemoveAsync(_ana, home.Id);
        var left = Assert.Single(await _book.ListAsync(_ana));
        Assert.Equal("Work", left.Label);
        Assert.True(left.IsDefault);
    }

    [Fact]
    public async Task Remove_AnotherShoppersAddress_IsNotFoundAndChangesNothing()
    {
        var bens = await _book.AddAsync(_ben, Input("Ben's"));
        await Assert.ThrowsAsync<NotFoundException>(() => _book.RemoveAsync(_ana, bens.Id));
        await Assert.ThrowsAsync<NotFoundException>(() => _book.MakeDefaultAsync(_ana, bens.Id));
        Assert.Equal(1, await CountAsync());
        Assert.True(Assert.Single(await _book.ListAsync(_ben)).IsDefault);
    }

    [Fact]
    public async Task MakeDefault_MovesTheDefault()
    {
        await _book.AddAsync(_ana, Input("Home"));
        var work = await _book.AddAsync(_ana, Input("Work"));
        await _book.MakeDefaultAsync(_ana, work.Id);
        Assert.Equal(["Work"], (await _book.ListAsync(_ana)).Where(a => a.IsDefault).Select(a => a.Label));
    }
}

public sealed class SqliteAddressBookServiceTests() : AddressBookServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresAddressBookServiceTests() : AddressBookServiceTests(DatabaseProvider.Postgres);
