namespace QCommerce.Core.Common;

/// <summary>
/// A member of staff acting in the ops portal or through /v1/ops: who they are (for the audit log and the order's
/// timeline) and which stores they may see. <see cref="StoreIds"/> null means every store (an admin, or QCommerce's own
/// jobs); an Ops colleague sees their stores only, none when they have none; an order of a store outside the set is, for
/// them, an order that does not exist.
/// </summary>
public sealed record StaffActor(string UserId, string Email, bool IsAdmin, IReadOnlySet<int>? StoreIds)
{
    /// <summary>What a colleague's label starts with, so staff actions can be told from a shopper's or the system's.</summary>
    public const string LabelPrefix = "ops:";

    /// <summary>What the order's timeline, the stock ledger and the audit log record for them.</summary>
    public string Label => LabelPrefix + Email;

    /// <summary>A recorded actor as colleagues read it: a colleague's email without the prefix; "shopper" or "system" as they are.</summary>
    public static string Display(string actor) => actor.StartsWith(LabelPrefix, StringComparison.Ordinal) ? actor[LabelPrefix.Length..] : actor;

    public bool CanSee(int storeId) => StoreIds is null || StoreIds.Contains(storeId);

    /// <summary>The background jobs' own identity, for actions no person took (seeded history, automatic refunds).</summary>
    public static StaffActor System { get; } = new("system", "system", true, null);
}
