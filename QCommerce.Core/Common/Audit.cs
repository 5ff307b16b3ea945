using System.Text.Json;
using Microsoft.EntityFrameworkCore.Metadata.Builders;

namespace QCommerce.Core.Common;

/// <summary>
/// One staff action, written by the use case that performs it in the same transaction as the change (so an action that
/// fails leaves no row, and none succeeds without one): who, when, what, on which entity, and the entity's state
/// before and after, as short JSON.
/// </summary>
public sealed class AuditEntry
{
    private AuditEntry() { }

    internal AuditEntry(StaffActor staff, string action, string entityType, string entityId, int? storeId, string? before, string? after,
        string? note, DateTime now)
    {
        AtUtc = now;
        StaffUserId = staff.UserId;
        StaffEmail = staff.Email;
        Action = action;
        EntityType = entityType;
        EntityId = entityId;
        StoreId = storeId;
        Before = before;
        After = after;
        Note = note is null ? null : TextRules.Clean(note, Audit.MaxNoteLength);
    }

    public long Id { get; private set; }
    public DateTime AtUtc { get; private set; }
    public string StaffUserId { get; private set; } = "";
    public string StaffEmail { get; private set; } = "";

    /// <summary>A dotted name (<c>order.cancel</c>, <c>staff.lock</c>), one per use case: see <see cref="AuditActions"/>.</summary>
    public string Action { get; private set; } = "";
    public string EntityType { get; private set; } = "";

    /// <summary>The entity's public id (<c>o_12</c>), or the staff member's email.</summary>
    public string EntityId { get; private set; } = "";

    /// <summary>The store the entity belongs to, so a store-scoped reader sees only their stores' rows.</summary>
    public int? StoreId { get; private set; }
    public string? Before { get; private set; }
    public string? After { get; private set; }
    public string? Note { get; private set; }
}

/// <summary>The actions the audit log knows, so a filter can offer them and a typo is a compile error.</summary>
public static class AuditActions
{
    public const string OrderConfirm = "order.confirm";
    public const string OrderReject = "order.reject";
    public const string OrderCancel = "order.cancel";
    public const string OrderNote = "order.note";
    public const string OrderRefund = "order.refund";
    public const string PickStart = "pick.start";
    public const string PickFinish = "pick.finish";
    public const string OrderDispatch = "order.dispatch";
    public const string OrderDeliver = "order.deliver";
    public const string OutboxRetry = "outbox.retry";
    public const string StaffCreate = "staff.create";
    public const string StaffChange = "staff.change";
    public const string StaffLock = "staff.lock";
    public const string StaffUnlock = "staff.unlock";
    public const string StaffPasswordLink = "staff.password-link";
    public const string StockAdjust = "stock.adjust";
    public const string StockSettings = "stock.settings";
    public const string StockImport = "stock.import";
    public const string PriceSchedule = "price.schedule";
    public const string PriceWithdraw = "price.withdraw";
    public const string PriceImport = "price.import";
    public const string ProductCreate = "product.create";
    public const string ProductChange = "product.change";
    public const string ProductImageAdd = "product.image.add";
    public const string ProductImageRemove = "product.image.remove";
    public const string SkuCreate = "sku.create";
    public const string SkuChange = "sku.change";
    public const string CategoryCreate = "category.create";
    public const string CategoryChange = "category.change";
    public const string CategoryDelete = "category.delete";
    public const string CouponCreate = "coupon.create";
    public const string CouponChange = "coupon.change";
    public const string StoreChange = "store.change";
    public const string WebhookCreate = "webhook.create";
    public const string WebhookChange = "webhook.change";
    public const string WebhookRotate = "webhook.rotate";
    public const string WebhookDisable = "webhook.disable";
    public const string WebhookEnable = "webhook.enable";
    public const string WebhookDelete = "webhook.delete";
    public const string WebhookReplay = "webhook.replay";
    public const string CustomerSearch = "customer.search";
    public const string CustomerView = "customer.view";
    public const string CustomerNote = "customer.note";
    public const string CustomerLock = "customer.lock";
    public const string CustomerUnlock = "customer.unlock";

    public static readonly IReadOnlyList<string> All =
    [
        OrderConfirm, OrderReject, OrderCancel, OrderNote, OrderRefund, PickStart, PickFinish, OrderDispatch, OrderDeliver,
        OutboxRetry, StaffCreate, StaffChange, StaffLock, StaffUnlock, StaffPasswordLink, StockAdjust, StockSettings, StockImport, PriceSchedule, PriceWithdraw, PriceImport,
        ProductCreate, ProductChange, ProductImageAdd, ProductImageRemove, SkuCreate, SkuChange, CategoryCreate, CategoryChange, CategoryDelete,
        CouponCreate, CouponChange, StoreChange, WebhookCreate, WebhookChange, WebhookRotate, WebhookDisable, WebhookEnable, WebhookDelete, WebhookReplay,
        CustomerSearch, CustomerView, CustomerNote, CustomerLock, CustomerUnlock,
    ];
}

public static class Audit
{
    public const int MaxNoteLength = 500;

    private static readonly JsonSerializerOptions Json = new(JsonSerializerDefaults.Web);

    /// <summary>
    /// Adds the action's row to <paramref name="db"/>: it is saved by the use case's own SaveChanges, inside its transaction.
    /// <paramref name="before"/> and <paramref name="after"/> are small objects (the fields the action changed).
    /// </summary>
    public static void Record(DbContext db, StaffActor staff, string action, string entityType, string entityId, int? storeId,
        object? before, object? after, string? note, DateTime now)
    {
        StaffPermissions.Require(staff, action);
        db.Set<AuditEntry>().Add(new AuditEntry(staff, action, entityType, entityId, storeId,
            before is null ? null : JsonSerializer.Serialize(before, Json), after is null ? null : JsonSerializer.Serialize(after, Json), note, now));
    }
}

internal sealed class AuditConfiguration : IEntityTypeConfiguration<AuditEntry>
{
    public void Configure(EntityTypeBuilder<AuditEntry> b)
    {
        b.ToTable("AuditLog");
        b.Property(a => a.StaffUserId).HasMaxLength(64);
        b.Property(a => a.StaffEmail).HasMaxLength(256);
        b.Property(a => a.Action).HasMaxLength(40);
        b.Property(a => a.EntityType).HasMaxLength(40);
        b.Property(a => a.EntityId).HasMaxLength(256);
        b.Property(a => a.Before).HasMaxLength(4000);
        b.Property(a => a.After).HasMaxLength(4000);
        b.Property(a => a.Note).HasMaxLength(Audit.MaxNoteLength);
        // The audit page reads newest first, optionally for one entity or one member of staff: each a seek, never a scan.
        b.HasIndex(a => a.AtUtc);
        b.HasIndex(a => new { a.EntityType, a.EntityId, a.AtUtc });
        b.HasIndex(a => new { a.StaffUserId, a.AtUtc });
    }
}
