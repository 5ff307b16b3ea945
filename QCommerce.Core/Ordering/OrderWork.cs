using QCommerce.Core.Data;
using QCommerce.Core.Inventory;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Ordering;

/// <summary>Who acts on an order, and so which orders they may touch and what the timeline and audit log call them.</summary>
public abstract record OrderActor(string Label)
{
    /// <summary>A member of staff, as the staff directory read them for this request: only their stores' orders exist for them.</summary>
    public sealed record Staff(StaffActor Member) : OrderActor(Member.Label);

    /// <summary>A shopper: only their own orders exist for them.</summary>
    public sealed record Shopper(string UserId) : OrderActor("shopper");

    /// <summary>The PSP's word, or QCommerce's own jobs: any order.</summary>
    public sealed record Automatic(string Name) : OrderActor(Name);

    public static OrderActor Psp { get; } = new Automatic("psp");
    public static OrderActor System { get; } = new Automatic("system");
}

/// <summary>What a step records beside the order: the audit log's action (staff), and the handler and event it runs once for (an outbox effect).</summary>
public sealed record OrderStep(string? AuditAction = null, string? Handler = null, Guid? EventId = null);

/// <summary>One decision in progress: the order loaded for its actor, the transaction's context for the caller's own rows, and the audit's details.</summary>
public sealed class OrderDecision(Order order, QCommerceDbContext db, OrderActor actor, DateTime now)
{
    public Order Order { get; } = order;

    /// <summary>The transaction's context, for the rows of the feature that called (its fulfilment, its payment): saved with the order.</summary>
    public QCommerceDbContext Db { get; } = db;
    public OrderActor Actor { get; } = actor;
    public string By => Actor.Label;
    public DateTime Now { get; } = now;

    internal bool AuditStatesGiven { get; private set; }
    internal object? AuditBefore { get; private set; }
    internal object? AuditAfter { get; private set; }
    internal string? AuditNote { get; private set; }

    /// <summary>A note on the audit row, which otherwise says the status before and after.</summary>
    public void Audit(string? note) => AuditNote = note;

    /// <summary>What the audit row says instead of the status before and after (null: nothing).</summary>
    public void Audit(object? before, object? after, string? note = null)
    {
        AuditStatesGiven = true;
        (AuditBefore, AuditAfter) = (before, after);
        AuditNote = note ?? AuditNote;
    }
}

/// <summary>
/// What Ordering asks of whoever takes its card payments, written on the order's payment in the caller's transaction and
/// asked of the PSP once that commits (each under its own key): money owed back, the pick's capture of the money held, a
/// hold the order no longer wants released. Payments, a later feature, answers it.
/// </summary>
public interface ICardPayments
{
    Task PromiseRefundAsync(QCommerceDbContext db, Order order, RefundDue due, string actor, DateTime now, CancellationToken ct);

    Task AskCaptureAsync(QCommerceDbContext db, Order order, CaptureDue due, string actor, DateTime now, CancellationToken ct);

    Task ReleaseHoldAsync(QCommerceDbContext db, Order order, ReleaseHoldDue due, string actor, DateTime now, CancellationToken ct);
}

/// <summary>
/// The unit of work every staff, shopper and PSP action on a placed order goes through. It loads the order for the actor
/// (a member of staff sees their stores' orders, a shopper their own), lets the aggregate decide, and carries out what the
/// decision asks (<see cref="OrderEffect"/>): the audit row, the order's outbox event, refunds and captures asked, then the stock,
/// slot and coupon statements, all in one transaction. The order's row is claimed at the version read before anything is
/// written, so of two writers the second loses before any line or shared row moves; it is then read again and decides anew
/// (a conflict after three rounds).
/// </summary>
public sealed class OrderWork(IDbContextFactory<QCommerceDbContext> contexts, ICardPayments payments, QCommerceMetrics metrics, TimeProvider clock,
    ILogger<OrderWork> logger)
{
    private const int Rounds = 4;

    /// <summary>Runs <paramref name="decide"/> on the order; for an effect run once per event, default when that event was applied already.</summary>
    public async Task<T?> RunAsync<T>(OrderActor actor, int orderId, OrderStep step, Func<OrderDecision, Task<T>> decide, CancellationToken ct = default)
    {
        for (var round = 1; ; round++)
        {
            try
            {
                return await RunOnceAsync(actor, orderId, step, decide, ct);
            }
            catch (DbUpdateException ex) when (round < Rounds && LostARace(ex))
            {
                // Someone else wrote the order between our read and our write (a colleague, a webhook, the expiry sweep: its
                // version; the same request twice: a unique key such as a refund's): nothing of ours was saved; read it again
                // and decide on what it is now.
            }
            catch (DbUpdateException ex) when (LostARace(ex))
            {
                throw new ConflictException($"Order {PublicId.Format(PublicId.Order, orderId)} keeps changing at this moment; reload it and try again.");
            }
        }
    }

    public Task RunAsync(OrderActor actor, int orderId, OrderStep step, Action<OrderDecision> decide, CancellationToken ct = default) =>
        RunAsync(actor, orderId, step, d =>
        {
            decide(d);
            return Task.FromResult(true);
        }, ct);

    private async Task<T?> RunOnceAsync<T>(OrderActor actor, int orderId, OrderStep step, Func<OrderDecision, Task<T>> decide, CancellationToken ct)
    {
        var now = clock.UtcNow();
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(ct);
        if (step is { Handler: { } handler, EventId: { } eventId } && await Outbox.AlreadyProcessedAsync(db, handler, eventId, ct)) return default;
        if (actor is OrderActor.Staff { Member: var member } && step.AuditAction is { } taken) StaffPermissions.Require(member, taken);
        var order = await LoadAsync(db, actor, orderId, ct);
        var (from, version, picked) = (order.Status, order.Version, order.PickedAtUtc);
        var decision = new OrderDecision(order, db, actor, now);
        var result = await decide(decision);
        var effects = order.TakeEffects();

        if (order.Version != version)
        {
            var reason = order.Events.LastOrDefault(e => !e.StaffOnly)?.Reason; // a staff note stays with staff, out of the events integrations hear
            var type = order.Status == OrderStatus.Cancelled && from != OrderStatus.Cancelled ? EventTypes.OrderCancelled
                : order.Status != from ? EventTypes.OrderStatusChanged
                : picked is null && order.PickedAtUtc is not null ? EventTypes.OrderPicked
                : EventTypes.OrderChanged;
            Outbox.Enqueue(db, type, order.PublicId, new OrderStatusChangedEvent(order.Id, order.StoreId, from, order.Status, actor.Label, reason), now);
            if (actor is OrderActor.Staff staff && step.AuditAction is { } action)
                Common.Audit.Record(db, staff.Member, action, "order", order.PublicId, order.StoreId,
                    decision.AuditStatesGiven ? decision.AuditBefore : new { status = Camel(from) },
                    decision.AuditStatesGiven ? decision.AuditAfter : new { status = Camel(order.Status) }, decision.AuditNote, now);
        }
        // Claim the order's row at the version read before any row is written. EF sends the lines' statements before the
        // order's, and a line written over a colleague's newer one breaks the lines' constraints before the order's version
        // can say that we lost; with the order's row held, a colleague's writes wait for us (PostgreSQL) or lose here.
        if (order.Version != version && await db.Orders.Where(o => o.Id == orderId && o.Version == version)
                .ExecuteUpdateAsync(s => s.SetProperty(o => o.Version, o => o.Version), ct) == 0)
            throw new DbUpdateConcurrencyException($"Order {order.PublicId} changed since it was read.");
        if (step is { Handler: { } h, EventId: { } id }) db.ProcessedMessages.Add(new ProcessedMessage(h, id, now));
        // A short pick's ledger lines are rows to insert, no statement on a shared row: they ride with the order's save.
        foreach (var shortPick in effects.OfType<RecordShortPick>())
            StockReservations.RecordShortPick(db, order.StoreId, shortPick.UnitsBySku, order.PublicId, actor.Label, now);
        await db.SaveChangesAsync(ct); // the order's row first: its version decides a race before any stock, slot or money moves

        // What the money asks of the payment lands on it only now: an order decided on a stale read has lost at its version
        // above, so the payment's own guards (never more back than captured, one capture of a hold) speak only of a real
        // disagreement, never of a race.
        var asked = false;
        foreach (var effect in effects)
        {
            switch (effect)
            {
                case RefundDue due: await payments.PromiseRefundAsync(db, order, due, actor.Label, now, ct); break;
                case CaptureDue capture: await payments.AskCaptureAsync(db, order, capture, actor.Label, now, ct); break;
                case ReleaseHoldDue release: await payments.ReleaseHoldAsync(db, order, release, actor.Label, now, ct); break;
                default: continue;
            }
            asked = true;
        }
        if (asked) await db.SaveChangesAsync(ct);

        foreach (var effect in effects) await CarryOutAsync(db, order, effect, actor.Label, now, ct);
        var pickStarted = picked is null && order.PickedAtUtc is not null
            ? await db.Set<OrderEvent>().Where(e => e.OrderId == orderId && e.ToStatus == OrderStatus.Picking).MaxAsync(e => (DateTime?)e.AtUtc, ct)
            : null;
        await tx.CommitAsync(ct);
        if (pickStarted is { } started) metrics.PickFinished(order.StoreId, order.PickedAtUtc!.Value - started);
        if (order.Status == OrderStatus.Delivered && from != OrderStatus.Delivered) metrics.Delivered(order.StoreId, now - order.CreatedAtUtc);
        if (order.Status != from) logger.LogInformation("Order {OrderId}: {From} -> {To} by {Actor}", order.PublicId, from, order.Status, Who(actor));
        foreach (var review in effects.OfType<MoneyToReview>())
            logger.LogWarning("Order {OrderId} needs a person to look at its money: {Note}", order.PublicId, review.Note);
        return result;
    }

    /// <summary>The order if this actor may act on it, else "not found" (never "forbidden": that would say it exists).</summary>
    private static async Task<Order> LoadAsync(QCommerceDbContext db, OrderActor actor, int orderId, CancellationToken ct)
    {
        var order = await db.Orders.Include(o => o.Lines).FirstOrDefaultAsync(o => o.Id == orderId, ct);
        var visible = order is not null && actor switch
        {
            OrderActor.Staff staff => staff.Member.CanSee(order.StoreId),
            OrderActor.Shopper shopper => order.UserId == shopper.UserId,
            _ => true,
        };
        return visible ? order! : throw new NotFoundException("Order", PublicId.Format(PublicId.Order, orderId));
    }

    private static async Task CarryOutAsync(QCommerceDbContext db, Order order, OrderEffect effect, string actor, DateTime now, CancellationToken ct)
    {
        switch (effect)
        {
            case CommitStock commit:
                await StockReservations.CommitAsync(db, order.StoreId, commit.UnitsBySku, order.PublicId, actor, now, ct);
                break;
            case ReleaseHeldStock release:
                await StockReservations.ReleaseAsync(db, order.StoreId, release.UnitsBySku, now, ct);
                break;
            case RestockUnits restock:
                await StockReservations.RestockAsync(db, order.StoreId, restock.UnitsBySku, order.PublicId, actor, now, ct);
                break;
            case ReleaseSlotAndCoupon:
                if (order.SlotId is { } slotId) await DeliverySlots.ReleaseAsync(db, slotId, ct);
                var orderId = order.Id;
                var redemption = await db.CouponRedemptions.AsNoTracking().Where(r => r.OrderId == orderId).Select(r => new { r.Id, r.CouponId }).FirstOrDefaultAsync(ct);
                if (redemption is not null)
                {
                    await db.CouponRedemptions.Where(r => r.Id == redemption.Id).ExecuteDeleteAsync(ct);
                    await db.Coupons.Where(c => c.Id == redemption.CouponId && c.TimesUsed > 0)
                        .ExecuteUpdateAsync(s => s.SetProperty(c => c.TimesUsed, c => c.TimesUsed - 1), ct);
                }
                break;
        }
    }

    /// <summary>
    /// Another writer won: the order's version moved, or a unique key was taken first. Any other refusal of the database (a
    /// check constraint: an invariant of the money or the units) is a bug to hear about, never a conflict to retry.
    /// </summary>
    private static bool LostARace(DbUpdateException ex) => ex is DbUpdateConcurrencyException || ex.InnerException switch
    {
        Npgsql.PostgresException pg => pg.SqlState == Npgsql.PostgresErrorCodes.UniqueViolation,
        Microsoft.Data.Sqlite.SqliteException lite => lite.SqliteExtendedErrorCode is 2067 or 1555, // SQLITE_CONSTRAINT_UNIQUE, _PRIMARYKEY
        _ => false,
    };

    /// <summary>Who acted, as a log line may say it: a colleague by their user id (their e-mail is personal data), else "shopper" or the job.</summary>
    private static string Who(OrderActor actor) => actor is OrderActor.Staff s ? "staff " + s.Member.UserId : actor.Label;

    /// <summary>A state as the API writes it (camelCase), so the audit log reads like the rest of the contract.</summary>
    private static string Camel(OrderStatus status) => System.Text.Json.JsonNamingPolicy.CamelCase.ConvertName(status.ToString());
}
