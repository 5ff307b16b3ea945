using QCommerce.Core.Stores;

namespace QCommerce.Core.Ordering;

/// <summary>
/// An "as soon as possible" promise: by when, and in how many minutes from now. <see cref="OpensAtUtc"/> is set when the
/// store is closed now and starts on the order when it opens.
/// </summary>
public sealed record AsapPromise(DateTime ByUtc, int Minutes, DateTime? OpensAtUtc);

/// <summary>
/// The one place the ASAP promise is worked out: the store's base time, plus a few minutes per order already waiting there,
/// from its opening if it is closed. The header's "27 min", the home page, the store picker, checkout and the order placed
/// all read it here, so they agree.
/// </summary>
public sealed class DeliveryPromises(StoreDirectory stores, AsapBacklog backlog, TimeProvider clock, IOptions<OrderingOptions> options)
{
    public async Task<AsapPromise> AsapAsync(int storeId, CancellationToken ct = default) =>
        await AsapAsync(await stores.GetAsync(storeId, ct), ct);

    public async Task<AsapPromise> AsapAsync(StoreSummary store, CancellationToken ct = default)
    {
        var now = clock.GetUtcNow();
        var queued = await backlog.QueuedAsync(store.Id, ct);
        // A closed store starts on the order when it opens (looked for in half hours, a day ahead at most).
        var start = now;
        for (var i = 0; i < 48 && !store.Hours.IsOpenAt(start); i++) start = start.AddMinutes(30);
        var by = start + TimeSpan.FromMinutes(store.EtaMinutes + queued * options.Value.MinutesPerQueuedOrder);
        return new AsapPromise(by.UtcDateTime, (int)Math.Ceiling((by - now).TotalMinutes), start > now ? start.UtcDateTime : null);
    }
}
