using Microsoft.EntityFrameworkCore.Diagnostics;
using Microsoft.EntityFrameworkCore.Metadata.Builders;
using System.Data.Common;
using System.Runtime.CompilerServices;

namespace QCommerce.Core.Catalog;

/// <summary>
/// The one row every save that changes a product, SKU, category or price updates, in its transaction: on PostgreSQL
/// its row lock orders those transactions, so the <see cref="CatalogChange"/> lines each writes just before it commits
/// get their ids in commit order (an instance reading the log never skips a line committed late).
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
/// category or price, whoever saves it (an ops page, an import, the demo seed); writes what the transaction touched to
/// the <see cref="CatalogChange"/> log as it commits; and once it has committed tells this instance's
/// <see cref="CatalogChangeSignal"/>. Without a signal it only stamps and logs (a context made outside the app).
/// </summary>
public sealed class CatalogChangeInterceptor(CatalogChangeSignal? signal) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    private readonly ConditionalWeakTable<DbContext, object> _stamped = new();
    private readonly ConditionalWeakTable<DbContext, List<Touched>> _touched = new();

    /// <summary>An entity a save touched; its ids are read at commit, when those the database gives are known.</summary>
    private readonly record struct Touched(object Entity, int? OwnerProductId);

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        Stamp(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        Stamp(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public int SavedChanges(SaveChangesCompletedEventData eventData, int result)
    {
        Saved(eventData.Context);
        return result;
    }

    public ValueTask<int> SavedChangesAsync(SaveChangesCompletedEventData eventData, int result, CancellationToken cancellationToken = default)
    {
        Saved(eventData.Context);
        return ValueTask.FromResult(result);
    }

    public void SaveChangesFailed(DbContextErrorEventData eventData)
    {
        if (eventData.Context is { } db) _stamped.Remove(db);
    }

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        SaveChangesFailed(eventData);
        return Task.CompletedTask;
    }

    public InterceptionResult TransactionCommitting(DbTransaction transaction, TransactionEventData eventData, InterceptionResult result)
    {
        using var command = LogCommand(transaction, eventData.Context);
        command?.ExecuteNonQuery();
        return result;
    }

    public async ValueTask<InterceptionResult> TransactionCommittingAsync(DbTransaction transaction, TransactionEventData eventData,
        InterceptionResult result, CancellationToken cancellationToken = default)
    {
        await using var command = LogCommand(transaction, eventData.Context);
        if (command is not null) await command.ExecuteNonQueryAsync(cancellationToken);
        return result;
    }

    public void TransactionRolledBack(DbTransaction transaction, TransactionEndEventData eventData)
    {
        if (eventData.Context is { } db) _touched.Remove(db);
    }

    public Task TransactionRolledBackAsync(DbTransaction transaction, TransactionEndEventData eventData, CancellationToken cancellationToken = default)
    {
        TransactionRolledBack(transaction, eventData);
        return Task.CompletedTask;
    }

    private void Stamp(DbContext? db)
    {
        if (db is null || !ChangesCatalog(db)) return;
        var touched = _touched.GetOrCreateValue(db);
        foreach (var entry in db.ChangeTracker.Entries())
        {
            if (entry.State is not (EntityState.Added or EntityState.Modified or EntityState.Deleted)) continue;
            switch (entry.Entity)
            {
                case Product or Sku or Category or Price:
                    touched.Add(new Touched(entry.Entity, null));
                    break;
                case ProductImage or ProductAttribute:
                    // Kept in their product's JSON column: the product is what changed. Its id is known unless it is new
                    // too, and then the product itself is in this save.
                    var owner = entry.Metadata.FindOwnership()!.Properties[0];
                    if (entry.Property(owner.Name).CurrentValue is int productId && productId > 0) touched.Add(new Touched(entry.Entity, productId));
                    break;
            }
        }
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
        if (db.Database.CurrentTransaction is null && _touched.TryGetValue(db, out _))
        {
            // A save of one statement runs without a transaction; the stamp makes two, so this is a safety net only.
            using var command = LogCommand(null, db);
            if (command is not null)
            {
                db.Database.OpenConnection();
                try { command.ExecuteNonQuery(); } finally { db.Database.CloseConnection(); }
            }
        }
        if (signal is not null) Common.CommitHooks.AfterCommit(db, signal.Raise); // once durable: a reload before that would read the old catalog
    }

    /// <summary>The INSERT of the log lines for what this context's transaction touched, or null when it touched no catalog row.</summary>
    private DbCommand? LogCommand(DbTransaction? transaction, DbContext? db)
    {
        if (db is null || !_touched.TryGetValue(db, out var touched)) return null;
        _touched.Remove(db);
        var lines = touched.Select(Line).Distinct().ToList();
        if (lines.Count == 0) return null;
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        var values = new List<string>(lines.Count);
        var now = DateTime.UtcNow;
        for (var i = 0; i < lines.Count; i++)
        {
            values.Add($"(@p{i}, @s{i}, @r{i}, @c{i}, @t)");
            Add(command, $"@p{i}", lines[i].ProductId);
            Add(command, $"@s{i}", lines[i].SkuId);
            Add(command, $"@r{i}", lines[i].RegionId);
            Add(command, $"@c{i}", lines[i].CategoryId);
        }
        Add(command, "@t", now);
        command.CommandText = $"""INSERT INTO "CatalogChanges" ("ProductId", "SkuId", "RegionId", "CategoryId", "RecordedAtUtc") VALUES {string.Join(", ", values)}""";
        return command;
    }

    private static (int? ProductId, int? SkuId, int? RegionId, int? CategoryId) Line(Touched touched) => touched.Entity switch
    {
        Product p => (p.Id, null, null, null),
        Sku s => (s.ProductId, s.Id, null, null),
        Price p => (null, p.SkuId, p.RegionId, null),
        Category c => (null, null, null, c.Id),
        _ => (touched.OwnerProductId, null, null, null),
    };

    private static void Add(DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
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
