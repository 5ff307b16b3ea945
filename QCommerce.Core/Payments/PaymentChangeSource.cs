namespace QCommerce.Core.Payments;

/// <summary>Payments other instances wrote lately, for this instance's live pages (an index on UpdatedAtUtc keeps it one seek).</summary>
internal sealed class PaymentChangeSource : IChangeSource
{
    public IReadOnlyCollection<string> Topics { get; } = ["payment", "order"];

    public async Task<IReadOnlyList<ChangedRow>> ChangedSinceAsync(DbContext db, DateTime sinceUtc, CancellationToken ct) =>
        (await db.Set<Payment>().AsNoTracking().IgnoreAutoIncludes().Where(p => p.UpdatedAtUtc >= sinceUtc)
            .Select(p => new { p.Id, p.OrderId, p.Version }).ToListAsync(ct))
        .Select(p => new ChangedRow("Payments", p.Id, p.Version, [new Change("payment", p.Id), new Change("order", p.OrderId)]))
        .ToList();
}
