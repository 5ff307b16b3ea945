using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Catalog;

/// <summary>
/// One line of the catalog's change log: what a committed save touched, so an instance brings its snapshot up to date
/// by reloading those rows only (<see cref="CatalogSnapshots"/>). A product (its row, SKUs, pictures, attributes), one
/// SKU's price in one region, or a category (the tree is small and reloaded whole). A line may be repeated or name
/// something unchanged: reloading is idempotent, only a missing line would matter.
/// <para>
/// Lines are written by <see cref="CatalogChangeInterceptor"/> just before the transaction commits, after the save has
/// updated the <see cref="CatalogRevision"/> row. On PostgreSQL that row's lock is held until commit, so ids are taken
/// in commit order and a reader that has seen line n has seen every line before it; SQLite has one writer anyway.
/// </para>
/// </summary>
public sealed class CatalogChange
{
    public long Id { get; private set; }
    public int? ProductId { get; private set; }
    public int? SkuId { get; private set; }
    public int? RegionId { get; private set; }
    public int? CategoryId { get; private set; }
    public DateTime RecordedAtUtc { get; private set; }

    /// <summary>A line that names nothing: too much changed at once (an import) to say; read the catalog whole.</summary>
    public bool IsEverything => ProductId is null && SkuId is null && CategoryId is null;

    /// <summary>Lines older than this are deleted; an instance further behind rebuilds its snapshot whole.</summary>
    public static readonly TimeSpan KeptFor = TimeSpan.FromHours(6);
}

internal sealed class CatalogChangeConfiguration : IEntityTypeConfiguration<CatalogChange>
{
    public void Configure(EntityTypeBuilder<CatalogChange> b)
    {
        b.HasIndex(c => c.RecordedAtUtc);
        b.Ignore(c => c.IsEverything);
    }
}
