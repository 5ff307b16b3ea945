using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>What the catalog's use cases share about a product's row: loading it to change it, saving it under its version, its public id.</summary>
internal static class ProductRows
{
    public static string PublicIdOf(this Product product) => PublicId.Format(PublicId.Product, product.Id);

    public static async Task<Product> LoadAsync(QCommerceDbContext db, int productId, CancellationToken ct) =>
        await db.Products.Include(p => p.Skus).Include(p => p.Category).FirstOrDefaultAsync(p => p.Id == productId, ct)
        ?? throw new NotFoundException("Product", PublicId.Format(PublicId.Product, productId));

    public static async Task SaveOrConflictAsync(QCommerceDbContext db, Product product, CancellationToken ct)
    {
        try
        {
            await db.SaveChangesAsync(ct);
        }
        catch (DbUpdateConcurrencyException)
        {
            throw new ConflictException($"{product.Title} was changed by someone else at the same moment; reload it to see their change, then make yours again.");
        }
    }
}
