namespace QCommerce.Core.Ordering;

/// <summary>Orders other instances wrote lately, for this instance's live pages (an index on UpdatedAtUtc keeps it one seek).</summary>
internal sealed class OrderChangeSource : IChangeSource
{
    public IReadOnlyCollection<string> Topics { get; } = ["order", "store"];

    public async Task<IReadOnlyList<ChangedRow>> ChangedSinceAsync(DbContext db, DateTime sinceUtc, CancellationToken ct) =>
        (await db.Set<Order>().AsNoTracking().IgnoreAutoIncludes().Where(o => o.UpdatedAtUtc >= sinceUtc)
            .Select(o => new { o.Id, o.StoreId, o.Version }).ToListAsync(ct))
        .Select(o => new ChangedRow("Orders", o.Id, o.Version, [new Change("order", o.Id), new Change("store", o.StoreId)]))
        .ToList();
}
