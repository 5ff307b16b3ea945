namespace QCommerce.Core.Ordering;

/// <summary>
/// What a decision of the order asks of the world around it. The aggregate decides and records its effects; the unit of
/// work that called it (<see cref="OrderWork"/>) carries them out in the same transaction, after the order's own row is
/// saved under its version: so a racing second writer loses before any stock, slot or money moves.
/// </summary>
public abstract record OrderEffect;

/// <summary>Units held for the order go back to the shelf (it was cancelled or expired before the money or the store said yes).</summary>
public sealed record ReleaseHeldStock(IReadOnlyDictionary<int, int> UnitsBySku) : OrderEffect;

/// <summary>Held units leave the shelf for the order: the money is taken, or the store confirmed a cash order.</summary>
public sealed record CommitStock(IReadOnlyDictionary<int, int> UnitsBySku) : OrderEffect;

/// <summary>Units that had left the shelf come back to it (refunded before the pick, cancelled, or refunded with "restock").</summary>
public sealed record RestockUnits(IReadOnlyDictionary<int, int> UnitsBySku) : OrderEffect;

/// <summary>Units not found when picking, for the stock ledger's record (on hand had already left them out).</summary>
public sealed record RecordShortPick(IReadOnlyDictionary<int, int> UnitsBySku) : OrderEffect;

/// <summary>The order no longer needs its delivery slot nor its use of a coupon.</summary>
public sealed record ReleaseSlotAndCoupon : OrderEffect;

/// <summary>
/// Money the order's account owes the shopper, promised now under <paramref name="Key"/> (the PSP's idempotency key and
/// what a repeated request finds) and asked of the PSP once the promise commits.
/// </summary>
public sealed record RefundDue(Guid Key, long AmountMinor, string Reason) : OrderEffect;

/// <summary>What the pick asks of the money held: take this much under this key (the PSP's idempotency key); the rest is released.</summary>
public sealed record CaptureDue(Guid Key, long AmountMinor) : OrderEffect;

/// <summary>A hold the order no longer wants (it came after a cancellation, or for another amount) is released at the PSP.</summary>
public sealed record ReleaseHoldDue(string Reason) : OrderEffect;

/// <summary>Something in the order's money a person must look at (a refund made at the PSP that we never asked for).</summary>
public sealed record MoneyToReview(string Note) : OrderEffect;
