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
public sealed class CatalogChangeInterceptor(CatalogChangeSignal? signal, TimeProvider? clock = null) : ISaveChangesInterceptor, IDbTransactionInterceptor
{
    /// <summary>More lines than this from one transaction (an import) are written as one line that says "everything".</summary>
    internal const int MostLinesWritten = 2000;

    private readonly TimeProvider _clock = clock ?? TimeProvider.System;
    private readonly ConditionalWeakTable<DbContext, object> _stamped = new();
    private readonly ConditionalWeakTable<DbContext, object> _saving = new();
    // What the open transaction touched. Kept only while a transaction that stamped the revision row is open: a pooled
    // context must never carry lines into another transaction, which would write them without that row's lock (and so,
    // on PostgreSQL, out of commit order).
    private readonly ConditionalWeakTable<DbContext, List<Touched>> _touched = new();

    /// <summary>An entity a save touched; its ids are read at commit, when those the database gives are known.</summary>
    private readonly record struct Touched(object Entity, int? OwnerProductId);

    public InterceptionResult<int> SavingChanges(DbContextEventData eventData, InterceptionResult<int> result)
    {
        if (eventData.Context is { } db) _saving.AddOrUpdate(db, this);
        Stamp(eventData.Context);
        return result;
    }

    public ValueTask<InterceptionResult<int>> SavingChangesAsync(DbContextEventData eventData, InterceptionResult<int> result,
        CancellationToken cancellationToken = default)
    {
        if (eventData.Context is { } db) _saving.AddOrUpdate(db, this);
        Stamp(eventData.Context);
        return ValueTask.FromResult(result);
    }

    /// <summary>A transaction begun outside a save starts clean (one a save begins for itself carries what that save touched).</summary>
    public DbTransaction TransactionStarted(DbConnection connection, TransactionEndEventData eventData, DbTransaction result)
    {
        if (eventData.Context is { } db && !_saving.TryGetValue(db, out _)) _touched.Remove(db);
        return result;
    }

    public ValueTask<DbTransaction> TransactionStartedAsync(DbConnection connection, TransactionEndEventData eventData, DbTransaction result,
        CancellationToken cancellationToken = default) => ValueTask.FromResult(TransactionStarted(connection, eventData, result));

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

    public void SaveChangesFailed(DbContextErrorEventData eventData) => Abandoned(eventData.Context);

    public Task SaveChangesFailedAsync(DbContextErrorEventData eventData, CancellationToken cancellationToken = default)
    {
        Abandoned(eventData.Context);
        return Task.CompletedTask;
    }

    public void SaveChangesCanceled(DbContextEventData eventData) => Abandoned(eventData.Context);

    public Task SaveChangesCanceledAsync(DbContextEventData eventData, CancellationToken cancellationToken = default)
    {
        Abandoned(eventData.Context);
        return Task.CompletedTask;
    }

    /// <summary>
    /// A save that failed: with no transaction of the caller's, EF's own rolled back and nothing it touched was written.
    /// In the caller's transaction the lines stay: an earlier save in it may commit, and a line too many is harmless.
    /// </summary>
    private void Abandoned(DbContext? db)
    {
        if (db is null) return;
        _saving.Remove(db);
        _stamped.Remove(db);
        if (db.Database.CurrentTransaction is null) _touched.Remove(db);
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
        if (db is null) return;
        if (db.Database.CurrentTransaction is null) _touched.Remove(db); // a save on its own: nothing before it is pending
        if (!ChangesCatalog(db)) return;
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
        if (db is null) return;
        _saving.Remove(db);
        if (!_stamped.TryGetValue(db, out _)) return;
        _stamped.Remove(db);
        if (db.Database.CurrentTransaction is null && _touched.TryGetValue(db, out _))
        {
            // EF runs a save of two statements or more (the stamp and a change) in a transaction of its own, whose commit
            // wrote the lines. Were that ever not so, the lines are written now, and an instance that misses them
            // because they came out of order reads the catalog whole when it next finds the revision changed.
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
        var lines = touched.Select(t => Line(db, t)).Distinct().ToList();
        if (lines.Count == 0) return null;
        // An import's thousands of rows: one line that says "everything" (all empty), and readers read the catalog whole.
        if (lines.Count > MostLinesWritten) lines = [(null, null, null, null)];
        var command = db.Database.GetDbConnection().CreateCommand();
        command.Transaction = transaction;
        var values = new List<string>(lines.Count);
        var now = _clock.GetUtcNow().UtcDateTime;
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

    /// <summary>
    /// What a touched entity's line names. Ids are read from the change tracker, not the object: inside a save (EF's own
    /// transaction commits before the save ends) the ids the database gave are in the tracker, not yet on the object.
    /// </summary>
    private static (int? ProductId, int? SkuId, int? RegionId, int? CategoryId) Line(DbContext db, Touched touched)
    {
        int? Id(string property) => db.Entry(touched.Entity).Property(property).CurrentValue is int id && id > 0 ? id : null;
        return touched.Entity switch
        {
            Product => (Id(nameof(Product.Id)), null, null, null),
            Sku => (Id(nameof(Sku.ProductId)), Id(nameof(Sku.Id)), null, null),
            Price => (null, Id(nameof(Price.SkuId)), Id(nameof(Price.RegionId)), null),
            Category => (null, null, null, Id(nameof(Category.Id))),
            _ => (touched.OwnerProductId, null, null, null),
        };
    }

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
