using QCommerce.Core.Cart;
using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Cart;

/// <summary>The cart on a real database of each provider: limits, revalidation, merge at sign-in.</summary>
public abstract class CartServiceTests(DatabaseProvider provider) : IAsyncLifetime
{
    private ServiceHarness _h = null!;
    private CartService _carts = null!;
    private CartOwner _ana;
    private int[] _skus = [];

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        _carts = _h.Get<CartService>();
        _ana = CartOwner.User(await _h.CreateUserAsync("ana@example.com"));
        _skus = await Demo.SkusAsync(_h.Database, 3);
        foreach (var sku in _skus) await _h.SetStockAsync(Demo.Downtown, sku, 10);
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    [Fact]
    public async Task Add_TwiceTheSameSku_AddsUp_AndPricesTheCartWithFeeAndTax()
    {
        await _carts.AddAsync(_ana, Demo.Downtown, _skus[0], 1);
        var cart = await _carts.AddAsync(_ana, Demo.Downtown, _skus[0], 2);
        var line = Assert.Single(cart.Lines);
        Assert.Equal(3, line.Quantity);
        Assert.Equal(line.UnitPrice!.Value * 3, cart.Price.Subtotal);
        Assert.Equal(new Money("USD", 299), cart.Price.DeliveryFee);
        Assert.Equal(cart.Price.Subtotal + cart.Price.DeliveryFee + cart.Price.Tax, cart.Price.Total);
        Assert.True(cart.CanCheckout);
        Assert.Equal(3, await _carts.CountAsync(_ana, Demo.Downtown));
    }

    [Fact]
    public async Task SetQuantity_BeyondWhatIsAvailable_SaysHowManyAreLeftAndKeepsTheCart()
    {
        await _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 2);
        var error = await Assert.ThrowsAsync<RequestRejectedException>(() => _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 11));
        Assert.Contains("Only 10", Assert.Single(error.Errors["qty"]));
        Assert.Equal(2, Assert.Single((await _carts.ViewAsync(_ana, Demo.Downtown)).Lines).Quantity);
    }

    [Theory]
    [InlineData(-1)]
    [InlineData(100)]
    public async Task SetQuantity_OutsideTheLimits_IsRefused(int qty)
    {
        await Assert.ThrowsAsync<RequestRejectedException>(() => _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], qty));
        Assert.True((await _carts.ViewAsync(_ana, Demo.Downtown)).IsEmpty);
    }

    [Fact]
    public async Task SetQuantity_Zero_RemovesTheLine()
    {
        await _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 2);
        Assert.True((await _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 0)).IsEmpty);
    }

    [Fact]
    public async Task SetQuantity_AnUnknownSku_IsNotFound() =>
        await Assert.ThrowsAsync<NotFoundException>(() => _carts.SetQuantityAsync(_ana, Demo.Downtown, 999_999, 1));

    [Fact]
    public async Task View_AfterAPriceChange_ShowsOldAndNewPrice_AndBlocksCheckoutUntilAccepted()
    {
        var before = await _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 1);
        var oldPrice = before.Lines[0].UnitPrice!.Value;
        await using (var db = _h.Database.CreateContext())
        {
            db.Prices.Add(new Price(_skus[0], 1, new Money("USD", oldPrice.MinorUnits + 50), ServiceHarness.Start.UtcDateTime.AddMinutes(-1)));
            await db.SaveChangesAsync();
        }

        var cart = await _carts.ViewAsync(_ana, Demo.Downtown);
        Assert.Equal(oldPrice, cart.Lines[0].PreviousPrice);
        Assert.Equal(oldPrice.MinorUnits + 50, cart.Lines[0].UnitPrice!.Value.MinorUnits);
        Assert.False(cart.CanCheckout);

        var accepted = await _carts.AcceptPricesAsync(_ana, Demo.Downtown);
        Assert.Null(accepted.Lines[0].PreviousPrice);
        Assert.True(accepted.CanCheckout);
    }

    [Fact]
    public async Task View_ALineThatSoldOutOrShrank_ShowsTheProblemAndBlocksCheckout()
    {
        await _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 5);
        await _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[1], 1);
        await _h.SetStockAsync(Demo.Downtown, _skus[0], 3);
        await _h.SetStockAsync(Demo.Downtown, _skus[1], 0);

        var cart = await _carts.ViewAsync(_ana, Demo.Downtown);
        Assert.Equal("Only 3 left; lower the quantity.", cart.Lines[0].Problem);
        Assert.StartsWith("Sold out", cart.Lines[1].Problem);
        Assert.False(cart.CanCheckout);
    }

    [Fact]
    public async Task Merge_AtSignIn_AddsTheBrowsersCartToTheAccountsAndRemovesIt()
    {
        var browser = CartOwner.Anonymous(Guid.NewGuid());
        await _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 1);
        await _carts.SetQuantityAsync(browser, Demo.Downtown, _skus[0], 2);
        await _carts.SetQuantityAsync(browser, Demo.Downtown, _skus[1], 1);
        await _carts.SetQuantityAsync(browser, Demo.Midtown, _skus[2], 4);

        await _carts.MergeAsync(browser.AnonymousId!.Value, _ana.UserId!);

        var downtown = await _carts.ViewAsync(_ana, Demo.Downtown);
        Assert.Equal([(_skus[0], 3), (_skus[1], 1)], downtown.Lines.Select(l => (l.SkuId, l.Quantity)));
        Assert.Equal(4, (await _carts.ViewAsync(_ana, Demo.Midtown)).ItemCount);
        Assert.True((await _carts.ViewAsync(browser, Demo.Downtown)).IsEmpty);
        await using var db = _h.Database.CreateContext();
        Assert.Equal(0, await db.Carts.CountAsync(c => c.AnonymousId != null));
    }

    [Fact]
    public async Task Carts_ArePerStore()
    {
        await _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 1);
        Assert.True((await _carts.ViewAsync(_ana, Demo.Midtown)).IsEmpty);
    }

    [Fact]
    public async Task OneShoppersTwoTabs_AddingTheSameNewSku_AtOnce_BothCount_AndNeitherFails()
    {
        await _carts.AddAsync(_ana, Demo.Downtown, _skus[1], 1); // the cart exists; the line for _skus[0] does not
        var meet = new ReadersMeet("FROM \"Carts\"");
        _h.Database.Interceptors.Add(meet);

        await Task.WhenAll(Task.Run(() => _carts.AddAsync(_ana, Demo.Downtown, _skus[0], 1)), Task.Run(() => _carts.AddAsync(_ana, Demo.Downtown, _skus[0], 2)));

        Assert.True(meet.Met, "both tabs read the cart before either wrote");
        Assert.Equal(3, (await _carts.ViewAsync(_ana, Demo.Downtown)).Lines.Single(l => l.SkuId == _skus[0]).Quantity);
    }

    [Fact]
    public async Task TwoAddsToALineAlreadyInTheCart_AtOnce_BothCount()
    {
        // The probe's lost update: both read 1, both wrote 2. The forced meeting makes the race happen every run.
        await _carts.AddAsync(_ana, Demo.Downtown, _skus[0], 1);
        var meet = new ReadersMeet("FROM \"Carts\"");
        _h.Database.Interceptors.Add(meet);

        await Task.WhenAll(Task.Run(() => _carts.AddAsync(_ana, Demo.Downtown, _skus[0], 1)), Task.Run(() => _carts.AddAsync(_ana, Demo.Downtown, _skus[0], 1)));

        Assert.True(meet.Met, "both adds read the line before either wrote");
        Assert.Equal(3, (await _carts.ViewAsync(_ana, Demo.Downtown)).Lines.Single(l => l.SkuId == _skus[0]).Quantity);
    }

    [Fact]
    public async Task OneShoppersTwoTabs_SettingAndRemovingALine_AtOnce_SettleWithoutAnError()
    {
        await _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 2);
        var meet = new ReadersMeet("FROM \"Carts\"");
        _h.Database.Interceptors.Add(meet);

        await Task.WhenAll(Task.Run(() => _carts.SetQuantityAsync(_ana, Demo.Downtown, _skus[0], 5)), Task.Run(() => _carts.RemoveAsync(_ana, Demo.Downtown, _skus[0])));

        Assert.True(meet.Met);
        var line = (await _carts.ViewAsync(_ana, Demo.Downtown)).Lines.SingleOrDefault(l => l.SkuId == _skus[0]);
        Assert.True(line is null || line.Quantity == 5, $"the last write wins: {line?.Quantity}");
    }

    [Fact]
    public async Task ANewShoppersTwoTabs_CreatingTheCart_AtOnce_EndWithOneCart()
    {
        var bo = CartOwner.User(await _h.CreateUserAsync("bo@example.com"));
        var meet = new ReadersMeet("FROM \"Carts\"");
        _h.Database.Interceptors.Add(meet);

        await Task.WhenAll(Task.Run(() => _carts.SetQuantityAsync(bo, Demo.Downtown, _skus[0], 1)), Task.Run(() => _carts.SetQuantityAsync(bo, Demo.Downtown, _skus[1], 1)));

        Assert.True(meet.Met);
        Assert.Equal(2, (await _carts.ViewAsync(bo, Demo.Downtown)).Lines.Count);
    }
}

public sealed class SqliteCartServiceTests() : CartServiceTests(DatabaseProvider.Sqlite);

public sealed class PostgresCartServiceTests() : CartServiceTests(DatabaseProvider.Postgres);
