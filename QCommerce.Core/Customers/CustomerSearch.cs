using QCommerce.Core.Data;

namespace QCommerce.Core.Customers;

/// <summary>A customer as support finds them: who, how to reach them, and their orders at the colleague's stores.</summary>
public sealed record CustomerRow(string UserId, string Name, string Email, string? Phone, DateTime CreatedAtUtc, bool Locked, int Orders, DateTime? LastOrderAtUtc);

/// <summary>What a search found: at most <see cref="CustomerSearch.MaxResults"/> customers, best first; <see cref="More"/> when there were more.</summary>
public sealed record CustomerResults(IReadOnlyList<CustomerRow> Customers, bool More);

/// <summary>
/// Finding a customer by part of what they are known by: their name, e-mail or phone (anywhere in it, "ana" finds "Ana Lima"
/// and "diana@…"), or an order id (<c>o_123</c>, or the number). Exact and leading matches come first. On PostgreSQL the
/// searched columns carry trigram indexes, so a part of a name is found without reading every account; SQLite reads the
/// accounts (tens of milliseconds at 100,000). Staff accounts are not customers. Each search is audited.
/// </summary>
public sealed class CustomerSearch(IDbContextFactory<QCommerceDbContext> contexts, TimeProvider clock)
{
    public const int MaxResults = 25;
    public const int MinLength = 2;
    public const int MaxLength = 100;

    public async Task<CustomerResults> FindAsync(StaffActor staff, string? query, CancellationToken ct = default)
    {
        if (!staff.CanSupport) throw new AccessDeniedException("Finding customers is Support's (and Ops').");
        var q = (query ?? "").Trim();
        var digitsOnly = q.Length > 0 && q.All(char.IsAsciiDigit);
        if ((q.Length < MinLength && !digitsOnly) || q.Length > MaxLength || TextRules.HasControlCharacters(q)) // "7" is order o_7
            throw new RequestRejectedException(new Dictionary<string, string[]>
            {
                ["q"] = [$"Type {MinLength} to {MaxLength} characters of a name, an e-mail, a phone number or an order id."],
            });
        await using var db = await contexts.CreateDbContextAsync(ct);
        var postgres = !db.Database.IsSqlite();
        var pattern = "%" + Escape(q) + "%";
        var digits = new string(q.Where(char.IsAsciiDigit).ToArray());
        // Digits are a phone's only when the whole query could be one ("(212) 555-0142"): "dubois.4242@" is an e-mail's part.
        var phonePattern = digits.Length >= 4 && q.All(c => char.IsAsciiDigit(c) || c is ' ' or '+' or '-' or '(' or ')' or '.') ? "%" + digits + "%" : null;
        var byOrder = PublicId.TryParse(PublicId.Order, q, out var orderId) || (digitsOnly && digits.Length <= 10 && int.TryParse(q, out orderId));
        // A short number is an order's ("7": o_7), not a part of every e-mail with a 7 in it.
        var byText = !(digitsOnly && digits.Length < 4);

        // Each way of matching is its own query, so each can use its index (a trigram index per column on PostgreSQL; an
        // OR of them with the order's EXISTS read every account), and their customers are put together here.
        var staffIds = db.UserRoles.Select(r => r.UserId);
        var scope = staff.StoreIds?.ToList();
        var users = db.Users.AsNoTracking().Where(u => !staffIds.Contains(u.Id));
        var now = clock.GetUtcNow();
        var found = new Dictionary<string, Found>();
        async Task AddAsync(IQueryable<Identity.AppUser> matching)
        {
            foreach (var u in await matching.OrderBy(u => u.Email).Take(4 * MaxResults)
                         .Select(u => new Found(u.Id, u.DisplayName, u.Email, u.PhoneNumber, u.CreatedAtUtc, u.LockoutEnd)).ToListAsync(ct))
                found.TryAdd(u.Id, u);
        }
        if (byText)
            await AddAsync(postgres
                ? users.Where(u => EF.Functions.ILike(u.Email!, pattern, "\\") || EF.Functions.ILike(u.DisplayName, pattern, "\\"))
                : users.Where(u => EF.Functions.Like(u.Email!, pattern, "\\") || EF.Functions.Like(u.DisplayName, pattern, "\\")));
        if (phonePattern is not null) await AddAsync(users.Where(u => EF.Functions.Like(u.PhoneNumber!, phonePattern)));
        if (byOrder)
        {
            // An order of a store outside the colleague's is, for them, an order that does not exist: its id finds nobody.
            var orderer = db.Orders.Where(o => o.Id == orderId && (scope == null || scope.Contains(o.StoreId))).Select(o => o.UserId);
            await AddAsync(users.Where(u => orderer.Contains(u.Id)));
        }

        var lower = q.ToLowerInvariant();
        var ranked = found.Values.OrderBy(u => Rank(u.Email ?? "", u.DisplayName, lower)).ThenBy(u => u.DisplayName).Take(MaxResults).ToList();
        var ids = ranked.Select(u => u.Id).ToList();
        var placed = await db.Orders.AsNoTracking().Where(o => ids.Contains(o.UserId) && (scope == null || scope.Contains(o.StoreId)))
            .GroupBy(o => o.UserId).Select(g => new { UserId = g.Key, Count = g.Count(), Last = g.Max(o => o.CreatedAtUtc) }).ToDictionaryAsync(g => g.UserId, ct);

        Audit.Record(db, staff, AuditActions.CustomerSearch, "customers", "search", null, null, new { found = ranked.Count }, TextRules.Excerpt(q, 100), clock.UtcNow());
        await db.SaveChangesAsync(ct);
        return new(ranked.Select(u => new CustomerRow(u.Id, u.DisplayName, u.Email ?? "", u.PhoneNumber, u.CreatedAtUtc, u.LockoutEnd > now,
            placed.GetValueOrDefault(u.Id)?.Count ?? 0, placed.GetValueOrDefault(u.Id)?.Last)).ToList(), found.Count > MaxResults);
    }

    private sealed record Found(string Id, string DisplayName, string? Email, string? PhoneNumber, DateTime CreatedAtUtc, DateTimeOffset? LockoutEnd);

    /// <summary>The whole e-mail, then an e-mail or a name that starts with it, then a word of the name that does, then the rest.</summary>
    private static int Rank(string email, string name, string q)
    {
        var e = email.ToLowerInvariant();
        var n = name.ToLowerInvariant();
        if (e == q) return 0;
        if (e.StartsWith(q, StringComparison.Ordinal) || n.StartsWith(q, StringComparison.Ordinal)) return 1;
        if (n.Split(' ').Any(w => w.StartsWith(q, StringComparison.Ordinal))) return 2;
        return 3;
    }

    private static string Escape(string text) => text.Replace("\\", "\\\\").Replace("%", "\\%").Replace("_", "\\_");
}
