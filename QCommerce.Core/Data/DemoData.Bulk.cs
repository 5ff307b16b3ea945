using System.Globalization;
using QCommerce.Core.Catalog;
using QCommerce.Core.Inventory;

namespace QCommerce.Core.Data;

public static partial class DemoData
{
    /// <summary>
    /// Pads the demo catalog with plain generated products until it holds <paramref name="products"/> (Database:DemoCatalogProducts;
    /// 0 leaves the 200 hand-written ones alone): one SKU each, priced in both regions, stocked in every store with its
    /// opening balance, spread over the leaf categories. For benchmarks and grids at a real catalog's size. Batches of
    /// 1,000 keep memory flat; a rerun adds only what is missing.
    /// </summary>
    public static async Task PadCatalogAsync(QCommerceDbContext db, int products, TimeProvider clock, ILogger logger, CancellationToken ct = default)
    {
        var have = await db.Products.CountAsync(ct);
        if (products <= have) return;
        var now = clock.UtcNow();
        var since = now.AddDays(-30);
        var leaves = await db.Categories.Where(c => c.IsActive && !db.Categories.Any(x => x.ParentId == c.Id)).OrderBy(c => c.Id).ToListAsync(ct);
        var regions = await db.Regions.AsNoTracking().OrderBy(r => r.Id).ToListAsync(ct);
        var stores = await db.Stores.AsNoTracking().Select(s => s.Id).ToListAsync(ct);
        var random = new Random(20261201 + have);
        string[] words = ["Organic", "Classic", "Family", "Fresh", "Crunchy", "Smooth", "Golden", "Wild", "Farmhouse", "Everyday", "Light", "Rich"];
        string[] things = ["Oats", "Crackers", "Pasta", "Salsa", "Granola", "Tea", "Beans", "Soup", "Cookies", "Rice", "Juice", "Yogurt", "Bread", "Honey"];
        // Only rows are added here, so detecting changes is wasted work; it is back on for whoever uses the context next
        // (the order history seeds on it and moves its orders along by changing them).
        db.ChangeTracker.AutoDetectChangesEnabled = false;
        try
        {
            await AddProductsAsync();
        }
        finally
        {
            db.ChangeTracker.AutoDetectChangesEnabled = true;
            db.ChangeTracker.Clear();
        }
        logger.LogInformation("Padded the demo catalog from {Had} to {Products} products", have, products);

        async Task AddProductsAsync()
        {
            for (var next = have + 1; next <= products; next += 1000)
            {
                var batch = new List<Product>();
                for (var n = next; n < next + 1000 && n <= products; n++)
                {
                    var title = string.Create(CultureInfo.InvariantCulture, $"{words[n % words.Length]} {things[(n / words.Length) % things.Length]} No. {n}");
                    var slug = Slugify($"catalog {title}");
                    var body = string.Create(CultureInfo.InvariantCulture, $"29{n:0000000000}");
                    var sku = new Sku($"{slug}-1", body + Barcodes.CheckDigit(body), SkuUnit.Piece, 1);
                    batch.Add(new Product(title, slug, $"{title}, from the long tail of the catalog.", "Longtail", leaves[n % leaves.Count], [sku], []));
                }
                db.Products.AddRange(batch);
                await db.SaveChangesAsync(ct);
                foreach (var product in batch)
                {
                    var sku = product.Skus[0];
                    var price = 99 + random.Next(0, 90) * 10;
                    foreach (var region in regions) db.Prices.Add(new Price(sku.Id, region.Id, new Money(region.Currency, price), since));
                    foreach (var store in stores)
                    {
                        var level = new StockLevel(store, sku.Id, random.Next(100) < 5 ? 0 : random.Next(6, 120), lowStockThreshold: 5);
                        level.MarkLowSince(since);
                        db.Stock.Add(level);
                        if (level.OnHand > 0)
                            db.StockMovements.Add(new StockMovement(store, sku.Id, StockMovementKind.OpeningBalance, level.OnHand, null, "system", "Opening balance", since));
                    }
                }
                await db.SaveChangesAsync(ct);
                db.ChangeTracker.Clear();
                db.Categories.AttachRange(leaves); // the next batch's products point at them, unchanged
            }
        }
    }
}
