using System.Globalization;
using QCommerce.Core.Data;

namespace QCommerce.Core.Ops;

/// <summary>What the audit page and <c>GET /v1/ops/audit</c> filter by.</summary>
public sealed record AuditFilter(string? Staff = null, string? Entity = null, string? Action = null, DateTime? FromUtc = null, DateTime? ToUtc = null);

public sealed record AuditPage(IReadOnlyList<AuditEntry> Items, string? NextCursor);

/// <summary>
/// The audit log, newest first in keyset pages on its id. A store-scoped reader sees the rows of their stores' orders
/// only; rows about no store (staff accounts, the outbox) are for admins. Filters seek on the log's indexes:
/// <c>(EntityType, EntityId, AtUtc)</c>, <c>(StaffUserId, AtUtc)</c>, <c>(AtUtc)</c>.
/// </summary>
public sealed class AuditQueries(IDbContextFactory<QCommerceDbContext> contexts)
{
    public const int MaxPageSize = 200;

    /// <summary>The kinds of entity the audit log names (<see cref="AuditEntry.EntityType"/>).</summary>
    public static readonly IReadOnlySet<string> EntityKinds = new HashSet<string>(StringComparer.Ordinal)
    {
        "order", "staff", "outbox", "stock", "sku", "product", "category", "coupon", "store", "price-list",
    };

    public async Task<AuditPage> ListAsync(StaffActor reader, AuditFilter filter, string? cursor, int pageSize = 50, CancellationToken ct = default)
    {
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        long? after = null;
        if (!string.IsNullOrEmpty(cursor))
        {
            if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
                throw new RequestRejectedException(new Dictionary<string, string[]> { ["cursor"] = ["This cursor is not one a page of the audit log gave; start from the first page."] });
            after = id;
        }
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = db.AuditLog.AsNoTracking();
        if (reader.StoreIds is { } scope)
        {
            var stores = scope.ToList();
            rows = rows.Where(a => a.StoreId != null && stores.Contains(a.StoreId.Value));
        }
        if (filter.Staff is { Length: > 0 } staff)
        {
            var email = TextRules.Searchable(staff).Trim();
            rows = rows.Where(a => a.StaffEmail == email);
        }
        if (filter.Entity is { Length: > 0 } entity)
        {
            var e = TextRules.Searchable(entity).Trim();
            // A kind (order, staff, coupon…) names every entity of it; anything else is one entity's id (o_12, someone@…, WELCOME10).
            rows = EntityKinds.Contains(e.ToLowerInvariant()) ? rows.Where(a => a.EntityType == e.ToLowerInvariant()) : rows.Where(a => a.EntityId == e);
        }
        if (filter.Action is { Length: > 0 } action) rows = rows.Where(a => a.Action == action);
        if (filter.FromUtc is { } from) rows = rows.Where(a => a.AtUtc >= from);
        if (filter.ToUtc is { } to) rows = rows.Where(a => a.AtUtc < to);
        if (after is { } last) rows = rows.Where(a => a.Id < last);
        var page = await rows.OrderByDescending(a => a.Id).Take(pageSize + 1).ToListAsync(ct);
        var items = page.Take(pageSize).ToList();
        return new AuditPage(items, page.Count > pageSize ? items[^1].Id.ToString(CultureInfo.InvariantCulture) : null);
    }
}
