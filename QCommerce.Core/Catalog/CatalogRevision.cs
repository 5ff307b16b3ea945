using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using System.Runtime.CompilerServices;

namespace QCommerce.Core.Catalog;

/// <summary>
/// The one row that says which catalog the database holds: every save that changes a product, SKU, category or price
/// gives it a new <see cref="Stamp"/> in the same transaction, so an instance knows its snapshot is out of date by
/// reading one row (<see cref="CatalogSnapshots"/>).
/// </summary>
public sealed class CatalogRevision
{
    public const int TheRow = 1;

    public int Id { get; private set; } = TheRow;
    public Guid Stamp { get; private set; }

    internal void Renew() => Stamp = Guid.NewGuid();
}

internal sealed class CatalogRevisionConfiguration : IEntityTypeConfiguration<CatalogRevision>
{
    public void Configure(EntityTypeBuilder<CatalogRevision> b)
    {
        b.Property(r => r.Id).ValueGeneratedNever();
        b.HasData(new { Id = CatalogRevision.TheRow, Stamp = Guid.Empty });
    }
}

/// <summary>Raised on this instance when a save that changed the catalog commits (this instance's snapshot then reloads at its next read).</summary>
public sealed class CatalogChangeSignal
{
    private long _count;

    public long Count => Interlocked.Read(ref _count);

    public void Raise() => Interlocked.Increment(ref _count);
}

/// <summary>
/// Stamps the <see cref="CatalogRevision"/> in every save that adds, changes or removes a product, SKU, picture,
/// category or price, whoever saves it (an ops page, an import, the demo seed), and once that save commits tells this
/// instance's <see cref="CatalogChangeSignal"/>. Without a signal it only stamps (a context made outside the app).
/// </summary>
public sealed class CatalogChangeInterceptor(CatalogChangeSignal? signal) : SaveChangesInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _stamped = new();

    public override InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return result;
    }

    public override ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Stamp(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public override ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public override void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is { } db) _stamped.Remove(db);
    }

    public override Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    private void Stamp(DbContext? db)
    {
        if (db is null || !ChangesCatalog(db)) return;
        var revision = db.ChangeTracker.Entries<CatalogRevision>().FirstOrDefault()?.Entity;
        if (revision is null)
        {
            revision = new CatalogRevision();
            db.Attach(revision);
        }
        revision.Renew();
        db.Entry(revision).Property(r => r.Stamp).IsModified = true;
        _stamped.AddOrUpdate(db, this);
    }

    private void Saved(DbContext? db)
    {
        if (db is null || !_stamped.TryGetValue(db, out _)) return;
        _stamped.Remove(db);
        if (signal is not null) Common.CommitHooks.AfterCommit(db, signal.Raise); // once durable: a reload before that would read the old catalog
    }

    private static bool ChangesCatalog(DbContext db)
    {
        foreach (var entry in db.ChangeTracker.Entries())
            if (entry.State is EntityState.Added or EntityState.Modified or EntityState.Deleted
                && entry.Entity is Product or Sku or Category or Price or ProductImage or ProductAttribute)
                return true;
        return false;
    }
}
