namespace QCommerce.Core.Common;

/// <summary>
/// The application's one database as Common's building blocks (the outbox, idempotency) see it: a context that
/// maps their tables, whatever else it maps. Data provides it, so Common needs to know nothing of Data or of any feature.
/// </summary>
public interface IDatabaseContexts
{
    Task<DbContext> CreateAsync(CancellationToken ct);
}
