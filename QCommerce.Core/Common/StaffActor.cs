namespace QCommerce.Core.Common;

/// <summary>
/// A member of staff acting in the ops portal or through /v1/ops: who they are (for the audit log and the order's
/// timeline) and which stores they may see. <see cref="StoreIds"/> null means every store (an admin, or staff with
/// no stores assigned who are not limited); an order of a store outside the set is, for them, an order that does not exist.
/// </summary>
public sealed record StaffActor(string UserId, string Email, bool IsAdmin, IReadOnlySet<int>? StoreIds)
{
    /// <summary>What the order's timeline shows for them.</summary>
    public string Label => $"ops:{Email}";

    public bool CanSee(int storeId) => StoreIds is null || StoreIds.Contains(storeId);

    /// <summary>The background jobs' own identity, for actions no person took (seeded history, automatic refunds).</summary>
    public static StaffActor System { get; } = new("system", "system", true, null);
}
