using QCommerce.Core.Catalog;

namespace QCommerce.Tests.Support;

/// <summary>Many plain products (one SKU each, no price, no stock) for tests of imports and grids at the catalog's real size.</summary>
public static class BulkCatalog
{
    public static async Task<int[]> AddSkusAsync(TestDatabase database, int count, string prefix = "bulk")
    {
        await using var db = database.CreateContext();
        var category = await db.Categories.OrderBy(c => c.Id).FirstAsync();
        var products = Enumerable.Range(1, count).Select(i => new Product($"Bulk item {i}", $"{prefix}-item-{i}", "A product made for a test.", "Testbrand",
            category, [new Sku($"{prefix}-item-{i}-1", $"99{i:00000000000}", SkuUnit.Piece, 1)], [])).ToList();
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        db.Products.AddRange(products);
        await db.SaveChangesAsync();
        return products.Select(p => p.Skus[0].Id).ToArray();
    }
}
