using QCommerce.Core.Data;

namespace QCommerce.Core.Catalog;

/// <summary>
/// A product's pictures as ops change them: add an upload (judged and re-encoded by <see cref="ProductPictures"/>), remove
/// one, choose the one product cards show. Catalog-wide staff only; each change has its audit row in its transaction.
/// </summary>
public sealed class ProductGallery(IDbContextFactory<QCommerceDbContext> contexts, IOptions<MediaOptions> media, TimeProvider clock,
    ILogger<ProductGallery> logger)
{
    /// <summary>
    /// Adds an uploaded picture after the product's others (see <see cref="ProductPictures"/> for what is accepted). Two
    /// uploads at once both land: the product's version makes the second save a conflict, and it is tried again on the
    /// product as the first left it.
    /// </summary>
    public async Task<string> AddImageAsync(StaffActor staff, int productId, byte[] upload, string? altText, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        if (TextRules.Problem(altText, 200, "A description of the picture") is { } altProblem) throw CategoryService.Rejected("altText", altProblem);
        await using (var check = await contexts.CreateDbContextAsync(ct))
            if (!await check.Products.AnyAsync(p => p.Id == productId, ct)) throw new NotFoundException("Product", PublicId.Format(PublicId.Product, productId));
        var picture = await ProductPictures.PrepareAsync(upload, productId, ct);
        var root = media.Value.FullRoot;
        var written = new List<string>();
        try
        {
            foreach (var (path, bytes) in picture.Files)
            {
                var full = Path.Combine(root, path);
                Directory.CreateDirectory(Path.GetDirectoryName(full)!);
                await File.WriteAllBytesAsync(full, bytes, ct);
                written.Add(full);
            }
            for (var attempt = 1; ; attempt++)
            {
                var now = clock.UtcNow();
                await using var db = await contexts.CreateDbContextAsync(ct);
                await using var tx = await db.Database.BeginTransactionAsync(ct);
                var product = await ProductRows.LoadAsync(db, productId, ct);
                if (product.Images.Count(i => !i.IsPlaceholder) >= Product.MaxImages)
                    throw CategoryService.Rejected("file", $"A product has at most {Product.MaxImages} pictures; remove one first.");
                product.AddImage(picture.Url, string.IsNullOrWhiteSpace(altText) ? $"{product.Brand} {product.Title}".Trim() : altText.Trim());
                product.Touch();
                Audit.Record(db, staff, AuditActions.ProductImageAdd, "product", product.PublicIdOf(), null, null,
                    new { url = picture.Url, bytes = upload.Length }, null, now);
                try
                {
                    await db.SaveChangesAsync(ct);
                    await tx.CommitAsync(ct);
                    logger.LogInformation("Picture {Url} added to {ProductId} by {StaffId} ({Bytes} bytes uploaded)", picture.Url, product.PublicIdOf(), staff.UserId, upload.Length);
                    return picture.Url;
                }
                catch (DbUpdateConcurrencyException) when (attempt < 5)
                {
                    // Another change of the product saved first: add ours to what it left.
                }
            }
        }
        catch
        {
            foreach (var file in written) File.Delete(file); // nothing refers to them
            throw;
        }
    }

    public async Task RemoveImageAsync(StaffActor staff, int productId, string url, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        var product = await ProductRows.LoadAsync(db, productId, ct);
        var removed = product.RemoveImage(url);
        product.Touch();
        Audit.Record(db, staff, AuditActions.ProductImageRemove, "product", product.PublicIdOf(), null, new { url = removed.Url }, null, null, now);
        await ProductRows.SaveOrConflictAsync(db, product, ct);
        await tx.CommitAsync(ct);
        if (!removed.IsPlaceholder && removed.Url.StartsWith(MediaOptions.UrlPrefix + "/products/", StringComparison.Ordinal))
            foreach (var file in new[] { removed.Url, ProductPictures.CardUrl(removed.Url) })
            {
                var full = Path.GetFullPath(Path.Combine(media.Value.FullRoot, file[(MediaOptions.UrlPrefix.Length + 1)..]));
                if (full.StartsWith(media.Value.FullRoot, StringComparison.Ordinal) && File.Exists(full)) File.Delete(full);
            }
    }

    public async Task MakeImageFirstAsync(StaffActor staff, int productId, string url, CancellationToken ct = default)
    {
        PriceService.RequireCatalogWide(staff);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var product = await ProductRows.LoadAsync(db, productId, ct);
        product.MakeImageFirst(url);
        product.Touch();
        Audit.Record(db, staff, AuditActions.ProductChange, "product", product.PublicIdOf(), null, null, new { firstPicture = url }, null, clock.UtcNow());
        await ProductRows.SaveOrConflictAsync(db, product, ct);
    }
}
