using System.Globalization;
using QCommerce.Core.Catalog;
using QCommerce.Core.Data;

namespace QCommerce.Core.Inventory;

/// <summary>A store's stock of one SKU as ops read it.</summary>
public sealed record StockRow(int StoreId, int SkuId, int ProductId, string Title, string Brand, string SizeLabel, string Code, string Barcode,
    int OnHand, int Reserved, int LowStockThreshold, string? ShelfLocation, DateTime? LowSinceUtc)
{
    public int Available => OnHand - Reserved;
    public bool IsLow => LowSinceUtc is not null;
}

/// <summary>What the stock list shows: text matches title, brand, SKU code or barcode; <see cref="LowOnly"/> the alerted SKUs.</summary>
public sealed record StockFilter(string? Text = null, int? SkuId = null, bool LowOnly = false);

public sealed record StockPage(IReadOnlyList<StockRow> Items, string? NextCursor);

/// <summary>One line of the ledger with what the store had on hand after it.</summary>
public sealed record LedgerLine(long Id, StockMovementKind Kind, int Quantity, int OnHandAfter, string? Reference, string Actor, string? Note, DateTime AtUtc);

public sealed record LedgerPage(StockRow Stock, IReadOnlyList<LedgerLine> Items, string? NextCursor);

/// <summary>
/// Stock as ops read it: a store's SKUs (keyset pages on the SKU id), the low-stock alerts of the staff member's stores,
/// and a SKU's ledger newest first. The ledger's "on hand after" is worked out backwards from on hand now, read in the
/// same transaction as the movements, so it is exact because the movements sum to on hand.
/// </summary>
public sealed class StockQueries(IDbContextFactory<QCommerceDbContext> contexts, Stores.StoreDirectory stores)
{
    public const int MaxPageSize = 200;

    public async Task<StockPage> ListAsync(StaffActor staff, int storeId, StockFilter filter, string? cursor, int pageSize = 50, CancellationToken ct = default)
    {
        if (!staff.CanSee(storeId) || await stores.FindAsync(storeId, ct) is null) throw new NotFoundException("Store", PublicId.Format(PublicId.Store, storeId));
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        var after = Cursor(cursor);
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = Rows(db).Where(r => r.StoreId == storeId);
        if (filter.SkuId is { } skuId) rows = rows.Where(r => r.SkuId == skuId);
        if (filter.LowOnly) rows = rows.Where(r => r.LowSinceUtc != null);
        foreach (var word in TextRules.Searchable(filter.Text).Split(' ', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Take(6))
        {
            var lower = word.ToLowerInvariant();
            rows = rows.Where(r => r.Title.ToLower().Contains(lower) || r.Brand.ToLower().Contains(lower) || r.Code.ToLower().Contains(lower) || r.Barcode == word);
        }
        if (after is { } last) rows = rows.Where(r => r.SkuId > last);
        var page = await rows.OrderBy(r => r.SkuId).Take(pageSize + 1).ToListAsync(ct);
        var items = page.Take(pageSize).Select(Row).ToList();
        return new StockPage(items, page.Count > pageSize ? items[^1].SkuId.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>The low-stock alerts of the staff member's stores (or of one), most recent first.</summary>
    public async Task<IReadOnlyList<StockRow>> AlertsAsync(StaffActor staff, int? storeId, int limit = 500, CancellationToken ct = default)
    {
        if (storeId is { } asked && (!staff.CanSee(asked) || await stores.FindAsync(asked, ct) is null)) throw new NotFoundException("Store", PublicId.Format(PublicId.Store, asked));
        await using var db = await contexts.CreateDbContextAsync(ct);
        var rows = Scoped(Rows(db), staff, storeId).Where(r => r.LowSinceUtc != null);
        return (await rows.OrderByDescending(r => r.LowSinceUtc).ThenBy(r => r.StoreId).ThenBy(r => r.SkuId).Take(Math.Clamp(limit, 1, 1000)).ToListAsync(ct))
            .Select(Row).ToList();
    }

    /// <summary>How many SKUs of the staff member's stores (or of one) are low: the app bar's badge.</summary>
    public async Task<int> AlertCountAsync(StaffActor staff, int? storeId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        var stock = db.Stock.AsNoTracking().Where(s => s.LowSinceUtc != null);
        if (storeId is { } one) stock = stock.Where(s => s.StoreId == one);
        if (staff.StoreIds is { } scope)
        {
            var visible = scope.ToList();
            stock = stock.Where(s => visible.Contains(s.StoreId));
        }
        return await stock.CountAsync(ct);
    }

    public async Task<StockRow?> FindAsync(StaffActor staff, int storeId, int skuId, CancellationToken ct = default)
    {
        if (!staff.CanSee(storeId)) return null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        var row = await Rows(db).FirstOrDefaultAsync(r => r.StoreId == storeId && r.SkuId == skuId, ct);
        return row is null ? null : Row(row);
    }

    /// <summary>The store's stock of every SKU of a product (the product page in ops), one row per SKU the store stocks.</summary>
    public async Task<IReadOnlyList<StockRow>> ForProductAsync(StaffActor staff, int productId, CancellationToken ct = default)
    {
        await using var db = await contexts.CreateDbContextAsync(ct);
        return (await Scoped(Rows(db), staff, null).Where(r => r.ProductId == productId).OrderBy(r => r.SkuId).ThenBy(r => r.StoreId).ToListAsync(ct))
            .Select(Row).ToList();
    }

    /// <summary>A SKU a store does not stock yet, as a row of zeros (the stock page offers to receive it); null for an unknown SKU or store.</summary>
    public async Task<StockRow?> NotStockedAsync(StaffActor staff, int storeId, int skuId, CancellationToken ct = default)
    {
        if (!staff.CanSee(storeId) || await stores.FindAsync(storeId, ct) is null) return null;
        await using var db = await contexts.CreateDbContextAsync(ct);
        if (await db.Stock.AnyAsync(s => s.StoreId == storeId && s.SkuId == skuId, ct)) return null;
        var sku = await db.Skus.AsNoTracking().Where(k => k.Id == skuId)
            .Join(db.Products, k => k.ProductId, p => p.Id, (k, p) => new { k.ProductId, p.Title, p.Brand, k.Unit, k.Size, k.Code, k.Barcode })
            .FirstOrDefaultAsync(ct);
        return sku is null ? null
            : new StockRow(storeId, skuId, sku.ProductId, sku.Title, sku.Brand, SkuSizes.Label(sku.Unit, sku.Size), sku.Code, sku.Barcode, 0, 0, 0, null, null);
    }

    public async Task<LedgerPage?> LedgerAsync(StaffActor staff, int storeId, int skuId, string? cursor, int pageSize = 50, CancellationToken ct = default)
    {
        if (!staff.CanSee(storeId)) return null;
        pageSize = Math.Clamp(pageSize, 1, MaxPageSize);
        long? before = Cursor(cursor);
        await using var db = await contexts.CreateDbContextAsync(ct);
        await using var tx = await db.Database.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
        var stock = await Rows(db).FirstOrDefaultAsync(r => r.StoreId == storeId && r.SkuId == skuId, ct);
        if (stock is null) return null;
        var movements = db.StockMovements.AsNoTracking().Where(m => m.StoreId == storeId && m.SkuId == skuId);
        var newer = before is { } b ? await movements.Where(m => m.Id >= b).SumAsync(m => (long)m.Quantity, ct) : 0;
        var page = await (before is { } c ? movements.Where(m => m.Id < c) : movements).OrderByDescending(m => m.Id).Take(pageSize + 1).ToListAsync(ct);
        var running = stock.OnHand - newer;
        var lines = new List<LedgerLine>();
        foreach (var m in page.Take(pageSize))
        {
            lines.Add(new LedgerLine(m.Id, m.Kind, m.Quantity, (int)running, m.Reference, m.Actor, m.Note, m.AtUtc));
            running -= m.Quantity;
        }
        return new LedgerPage(Row(stock), lines, page.Count > pageSize ? lines[^1].Id.ToString(CultureInfo.InvariantCulture) : null);
    }

    /// <summary>A stock row with its SKU and product, as one query projects it (init properties, so later filters translate).</summary>
    private sealed class Flat
    {
        public int StoreId { get; init; }
        public int SkuId { get; init; }
        public int ProductId { get; init; }
        public string Title { get; init; } = "";
        public string Brand { get; init; } = "";
        public SkuUnit Unit { get; init; }
        public decimal Size { get; init; }
        public string Code { get; init; } = "";
        public string Barcode { get; init; } = "";
        public int OnHand { get; init; }
        public int Reserved { get; init; }
        public int LowStockThreshold { get; init; }
        public string? ShelfLocation { get; init; }
        public DateTime? LowSinceUtc { get; init; }
    }

    private static IQueryable<Flat> Rows(QCommerceDbContext db) =>
        from s in db.Stock.AsNoTracking()
        join k in db.Skus on s.SkuId equals k.Id
        join p in db.Products on k.ProductId equals p.Id
        select new Flat
        {
            StoreId = s.StoreId, SkuId = s.SkuId, ProductId = p.Id, Title = p.Title, Brand = p.Brand, Unit = k.Unit, Size = k.Size, Code = k.Code,
            Barcode = k.Barcode, OnHand = s.OnHand, Reserved = s.Reserved, LowStockThreshold = s.LowStockThreshold, ShelfLocation = s.ShelfLocation,
            LowSinceUtc = s.LowSinceUtc,
        };

    private static IQueryable<Flat> Scoped(IQueryable<Flat> rows, StaffActor staff, int? storeId)
    {
        if (storeId is { } one) rows = rows.Where(r => r.StoreId == one);
        if (staff.StoreIds is { } scope)
        {
            var visible = scope.ToList();
            rows = rows.Where(r => visible.Contains(r.StoreId));
        }
        return rows;
    }

    private static StockRow Row(Flat r) => new(r.StoreId, r.SkuId, r.ProductId, r.Title, r.Brand, SkuSizes.Label(r.Unit, r.Size), r.Code, r.Barcode,
        r.OnHand, r.Reserved, r.LowStockThreshold, r.ShelfLocation, r.LowSinceUtc);

    private static long? Cursor(string? cursor)
    {
        if (string.IsNullOrEmpty(cursor)) return null;
        if (!long.TryParse(cursor, NumberStyles.None, CultureInfo.InvariantCulture, out var id) || id <= 0)
            throw new RequestRejectedException(new Dictionary<string, string[]> { ["cursor"] = ["This cursor is not one a page of this list gave; start from the first page."] });
        return id;
    }
}
