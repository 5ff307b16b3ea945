namespace QCommerce.Core.Catalog;

public sealed partial class CatalogSnapshot
{
    /// <summary>
    /// The next version: this one with what <paramref name="delta"/> read again, and everything else shared. The title
    /// order is patched (not sorted again); the search index is rebuilt only when a product's words or place in that
    /// order changed; a kept grid order is carried over when the change touches none of its products, and otherwise
    /// patched: the touched products taken out and put back where they now belong.
    /// </summary>
    internal CatalogSnapshot With(long changeId, Guid stamp, long localChanges, DateTime now, CatalogDelta delta)
    {
        var changed = delta.Products;
        var before = changed.Keys.Select(id => Products.GetValueOrDefault(id)).OfType<CatalogProduct>().ToList();
        var after = changed.Values.OfType<CatalogProduct>().ToList();

        var products = changed.Count == 0 ? Products : Products.With(changed.Select(p => (p.Key, p.Value is not null, p.Value!)));
        var bySlug = changed.Count == 0 ? BySlug : BySlug.With(
            before.Where(old => changed[old.Id]?.Slug != old.Slug).Select(old => (old.Slug, false, old))
                .Concat(after.Select(p => (p.Slug, true, p))));
        // A product read again brings all its SKUs: those the snapshot had and the database no longer has are gone.
        var goneSkus = before.SelectMany(p => p.Skus).Where(s => !delta.Skus.ContainsKey(s.Id)).Select(s => (s.Id, false, s));
        var skuChanges = delta.Skus.Select(s => (s.Key, s.Value is not null, s.Value!)).Concat(goneSkus).ToList();
        var skus = skuChanges.Count == 0 ? Skus : Skus.With(skuChanges);
        var prices = delta.Prices.Count == 0 ? _prices : _prices.With(delta.Prices.Select(p => (p.Key, p.Value is not null, p.Value ?? default)));
        var boundaries = delta.Prices.Count == 0 && _boundaries.All(b => b.AtUtc > now) ? _boundaries
            : _boundaries.Where(b => b.AtUtc > now && !delta.Prices.ContainsKey(b.Key)).Concat(delta.Boundaries).OrderBy(b => b.AtUtc).ToArray();

        // Titles moved, products came or went: the title order changes, and with it the positions the search index holds.
        var reordered = changed.Keys.Any(id => (Products.GetValueOrDefault(id), changed[id]) switch
        {
            (null, null) => false,
            ({ } was, { } now_) => was.Title != now_.Title,
            _ => true,
        });
        var reworded = reordered || before.Any(old => changed[old.Id] is { } p && (p.Brand != old.Brand || p.Description != old.Description));
        var byTitle = reordered ? Patch(ByTitle, changed.Keys.ToHashSet(), after, TitleOrder.Instance) : (CatalogProduct[])ByTitle;
        if (!reordered && changed.Count > 0) // same titles in the same places: the new versions take the old ones' places
            byTitle = byTitle.Select(p => changed.TryGetValue(p.Id, out var now_) ? now_! : p).ToArray();
        var search = reworded ? new CatalogSearchIndex(byTitle) : Search;

        var work = new CatalogWork(false, changed.Count, delta.Skus.Count, delta.Prices.Count, delta.Categories is not null, reworded);
        var next = new CatalogSnapshot(changeId, stamp, localChanges, now, products, bySlug, skus, delta.Categories ?? Categories, prices, boundaries,
            byTitle, search, work);
        if (delta.Categories is null) next.CarryLists(this, delta);
        return next;
    }

    private int _listsPatched, _listsKept;

    /// <summary>The grid orders kept in <paramref name="previous"/>, brought into this version: as they were, or patched.</summary>
    private void CarryLists(CatalogSnapshot previous, CatalogDelta delta)
    {
        var pricedProducts = delta.Prices.Keys
            .Select(key => (Region: (int)(key >> 32), Sku: Skus.GetValueOrDefault((int)(uint)key)))
            .Where(p => p.Sku is not null && Products.TryGetValue(p.Sku.ProductId, out var product) && product.Skus[0].Id == p.Sku.Id)
            .ToLookup(p => p.Region, p => p.Sku!.ProductId);
        foreach (var (key, list) in previous._lists)
        {
            var member = Membership(key);
            var touched = delta.Products.Keys
                .Where(id => previous.Products.TryGetValue(id, out var old) && member(old) || Products.TryGetValue(id, out var now) && member(now))
                .ToHashSet();
            if (key.Sort is ProductSort.PriceAsc or ProductSort.PriceDesc)
                foreach (var id in pricedProducts[key.RegionId])
                    if (Products.TryGetValue(id, out var product) && member(product)) touched.Add(id);
            if (touched.Count == 0)
            {
                _lists[key] = list;
                _listsKept++;
                continue;
            }
            var added = touched.Select(id => Products.GetValueOrDefault(id)).OfType<CatalogProduct>().Where(member).ToList();
            _lists[key] = Patch(list, touched, added, new ListOrder(this, key));
            _listsPatched++;
        }
    }

    /// <summary>How many kept grid orders the last change patched, and how many it carried over untouched.</summary>
    public (int Patched, int Kept) ListWork => (_listsPatched, _listsKept);

    /// <summary>
    /// <paramref name="sorted"/> without the products named in <paramref name="remove"/>, with <paramref name="add"/>
    /// merged in by <paramref name="order"/>: linear in the list, and the products kept stay in the order they had.
    /// </summary>
    private static CatalogProduct[] Patch(IReadOnlyList<CatalogProduct> sorted, IReadOnlySet<int> remove, List<CatalogProduct> add, IComparer<CatalogProduct> order)
    {
        add.Sort(order);
        var result = new CatalogProduct[sorted.Count - sorted.Count(p => remove.Contains(p.Id)) + add.Count];
        int n = 0, a = 0;
        foreach (var product in sorted)
        {
            if (remove.Contains(product.Id)) continue;
            while (a < add.Count && order.Compare(add[a], product) < 0) result[n++] = add[a++];
            result[n++] = product;
        }
        while (a < add.Count) result[n++] = add[a++];
        return result;
    }
}
