using System.Globalization;
using System.Text;
using QCommerce.Core.Catalog;
using QCommerce.Core.Inventory;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Data;

/// <summary>
/// The demo catalog an empty database starts with: two pricing regions, three dark stores, a category
/// tree and 200 grocery products with prices and stock (some running low, some sold out). It is
/// deterministic (a fixed random seed), so tests and screenshots see the same shop every time.
/// </summary>
public static partial class DemoData
{
    public const string NorthRegion = "metro-north";
    public const string SouthRegion = "metro-south";

    public static async Task SeedAsync(QCommerceDbContext db, TimeProvider clock, ILogger logger, CancellationToken ct = default)
    {
        await SeedCatalogAsync(db, clock, logger, ct);
        await SeedCouponsAsync(db, clock, logger, ct);
    }

    /// <summary>Coupons that show each rule: a welcome code, an amount off, a regional one and an expired one.</summary>
    private static async Task SeedCouponsAsync(QCommerceDbContext db, TimeProvider clock, ILogger logger, CancellationToken ct)
    {
        if (await db.Coupons.AnyAsync(ct)) return;
        var now = clock.UtcNow();
        var south = await db.Regions.SingleAsync(r => r.Code == SouthRegion, ct);
        db.Coupons.AddRange(
            Coupon.PercentOffCoupon("WELCOME10", 10, new Money("USD", 2000), now.AddDays(-30), perCustomerLimit: 1),
            Coupon.AmountOffCoupon("SAVE5", new Money("USD", 500), new Money("USD", 4000), now.AddDays(-30)),
            Coupon.PercentOffCoupon("BROOKLYN15", 15, new Money("USD", 3000), now.AddDays(-30), regionId: south.Id),
            Coupon.PercentOffCoupon("SPRING20", 20, new Money("USD", 0), now.AddDays(-120), now.AddDays(-60)));
        await db.SaveChangesAsync(ct);
        logger.LogInformation("Seeded demo coupons: WELCOME10, SAVE5, BROOKLYN15 (Metro South) and the expired SPRING20");
    }

    private static async Task SeedCatalogAsync(QCommerceDbContext db, TimeProvider clock, ILogger logger, CancellationToken ct)
    {
        // Stores are the last thing a half-finished seed would lack, and the seed is one transaction anyway.
        if (await db.Stores.AnyAsync(ct)) return;

        var now = clock.UtcNow();
        var random = new Random(20261127);

        var north = new Region(NorthRegion, "Metro North", "USD");
        var south = new Region(SouthRegion, "Metro South", "USD");
        db.Regions.AddRange(north, south);

        var daily = new OpeningHours(new TimeOnly(7, 0), new TimeOnly(23, 0), "America/New_York");
        var stores = new[]
        {
            new DarkStore("Downtown", north, new StoreAddress("12 Mercer Street", "New York", "10013"),
                ["10001", "10002", "10003", "10011", "10012", "10013", "10014"], 299, 3500, daily, 15),
            new DarkStore("Midtown", north, new StoreAddress("401 W 42nd Street", "New York", "10036"),
                ["10001", "10016", "10017", "10018", "10019", "10036"], 299, 3500,
                new OpeningHours(new TimeOnly(0, 0), new TimeOnly(0, 0), "America/New_York"), 12),
            new DarkStore("Brooklyn Heights", south, new StoreAddress("88 Court Street", "Brooklyn", "11201"),
                ["11201", "11205", "11211", "11215", "11217", "11231"], 199, 2500, daily, 20),
        };
        db.Stores.AddRange(stores);

        var categories = new Dictionary<string, Category>();
        var sort = 0;
        foreach (var (slug, name, parent, _, _) in Categories)
            categories[slug] = new Category(name, slug, sort++, parent is null ? null : categories[parent]);
        db.Categories.AddRange(categories.Values);

        var products = new List<(Product Product, long[] NorthPrices)>();
        foreach (var (slug, _, _, categoryEmoji, lines) in Categories)
        {
            foreach (var line in lines.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
            {
                var parts = line.Split('|');
                var (emoji, brand, title, variants) = (parts[0], parts[1], parts[2], parts[3]);
                var category = categories[slug];
                var productSlug = Slugify($"{brand} {title}");
                var skus = new List<Sku>();
                var prices = new List<long>();
                foreach (var (variant, index) in variants.Split(';', StringSplitOptions.TrimEntries).Select((v, i) => (v, i)))
                {
                    var bits = variant.Split(' ');
                    var size = decimal.Parse(bits[0], CultureInfo.InvariantCulture);
                    var unit = Enum.Parse<SkuUnit>(bits[1]);
                    skus.Add(new Sku($"{productSlug}-{index + 1}", Barcode(random), unit, size));
                    prices.Add(long.Parse(bits[2], CultureInfo.InvariantCulture));
                }
                var image = new ProductImage($"/images/products/{productSlug}.svg?e={Uri.EscapeDataString(emoji.Length > 0 ? emoji : categoryEmoji)}",
                    $"{brand} {title}", 0);
                var product = new Product(title, productSlug, Describe(brand, title, category.Name), brand, category, skus, [image],
                    Attributes(category.Slug, category.Parent?.Slug, random));
                products.Add((product, prices.ToArray()));
            }
        }
        // A product from every tenth line is featured on the home page.
        foreach (var (product, _) in products.Where((_, i) => i % 10 == 3)) product.Feature();
        db.Products.AddRange(products.Select(p => p.Product));

        await using var tx = await db.Database.BeginTransactionAsync(ct);
        await db.SaveChangesAsync(ct);

        var since = now.AddDays(-30);
        // Each category has its aisle and each product its bay, in the order they were listed; a SKU's shelf is its size.
        var aisles = new Dictionary<int, int>();
        var bays = new Dictionary<int, int>();
        foreach (var (product, northPrices) in products)
        {
            var aisle = aisles.TryGetValue(product.CategoryId, out var a) ? a : aisles[product.CategoryId] = aisles.Count + 1;
            var bay = bays[product.CategoryId] = bays.GetValueOrDefault(product.CategoryId) + 1;
            for (var i = 0; i < product.Skus.Count; i++)
            {
                var sku = product.Skus[i];
                db.Prices.Add(new Price(sku.Id, north.Id, new Money("USD", northPrices[i]), since));
                db.Prices.Add(new Price(sku.Id, south.Id, new Money("USD", PriceFor(south, northPrices[i])), since));
                foreach (var store in stores)
                {
                    var stock = new StockLevel(store.Id, sku.Id, StockFor(random), lowStockThreshold: 5);
                    stock.PlaceAt(string.Create(CultureInfo.InvariantCulture, $"{(char)('A' + (aisle - 1) % 26)}{bay:00}-{i + 1}"));
                    stock.MarkLowSince(since);
                    db.Stock.Add(stock);
                    // The ledger starts with what the shelf holds, so its movements sum to on hand from the first day.
                    if (stock.OnHand > 0)
                        db.StockMovements.Add(new StockMovement(store.Id, sku.Id, StockMovementKind.OpeningBalance, stock.OnHand, null, "system", "Opening balance", since));
                }
            }
        }
        await db.SaveChangesAsync(ct);
        await tx.CommitAsync(ct);
        logger.LogInformation("Seeded demo data: {Stores} stores, {Categories} categories, {Products} products",
            stores.Length, categories.Count, products.Count);
    }

    /// <summary>Metro South sells about 6% cheaper, still ending in 9 as shelf prices do.</summary>
    internal static long PriceFor(Region region, long northPrice) =>
        region.Code == SouthRegion ? Math.Max(49, (northPrice * 94 / 100) / 10 * 10 + 9) : northPrice;

    /// <summary>Most shelves are well stocked; about one in twelve runs low and one in twenty is sold out.</summary>
    private static int StockFor(Random random) => random.Next(100) switch
    {
        < 5 => 0,
        < 13 => random.Next(1, 5),
        _ => random.Next(12, 150),
    };

    private static string Barcode(Random random)
    {
        var digits = new int[13];
        for (var i = 0; i < 12; i++) digits[i] = i == 0 ? 0 : random.Next(10);
        var sum = digits.Take(12).Select((d, i) => i % 2 == 0 ? d : d * 3).Sum();
        digits[12] = (10 - sum % 10) % 10; // EAN-13 check digit
        return string.Concat(digits);
    }

    private static string Describe(string brand, string title, string category) =>
        $"{title} from {brand}. Picked fresh from our {category.ToLowerInvariant()} shelves and delivered to your door in minutes. " +
        "Store as directed on the pack; check the label for ingredients and allergens.";

    private static IEnumerable<ProductAttribute> Attributes(string category, string? parent, Random random)
    {
        string[] origins = ["USA", "Mexico", "Spain", "Italy", "Canada", "New Zealand", "Peru"];
        if (parent == "fruit-vegetables" || category is "meat-fish")
            yield return new ProductAttribute("Origin", origins[random.Next(origins.Length)]);
        yield return new ProductAttribute("Storage", category switch
        {
            "dairy-eggs" or "meat-fish" => "Keep refrigerated (0–4 °C)",
            "frozen" => "Keep frozen (−18 °C)",
            "fruit" or "vegetables" => "Store in a cool, dry place",
            _ => "Store at room temperature",
        });
        if (random.Next(4) == 0) yield return new ProductAttribute("Dietary", "Vegetarian");
    }

    internal static string Slugify(string text) => Slugs.From(text, 200);
}
