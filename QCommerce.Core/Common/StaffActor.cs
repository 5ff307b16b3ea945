namespace QCommerce.Core.Common;

/// <summary>
/// A member of staff acting in the ops portal or through /v1/ops: who they are (for the audit log and the order's
/// timeline), what their role lets them do, and which stores they may see. <see cref="StoreIds"/> null means every store
/// (an admin, or QCommerce's own jobs); any other colleague sees their stores only, none when they have none; an order of
/// a store outside the set is, for them, an order that does not exist.
/// </summary>
public sealed record StaffActor(string UserId, string Email, bool IsAdmin, IReadOnlySet<int>? StoreIds, StaffRole? GivenRole = null)
{
    /// <summary>What they do on the floor; an admin is an admin, and a colleague given no role is Ops (as before roles were finer).</summary>
    public StaffRole Role => IsAdmin ? StaffRole.Admin : GivenRole ?? StaffRole.Ops;

    /// <summary>The fulfilment board and pick lists: pickers, Ops and admins.</summary>
    public bool CanFulfil => Role is not StaffRole.Support;

    /// <summary>Customers, orders, notes and refunds (Support up to a limit): Support, Ops and admins.</summary>
    public bool CanSupport => Role is not StaffRole.Picker;

    /// <summary>Running the store: catalog, prices, stock, imports, coupons, cash orders, cancelling; Ops and admins.</summary>
    public bool CanRunStores => Role is StaffRole.Ops or StaffRole.Admin;

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

/// <summary>A colleague's role on the floor, from the least to the most they may do (Identity's role names are in <c>Roles</c>).</summary>
public enum StaffRole
{
    Picker,
    Support,
    Ops,
    Admin,
}

/// <summary>
/// Which roles may take each audited action, checked once where every staff action is recorded (<see cref="Audit.Record"/>, and
/// before an order decides in <c>OrderWork</c>): a route or page that forgot its policy still cannot let a picker refund or
/// Support change a price. Ops and admins take every action their other checks allow (an admin's own, such as staff, are
/// checked where they are done).
/// </summary>
public static class StaffPermissions
{
    private static readonly HashSet<string> Picking = [AuditActions.PickStart, AuditActions.PickFinish, AuditActions.OrderDispatch, AuditActions.OrderDeliver];

    private static readonly HashSet<string> Supporting =
        [AuditActions.OrderNote, AuditActions.OrderRefund, AuditActions.CustomerSearch, AuditActions.CustomerView, AuditActions.CustomerNote, AuditActions.CustomerLock, AuditActions.CustomerUnlock];

    public static bool May(StaffActor staff, string action) => staff.Role switch
    {
        StaffRole.Picker => Picking.Contains(action),
        StaffRole.Support => Supporting.Contains(action),
        _ => true,
    };

    public static void Require(StaffActor staff, string action)
    {
        if (!May(staff, action))
            throw new AccessDeniedException($"A colleague in {staff.Role} may not do that ({action}); ask someone in Ops.");
    }
}
