using QCommerce.Core.Catalog;
using QCommerce.Core.Inventory;

namespace QCommerce.Tests.Catalog;

/// <summary>
/// Editing the catalog on each provider: products and SKUs with every bad field named (a wrong check digit, a barcode
/// another SKU has, no title, an inactive category), staff of some stores kept to reading, a deactivated product gone
/// from the storefront's lists and pages at once, the category tree's rules (no move into itself, no deactivating a
/// category with active products, no deleting one with products), audit rows with each change.
/// </summary>
public abstract class CatalogEditingTests(DatabaseProvider provider) : IAsyncLifetime
{
    private static readonly StaffActor Admin = TestStaff.Admin;
    private ServiceHarness _h = null!;
    private int _leaf;

    private ProductEditor Editor => _h.Get<ProductEditor>();
    private OpsProductQueries Products => _h.Get<OpsProductQueries>();
    private CategoryService Categories => _h.Get<CategoryService>();

    public async Task InitializeAsync()
    {
        _h = await ServiceHarness.CreateAsync(provider);
        await using var db = _h.Database.CreateContext();
        _leaf = await db.Categories.Where(c => !db.Categories.Any(x => x.ParentId == c.Id)).OrderBy(c => c.Id).Select(c => c.Id).FirstAsync();
    }

    public async Task DisposeAsync() => await _h.DisposeAsync();

    private static string Ean(string body12) => body12 + Barcodes.CheckDigit(body12);

    private ProductDraft Draft(string title = "Sourdough Loaf", string barcode = "", int? category = null, bool active = true) =>
        new(title, "Bread & Co", "Slow-fermented.", category ?? _leaf, active, false, [new ProductAttribute("Origin", "Brooklyn")],
            [new SkuDraft(barcode.Length > 0 ? barcode : Ean("400000" + Random.Shared.Next(100000, 999999)), SkuUnit.Gram, 800)]);

    private async Task<int> AuditAsync(string action)
    {
        await using var db = _h.Database.CreateContext();
        return await db.AuditLog.CountAsync(a => a.Action == action);
    }

    [Fact]
    public void Barcodes_CheckTheGs1CheckDigit()
    {
        Assert.Null(Barcodes.Problem("4006381333931"));
        Assert.Contains("check digit", Barcodes.Problem("4006381333932"));
        Assert.Null(Barcodes.Problem("036000291452"));
        Assert.NotNull(Barcodes.Problem("12345"));
        Assert.NotNull(Barcodes.Problem("40063813339a1"));
        Assert.NotNull(Barcodes.Problem("0000000000000"));
        Assert.Contains("0036000291452", Barcodes.Spellings("036000291452"));
    }

    [Fact]
    public async Task OneGtinInAnotherLength_IsTheSameBarcode()
    {
        var id = await Editor.CreateAsync(Admin, Draft("Cola", barcode: "036000291452"));
        var again = await Assert.ThrowsAsync<RequestRejectedException>(() => Editor.AddSkuAsync(Admin, id, new SkuDraft("0036000291452", SkuUnit.Litre, 2)));
        Assert.Contains("already belongs to", again.Errors["barcode"][0]);
    }

    [Fact]
    public async Task TheGridsCategoryFilter_HoldsItsSubcategories_AndACategoryUnderAnInactiveOneIsRefused()
    {
        var parent = await Categories.CreateAsync(Admin, "Cellar Q", null);
        var child = await Categories.CreateAsync(Admin, "Wines Q", parent);
        var grandchild = await Categories.CreateAsync(Admin, "Reds Q", child);
        var id = await Editor.CreateAsync(Admin, Draft("Rioja", category: grandchild));
        Assert.Contains((await Products.ListAsync(new OpsProductFilter(CategoryId: parent), 1, 50)).Items, r => r.Id == id);
        Assert.Contains((await Products.ListAsync(new OpsProductFilter("bread rioja"), 1, 50)).Items, r => r.Id == id); // brand and title, each word anywhere

        await Editor.UpdateAsync(Admin, id, Draft("Rioja", category: grandchild, active: false));
        await Categories.ChangeAsync(Admin, child, new CategoryChange(Active: false));
        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => Editor.UpdateAsync(Admin, id, Draft("Rioja", category: grandchild)));
        Assert.Contains("inside Wines Q, which is inactive", refused.Errors["categoryId"][0]);
    }

    [Fact]
    public async Task ANewProduct_WithAPriceAndStock_IsOnTheStorefront_AndDeactivatingItTakesItOffAtOnce()
    {
        var id = await Editor.CreateAsync(Admin, Draft("Seeded Rye"));
        var sku = (await Products.FindAsync(id))!.Skus[0].Id;
        await _h.Get<PriceService>().ScheduleAsync(Admin, new PriceInput(sku, "metro-north", "USD", 649, null, null));
        await _h.Get<StockAdjustmentService>().AdjustAsync(Admin, Demo.Downtown, new StockAdjustment(sku, StockAdjustmentKind.Received, 10, null));

        var catalog = _h.Get<CatalogQueries>();
        var shown = (await catalog.FindProductAsync(id, Demo.Downtown))!;
        Assert.Equal((649L, true), (shown.Skus[0].Price!.Value.MinorUnits, shown.Skus[0].Availability!.Value.InStock));
        Assert.Contains((await catalog.SearchAsync(new ProductQuery("seeded rye", StoreId: Demo.Downtown))).Items, c => c.ProductId == id);

        await Editor.UpdateAsync(Admin, id, Draft("Seeded Rye", active: false));
        Assert.Null(await catalog.FindProductAsync(id, Demo.Downtown));
        Assert.DoesNotContain((await catalog.SearchAsync(new ProductQuery(CategoryId: _leaf, StoreId: Demo.Downtown, PageSize: 100))).Items, c => c.ProductId == id);
        Assert.Equal((1, 1), (await AuditAsync(AuditActions.ProductCreate), await AuditAsync(AuditActions.ProductChange)));
    }

    [Fact]
    public async Task BadProducts_AreRefusedFieldByField_AndNothingIsWritten()
    {
        await using var db = _h.Database.CreateContext();
        var taken = await db.Skus.Select(s => s.Barcode).FirstAsync();
        var refused = await Assert.ThrowsAsync<RequestRejectedException>(() => Editor.CreateAsync(Admin,
            new ProductDraft("", null, new string('x', 5000), 987_654, true, false, [new ProductAttribute("", "v")],
                [new SkuDraft("4006381333932", SkuUnit.Gram, 0), new SkuDraft(taken, (SkuUnit)42, 1.2345m)])));

        Assert.Equal(["attributes[0].name", "brand", "categoryId", "description", "skus[0].barcode", "skus[0].size", "skus[1].barcode", "skus[1].size", "skus[1].unit", "title"],
            refused.Errors.Keys.Order(StringComparer.Ordinal));
        Assert.Contains("already belongs to", refused.Errors["skus[1].barcode"][0]);
        Assert.Equal(0, await AuditAsync(AuditActions.ProductCreate));
        await Assert.ThrowsAsync<RequestRejectedException>(() => Editor.CreateAsync(Admin, Draft() with { Skus = [] }));
    }

    [Fact]
    public async Task ASku_MayNotTakeABarcodeAnotherHas_AndStaffOfSomeStoresOnlyRead()
    {
        var id = await Editor.CreateAsync(Admin, Draft("Oat Milk"));
        var first = (await Products.FindAsync(id))!.Skus[0];
        var second = await Editor.AddSkuAsync(Admin, id, new SkuDraft(Ean("400000123450"), SkuUnit.Litre, 1));
        var clash = await Assert.ThrowsAsync<RequestRejectedException>(() => Editor.ChangeSkuAsync(Admin, second, new SkuDraft(first.Barcode, SkuUnit.Litre, 1)));
        Assert.Contains("barcode", clash.Errors.Keys);
        await Editor.ChangeSkuAsync(Admin, second, new SkuDraft(Ean("400000123451"), SkuUnit.Litre, 2));
        Assert.Equal("2 L", (await Products.FindAsync(id))!.Skus.Single(s => s.Id == second).SizeLabel);

        var scoped = TestStaff.ScopedTo(Demo.Downtown);
        await Assert.ThrowsAsync<AccessDeniedException>(() => Editor.CreateAsync(scoped, Draft()));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Editor.UpdateAsync(scoped, id, Draft()));
        await Assert.ThrowsAsync<AccessDeniedException>(() => Categories.CreateAsync(scoped, "Snacks", null));
        await Assert.ThrowsAsync<NotFoundException>(() => Editor.UpdateAsync(Admin, 987_654, Draft()));
    }

    [Fact]
    public async Task TheCategoryTree_IsEditedByItsRules_AndShoppersSeeOnlyActiveCategories()
    {
        var bakery = await Categories.CreateAsync(Admin, "Bakehouse Q", null);
        var bread = await Categories.CreateAsync(Admin, "Loaves Q", bakery);
        var cakes = await Categories.CreateAsync(Admin, "Gateaux Q", bakery);
        await Categories.ChangeAsync(Admin, cakes, new CategoryChange(SortOrder: 0));
        var tree = await Categories.TreeAsync();
        Assert.Equal(["Gateaux Q", "Loaves Q"], tree.Single(n => n.Id == bakery).Children.Select(c => c.Name));

        var into = await Assert.ThrowsAsync<RequestRejectedException>(() => Categories.ChangeAsync(Admin, bakery, new CategoryChange(ParentId: bread)));
        Assert.Contains("inside itself", into.Errors["parentId"][0]);
        await Categories.ChangeAsync(Admin, bread, new CategoryChange(Name: "Loaves R", ParentId: 0));
        Assert.Contains(await Categories.TreeAsync(), n => n.Name == "Loaves R" && n.ParentId is null);

        var product = await Editor.CreateAsync(Admin, Draft("Carrot Cake", category: cakes));
        var deactivate = await Assert.ThrowsAsync<RequestRejectedException>(() => Categories.ChangeAsync(Admin, cakes, new CategoryChange(Active: false)));
        Assert.Contains("1 active product", deactivate.Errors["active"][0]);
        await Assert.ThrowsAsync<ConflictException>(() => Categories.DeleteAsync(Admin, cakes));
        await Assert.ThrowsAsync<ConflictException>(() => Categories.DeleteAsync(Admin, bakery));
        var inactive = await Assert.ThrowsAsync<RequestRejectedException>(() => Categories.CreateAsync(Admin, "  ", null));
        Assert.Contains("name", inactive.Errors.Keys);

        await Editor.UpdateAsync(Admin, product, Draft("Carrot Cake", category: cakes, active: false));
        await Categories.ChangeAsync(Admin, cakes, new CategoryChange(Active: false));
        var shopperTree = _h.Get<CategoryTree>();
        Assert.Null(await shopperTree.FindAsync(cakes));
        Assert.NotNull(await shopperTree.FindAsync(bakery));
        var moveInto = await Assert.ThrowsAsync<RequestRejectedException>(() => Editor.UpdateAsync(Admin, product, Draft("Carrot Cake", category: cakes)));
        Assert.Contains("inactive", moveInto.Errors["categoryId"][0]);

        await Categories.DeleteAsync(Admin, (await Categories.TreeAsync()).Single(n => n.Name == "Loaves R").Id);
        Assert.DoesNotContain(CatalogPageTree(await Categories.TreeAsync()), n => n.Name == "Loaves R");
        Assert.True(await AuditAsync(AuditActions.CategoryChange) >= 3);
    }

    private static IEnumerable<OpsCategoryNode> CatalogPageTree(IEnumerable<OpsCategoryNode> nodes) => nodes.SelectMany(n => new[] { n }.Concat(CatalogPageTree(n.Children)));
}

public sealed class SqliteCatalogEditingTests() : CatalogEditingTests(DatabaseProvider.Sqlite);

public sealed class PostgresCatalogEditingTests() : CatalogEditingTests(DatabaseProvider.Postgres);
