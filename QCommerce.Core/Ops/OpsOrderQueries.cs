using System.Globalization;
using QCommerce.Core.Data;
using QCommerce.Core.Fulfillment;
using QCommerce.Core.Ordering;
using QCommerce.Core.Payments;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Ops;

/// <summary>What the orders grid and <c>GET /v1/ops/orders</c> filter by; every field optional.</summary>
public sealed record OpsOrderFilter(
    OrderStatus? Status = null, int? StoreId = null, DateTime? FromUtc = null, DateTime? ToUtc = null, PaymentMethod? Method = null,
    string? CustomerEmail = null, int? OrderId = null);

public sealed record OpsOrderRow(int OrderId, OrderStatus Status, int StoreId, string StoreName, DateTime PlacedAtUtc, Money Total, string CustomerEmail,
    PaymentMethod PaymentMethod, int Items, DateTime PromisedByUtc)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);
}

/// <summary>A page of the grid and the cursor of the next (null on the last page). No total count: it would scan.</summary>
public sealed record OpsOrderPage(IReadOnlyList<OpsOrderRow> Items, string? NextCursor);

/// <summary>A line for staff: ordered, short at the pick, refunded (of those, <see cref="Removed"/> before the pick: not to be picked).</summary>
public sealed record OpsOrderLine(int LineId, int SkuId, string Title, string SizeLabel, string? ImageUrl, Money UnitPrice, int Ordered, int Short, int Refunded,
    Money LineTotal, string? Barcode, string? ShelfLocation, int Removed = 0)
{
    /// <summary>Units the picker looks for: ordered, less those refunded before the pick.</summary>
    public int ToPick => Ordered - Removed;

    /// <summary>Units the shopper keeps: neither short nor refunded.</summary>
    public int Kept => Ordered - Short - Refunded;
}

/// <summary>
/// The order's money account as staff read it: captured, back with the shopper, promised back and not yet settled, goodwill
/// given, what can still be refunded, and why a person should look (a refund made at the PSP that we never asked for).
/// </summary>
public sealed record OpsOrderMoney(Money Captured, Money Refunded, Money Pending, Money Goodwill, Money Refundable, string? ReviewNote)
{
    /// <summary>What the card held at checkout (zero: the money was taken at once, or not yet held), where that hold stands, and what went back to the card uncharged.</summary>
    public Money Held { get; init; } = new(Captured.Currency, 0);
    public CardHold Hold { get; init; }
    public Money Charging { get; init; } = new(Captured.Currency, 0);
    public Money Released { get; init; } = new(Captured.Currency, 0);
}

public sealed record OpsTimelineEntry(DateTime AtUtc, string Actor, OrderStatus? From, OrderStatus To, string? Text, bool StaffOnly);

public sealed record OpsPspEvent(string EventId, string Type, PspEventOutcome Outcome, DateTime PspCreatedAtUtc, DateTime ReceivedAtUtc);

/// <summary>Everything ops needs to judge and act on one order.</summary>
public sealed record OpsOrderDetail(
    int OrderId, OrderStatus Status, int StoreId, string StoreName, PaymentMethod PaymentMethod, string CustomerEmail, string CustomerName,
    DeliveryAddress Address, DeliveryPromise Delivery, IReadOnlyList<OpsOrderLine> Lines, Promotions.PriceBreakdown Price, string? CouponCode,
    ReservationStatus Reservation, DateTime ReservationExpiresAtUtc, DateTime PlacedAtUtc, DateTime UpdatedAtUtc,
    IReadOnlyList<OpsTimelineEntry> Timeline, PaymentView? Payment, IReadOnlyList<OpsPspEvent> PspEvents, OrderFulfillment? Fulfillment,
    IReadOnlyList<OpsAction> Actions, OpsOrderMoney Account)
{
    public string PublicId => Common.PublicId.Format(Common.PublicId.Order, OrderId);

    /// <summary>Money that can still go back: the order's account says (captured less refunded and promised).</summary>
    public Money Refundable => Account.Refundable;
}

/// <summary>The actions an order's state allows, so the portal offers exactly those (the use cases still check).</summary>
public enum OpsAction
{
    ConfirmCash,
    RejectCash,
    StartPicking,
    FinishPicking,
    Dispatch,
    Deliver,
    Cancel,
    Refund,
    AddNote,
}

/// <summary>
/// The ops portal's reading of orders, always within the staff member's stores. The grid pages by keyset on the order id
/// (newest first): each page is an index seek of <c>pageSize + 1</c> rows whatever the table's size, on the indexes
/// <c>(Status, Id)</c>, <c>(StoreId, Id)</c>, <c>(CreatedAtUtc)</c> and <c>(UserId, CreatedAtUtc)</c>.
/// </summary>
public sealed class OpsOrderQueries(IDbContextFactory<QCommerceDbContext> contexts, StoreDirectory stores)
{
    public const int MaxPageSize = 200;

    public async Task<OpsOrderPage> ListAsync(StaffActor staff, OpsOrderFilter filter, string? cursor, int pageSize, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var after = ParseCursor(cursor);
        var names = (await stores.ListAsync(ct)).ToDictionary(s => s.Id, s => s.Name);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var query = Filtered(db, staff, filter);
        if (filter.CustomerEmail is { Length: > 0 } email)
        {
            var normalized = TextRules.Searchable(email).Trim().ToUpperInvariant();
            var users = await db.Users.AsNoTracking().Where(u => u.NormalizedEmail == normalized).Select(u => u.Id).ToListAsync(ct);
            query = query.Where(o => users.Contains(o.UserId));
        }
        if (after is { } last) query = query.Where(o => o.Id < last);
        var rows = await query.OrderByDescending(o => o.Id).Take(pageSize + 1)
            .Select(o => new
            {
                o.Id, o.Status, o.StoreId, o.CreatedAtUtc, o.Currency, o.TotalMinor, o.PaymentMethod, o.DeliveryByUtc,
                Items = o.Lines.Sum(l => l.Quantity - l.ShortQuantity),
                Email = db.Users.Where(u => u.Id == o.UserId).Select(u => u.Email).FirstOrDefault(),
            })
            .ToListAsync(ct);
        var items = rows.Take(pageSize).Select(o => new OpsOrderRow(o.Id, o.Status, o.StoreId, names.GetValueOrDefault(o.StoreId, "?"), o.CreatedAtUtc,
            new Money(o.Currency, o.TotalMinor), o.Email ?? "", o.PaymentMethod, o.Items, o.DeliveryByUtc)).ToList();
        return new OpsOrderPage(items, rows.Count > pageSize ? items[^1].OrderId.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>Every row of the filter, for the CSV export: streamed in keyset pages so memory stays flat.</summary>
    public async IAsyncEnumerable<OpsOrderRow> ExportAsync(StaffActor staff, OpsOrderFilter filter,
        [System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken ct = default)
    {
        string? cursor = null;
        do
        {
            var page = await ListAsync(staff, filter, cursor, MaxPageSize, ct);
            foreach (var row in page.Items) yield return row;
            cursor = page.NextCursor;
        } while (cursor is not null);
    }

    public async Task<OpsOrderDetail?> FindAsync(StaffActor staff, int orderId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var order = await db.Orders.AsNoTracking().Include(o => o.Lines).Include(o => o.Events).AsSplitQuery().FirstOrDefaultAsync(o => o.Id == orderId, ct);
        if (order is null || !staff.CanSee(order.StoreId)) return null;
        var store = await stores.FindAsync(order.StoreId, ct);
        var customer = await db.Users.AsNoTracking().Where(u => u.Id == order.UserId).Select(u => new { u.Email, u.DisplayName }).FirstOrDefaultAsync(ct);
        var skuIds = order.Lines.Select(l => l.SkuId).Distinct().ToList();
        var barcodes = await db.Skus.AsNoTracking().Where(s => skuIds.Contains(s.Id)).ToDictionaryAsync(s => s.Id, s => s.Barcode, ct);
        var shelves = await db.Stock.AsNoTracking().Where(s => s.StoreId == order.StoreId && skuIds.Contains(s.SkuId))
            .ToDictionaryAsync(s => s.SkuId, s => s.ShelfLocation, ct);
        var paymentRow = await db.Payments.AsNoTracking().FirstOrDefaultAsync(p => p.OrderId == orderId, ct);
        var payment = paymentRow is null ? null : PaymentView.From(paymentRow);
        var events = paymentRow is null ? [] : await db.PspEvents.AsNoTracking().Where(e => e.PaymentId == paymentRow.Id).OrderBy(e => e.Id)
            .Select(e => new OpsPspEvent(e.EventId, e.Type, e.Outcome, e.PspCreatedAtUtc, e.ReceivedAtUtc)).ToListAsync(ct);
        var fulfillment = await db.Fulfillments.AsNoTracking().FirstOrDefaultAsync(f => f.OrderId == orderId, ct);
        return new OpsOrderDetail(order.Id, order.Status, order.StoreId, store?.Name ?? "?", order.PaymentMethod, customer?.Email ?? "", customer?.DisplayName ?? "",
            order.Address, order.Delivery,
            order.Lines.OrderBy(l => shelves.GetValueOrDefault(l.SkuId) ?? "~").ThenBy(l => l.Id)
                .Select(l => new OpsOrderLine(l.Id, l.SkuId, l.Title, l.SizeLabel, l.ImageUrl, l.UnitPrice, l.Quantity, l.ShortQuantity, l.RefundedQuantity, l.LineTotal,
                    barcodes.GetValueOrDefault(l.SkuId), shelves.GetValueOrDefault(l.SkuId), l.RemovedQuantity)).ToList(),
            order.Price, order.CouponCode, order.ReservationStatus, order.ReservationExpiresAtUtc, order.CreatedAtUtc, order.UpdatedAtUtc,
            order.Events.OrderBy(e => e.AtUtc).ThenBy(e => e.Id).Select(e => new OpsTimelineEntry(e.AtUtc, e.Actor, e.FromStatus, e.ToStatus, e.Reason, e.StaffOnly)).ToList(),
            payment, events, fulfillment, ActionsFor(order, fulfillment).Where(a => May(staff, a)).ToList(), MoneyOf(order));
    }

    /// <summary>An order's state, if this member of staff may see it.</summary>
    public async Task<OrderStatus?> StatusAsync(StaffActor staff, int orderId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await db.Orders.AsNoTracking().IgnoreAutoIncludes().Where(o => o.Id == orderId).Select(o => new { o.Status, o.StoreId }).FirstOrDefaultAsync(ct);
        return row is not null && staff.CanSee(row.StoreId) ? row.Status : null;
    }

    private static OpsOrderMoney MoneyOf(Order order)
    {
        Money Of(long minor) => new(order.Currency, minor);
        return new OpsOrderMoney(Of(order.CapturedMinor), Of(order.RefundedMinor), Of(order.RefundPendingMinor), Of(order.GoodwillMinor), Of(order.RefundableMinor),
            order.MoneyReviewNote)
        {
            Held = Of(order.HeldMinor), Hold = order.Hold, Charging = Of(order.Hold == CardHold.Capturing ? order.CaptureAskedMinor : 0), Released = Of(order.HoldReleasedMinor),
        };
    }

    /// <summary>What the state allows; the use case behind each still checks, so a stale page is told, never obeyed.</summary>
    public static IReadOnlyList<OpsAction> ActionsFor(Order order, OrderFulfillment? fulfillment)
    {
        var actions = new List<OpsAction>();
        switch (order.Status)
        {
            case OrderStatus.PendingConfirmation: actions.AddRange([OpsAction.ConfirmCash, OpsAction.RejectCash]); break;
            // Every unit refunded before the pick: nothing to pick, only to cancel (the delivery fee goes back too).
            case OrderStatus.Paid or OrderStatus.Confirmed or OrderStatus.Picking when order.Lines.All(l => l.RemovedQuantity == l.Quantity): actions.Add(OpsAction.Cancel); break;
            case OrderStatus.Paid or OrderStatus.Confirmed: actions.AddRange([OpsAction.StartPicking, OpsAction.Cancel]); break;
            // Picked: out it goes once its money is taken (a card being charged waits a moment; one that could not be is cancelled).
            case OrderStatus.Picking when order.Hold == CardHold.Capturing: break;
            case OrderStatus.Picking when fulfillment?.IsPicked == true && order.PaymentMethod == PaymentMethod.Card && !order.MoneyTaken: actions.Add(OpsAction.Cancel); break;
            case OrderStatus.Picking: actions.AddRange([fulfillment?.IsPicked == true ? OpsAction.Dispatch : OpsAction.FinishPicking, OpsAction.Cancel]); break;
            case OrderStatus.OutForDelivery: actions.Add(OpsAction.Deliver); break;
            case OrderStatus.PendingPayment or OrderStatus.PaymentFailed: actions.Add(OpsAction.Cancel); break;
            // The cancellation's refund failed at the PSP: cancelling again asks for what is still owed.
            case OrderStatus.RefundPending when order.RefundPendingMinor == 0 && order.RefundableMinor > 0: actions.Add(OpsAction.Cancel); break;
        }
        if (order.PaymentMethod == PaymentMethod.Card && order.RefundableMinor > 0
            && order.Status is OrderStatus.Paid or OrderStatus.Picking or OrderStatus.OutForDelivery or OrderStatus.Delivered)
            actions.Add(OpsAction.Refund);
        actions.Add(OpsAction.AddNote);
        return actions;
    }

    /// <summary>Whether the colleague's role takes the action at all: a picker sees no refund button, Support no cancel.</summary>
    public static bool May(StaffActor staff, OpsAction action) => action switch
    {
        OpsAction.StartPicking or OpsAction.FinishPicking or OpsAction.Dispatch or OpsAction.Deliver => staff.CanFulfil,
        OpsAction.Refund or OpsAction.AddNote => staff.CanSupport,
        _ => staff.CanRunStores,
    };

    private static IQueryable<Order> Filtered(QCommerceDbContext db, StaffActor staff, OpsOrderFilter filter)
    {
        var query = db.Orders.AsNoTracking().IgnoreAutoIncludes();
        if (staff.StoreIds is { } scope)
        {
            var allowed = scope.ToList();
            query = query.Where(o => allowed.Contains(o.StoreId));
        }
        if (filter.Status is { } status) query = query.Where(o => o.Status == status);
        if (filter.StoreId is { } storeId) query = query.Where(o => o.StoreId == storeId);
        if (filter.FromUtc is { } from) query = query.Where(o => o.CreatedAtUtc >= from);
        if (filter.ToUtc is { } to) query = query.Where(o => o.CreatedAtUtc < to);
        if (filter.Method is { } method) query = query.Where(o => o.PaymentMethod == method);
        if (filter.OrderId is { } id) query = query.Where(o => o.Id == id);
        return query;
    }

    private static int? ParseCursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        if (int.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) && id > 0) return id;
        throw new RequestRejectedException(new Dictionary<string, string[]> { ["cursor"] = ["This cursor is not one a page of orders gave; start from the first page."] });
    }
}
