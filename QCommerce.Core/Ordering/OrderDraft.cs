using QCommerce.Core.Cart;
using QCommerce.Core.Catalog;
using QCommerce.Core.Data;
using QCommerce.Core.Inventory;
using QCommerce.Core.Promotions;
using QCommerce.Core.Stores;

namespace QCommerce.Core.Ordering;

/// <summary>
/// The steps that turn what a shopper asks for into an order's content, shared by placing an order and by changing
/// one: lines priced at today's prices for the store, the delivery address checked against the store's zone, and the
/// coupon's verdict. Each step adds its problems to the caller's list, so every problem is reported at once.
/// </summary>
internal static class OrderDraft
{
    /// <summary>
    /// Checks and prices the requested items against the store now: each line's SKU exists, is
    /// sold here and has the stock (lines of one SKU summed). Titles and prices are snapshotted.
    /// </summary>
    internal static async Task<(List<OrderLine> Lines, Money Subtotal)> PriceLinesAsync(QCommerceDbContext db, StoreSummary store,
        IReadOnlyList<OrderItemInput>? items, DateTime now, ProblemList problems, CancellationToken ct,
        IReadOnlyDictionary<int, int>? alreadyHeld = null)
    {
        var lines = new List<OrderLine>();
        if (items is null || items.Count == 0)
        {
            problems.Add("items", "An order needs at least one item.");
            return (lines, Money.Zero(store.Currency));
        }
        if (items.Count > OrderLimits.MaxLines)
        {
            problems.Add("items", $"An order has at most {OrderLimits.MaxLines} lines.");
            return (lines, Money.Zero(store.Currency));
        }
        var snapshots = await SkuSnapshots.LoadAsync(db, store, items.Select(i => i.SkuId).ToList(), now, ct);
        var wanted = items.Where(i => i.Quantity is >= 1 and <= OrderLimits.MaxQuantityPerLine)
            .GroupBy(i => i.SkuId).ToDictionary(g => g.Key, g => g.Sum(i => i.Quantity));
        for (var i = 0; i < items.Count; i++)
        {
            var item = items[i];
            var field = $"items[{i}]";
            var skuId = PublicId.Format(PublicId.Sku, item.SkuId);
            var first = items.Select((x, at) => (x.SkuId, at)).First(x => x.SkuId == item.SkuId).at;
            if (first < i)
            {
                // One line per SKU, so the per-line limit is a per-SKU limit.
                problems.Add($"{field}.skuId", $"{skuId} is already on line {first + 1}; change that line's quantity instead.");
                continue;
            }
            if (item.Quantity is < 1 or > OrderLimits.MaxQuantityPerLine)
                problems.Add($"{field}.qty", $"A quantity is between 1 and {OrderLimits.MaxQuantityPerLine}; {item.Quantity} is not.");
            if (!snapshots.TryGetValue(item.SkuId, out var s))
            {
                problems.Add($"{field}.skuId", $"There is no SKU {skuId}.");
                continue;
            }
            if (!s.IsSold)
            {
                problems.Add($"{field}.skuId", $"{s.Title} ({skuId}) is not sold at {store.Name}.");
                continue;
            }
            var available = s.AvailableQty + (alreadyHeld?.GetValueOrDefault(item.SkuId) ?? 0);
            if (wanted.TryGetValue(item.SkuId, out var total) && total > available)
                problems.Add($"{field}.qty", available <= 0
                    ? $"{s.Title} is sold out at {store.Name}."
                    : $"Only {available} of {s.Title} left at {store.Name}; the order asks for {total}.");
            if (!problems.Has($"{field}.qty"))
                lines.Add(new OrderLine(s.SkuId, s.ProductId, s.Title, s.SizeLabel, s.ImageUrl, s.Price!.Value, item.Quantity));
        }
        return (lines, Money.Sum(store.Currency, lines.Select(l => l.LineTotal)));
    }

    internal static DeliveryAddress? CheckAddress(OrderAddressInput? input, StoreSummary store, ProblemList problems)
    {
        if (input is null)
        {
            problems.Add("address", "A delivery address is required.");
            return null;
        }
        var line1 = input.Line1?.Trim();
        var city = input.City?.Trim();
        var line2 = string.IsNullOrWhiteSpace(input.Line2) ? null : input.Line2.Trim();
        if (string.IsNullOrEmpty(line1)) problems.Add("address.line1", "Enter the street and number.");
        else if (TextRules.Problem(line1, 120, "The street line") is { } line1Problem) problems.Add("address.line1", line1Problem);
        if (TextRules.Problem(line2, 120, "The second line") is { } line2Problem) problems.Add("address.line2", line2Problem);
        if (string.IsNullOrEmpty(city)) problems.Add("address.city", "Enter the city.");
        else if (TextRules.Problem(city, 80, "The city") is { } cityProblem) problems.Add("address.city", cityProblem);
        var zip = Zips.Normalize(input.Zip);
        if (zip is null) problems.Add("address.zip", string.IsNullOrWhiteSpace(input.Zip) ? "Enter the zip code." : $"'{TextRules.Excerpt(input.Zip)}' is not a zip code.");
        else if (!store.DeliveryZips.Contains(zip))
            problems.Add("address.zip", $"{store.Name} does not deliver to {zip}; it delivers to {string.Join(", ", store.DeliveryZips)}.");
        var phone = Phones.Normalize(input.Phone, out var phoneProblem);
        if (phoneProblem is not null) problems.Add("address.phone", phoneProblem);
        var instructions = DeliveryInstructions.OneLine(input.Instructions);
        if (TextRules.Problem(instructions, DeliveryInstructions.MaxLength, "The note for the rider") is { } instructionsProblem)
            problems.Add("address.instructions", instructionsProblem);
        return new[] { "address.line1", "address.line2", "address.city", "address.zip", "address.phone", "address.instructions" }.Any(problems.Has)
            ? null
            : new DeliveryAddress(line1!, line2, city!, zip!, phone, instructions);
    }

    internal static async Task<(Coupon? Coupon, CouponDecision? Decision)> JudgeCouponAsync(QCommerceDbContext db, string code, string userId,
        StoreSummary store, Money subtotal, DateTime now, CancellationToken ct, int? changingOrderId = null)
    {
        var normalized = Coupon.Normalize(code);
        var coupon = normalized is null ? null : await db.Coupons.AsNoTracking().FirstOrDefaultAsync(c => c.Code == normalized, ct);
        if (coupon is null) return (null, CouponDecision.No($"There is no coupon '{TextRules.Excerpt(code.Trim())}'. Check the spelling."));
        var uses = await db.CouponRedemptions.CountAsync(r => r.CouponId == coupon.Id && r.UserId == userId && r.OrderId != changingOrderId, ct);
        var decision = coupon.Evaluate(subtotal, store.RegionId, uses, now, ownUses: changingOrderId is null ? 0 : 1);
        return (decision.Applies ? coupon : null, decision);
    }
}
