using QCommerce.Core.Cart;
using QCommerce.Web.Cart;

namespace QCommerce.Tests.Cart;

/// <summary>The "Add" notice is chosen from CartService's own refusals: these pin the pairing.</summary>
public sealed class ShopperCartTests : IAsyncLifetime
{
    private ServiceHarness _h = null!;
    private CartService _carts = null!;
    private CartOwner _owner;
    private int _sku;

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(DatabaseProvider.Sqlite);
        _carts = _h.Get<CartService>();
        _owner = CartOwner.Anonymous(Guid.NewGuid());
        _sku = (await Demo.SkusAsync(_h.Database, 1))[0];
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private async Task<string> NoticeWhenAddingAsync(int qty)
    {
        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => _carts.AddAsync(_owner, Demo.Downtown, _sku, qty));
        return ShopperCart.NoticeFor(refused);
    }

    [Fact]
    public async Task NoticeFor_ASoldOutSku_IsSoldOut()
    {
        await _h.SetStockAsync(Demo.Downtown, _sku, 0);
        Assert.Equal("soldout", await NoticeWhenAddingAsync(1));
    }

    [Fact]
    public async Task NoticeFor_MoreThanIsLeft_IsLimit()
    {
        await _h.SetStockAsync(Demo.Downtown, _sku, 2);
        await _carts.AddAsync(_owner, Demo.Downtown, _sku, 2);
        Assert.Equal("limit", await NoticeWhenAddingAsync(1));
    }

    [Fact]
    public async Task NoticeFor_ASkuTheStoreDoesNotCarry_IsUnavailable()
    {
        await using (var db = _h.Database.CreateContext())
        {
            db.Stock.RemoveRange(db.Stock.Where(s => s.StoreId == Demo.Downtown && s.SkuId == _sku));
            await db.SaveChangesAsync();
        }
        Assert.Equal("unavailable", await NoticeWhenAddingAsync(1));
    }

    [Fact]
    public async Task NoticeFor_MoreThanALineHolds_IsTooMany()
    {
        await _h.SetStockAsync(Demo.Downtown, _sku, 500);
        await _carts.AddAsync(_owner, Demo.Downtown, _sku, 99);
        Assert.Equal("toomany", await NoticeWhenAddingAsync(1));
    }

    [Fact]
    public async Task NoticeFor_IsChosenByTheReason_NotByTheWording()
    {
        var reworded = new RequestRejectedException(new Dictionary<string, string[]> { ["qty"] = ["Ausverkauft."] }, CartRefusal.SoldOut);
        Assert.Equal("soldout", ShopperCart.NoticeFor(reworded));
    }
}
