namespace QCommerce.Core.Catalog;

/// <summary>
/// Full-text search over the snapshot's active products, in memory: the words of title, brand and description in one
/// sorted vocabulary, each with the products that hold it. Every word the shopper typed must match the start of a word
/// of the product (so "chob gree" finds Chobani Greek Yogurt while they type), and matches are ranked by BM25 with the
/// title weighing 10, the brand 5 and the description 1, as the database indexes did. A query costs microseconds
/// whatever the number of hits, where the database's index took milliseconds for a word in 700 products; and SQLite
/// and PostgreSQL now find the same products in the same order. A word that starts no word of the catalog is taken as a
/// typo: it matches the words one edit away (words of 4 to 7 letters) or two (8 and more), at half the weight, so "mlk"
/// finds milk and "bannana" bananas; a word that does match is never widened ("milk" does not find silk).
/// </summary>
public sealed class CatalogSearchIndex
{
    private const float TitleWeight = 10, BrandWeight = 5, DescriptionWeight = 1;
    private const float K1 = 1.2f, B = 0.75f;

    private readonly int[] _productIds;
    private readonly float[] _lengths; // weighted word count of each product
    private readonly float _averageLength;
    private readonly string[] _vocabulary; // sorted ordinally, so the words with one prefix are a range
    private readonly Posting[][] _postings; // per word: the products holding it, with its weighted frequency there
    private readonly int[][] _wordsByLength; // per length: the vocabulary's words of that length, for typos (a few lengths, not all words)

    private readonly record struct Posting(int Product, float Frequency);

    public CatalogSearchIndex(IReadOnlyList<CatalogProduct> products)
    {
        _productIds = new int[products.Count];
        _lengths = new float[products.Count];
        var byWord = new Dictionary<string, List<Posting>>(StringComparer.Ordinal);
        var frequencies = new Dictionary<string, float>(StringComparer.Ordinal);
        for (var i = 0; i < products.Count; i++)
        {
            var product = products[i];
            _productIds[i] = product.Id;
            frequencies.Clear();
            _lengths[i] = Count(product.Title, TitleWeight) + Count(product.Brand, BrandWeight) + Count(product.Description, DescriptionWeight);
            foreach (var (word, frequency) in frequencies)
            {
                if (!byWord.TryGetValue(word, out var postings)) byWord[word] = postings = [];
                postings.Add(new Posting(i, frequency));
            }
        }
        _averageLength = products.Count == 0 ? 1 : Math.Max(1, _lengths.Average());
        _vocabulary = byWord.Keys.Order(StringComparer.Ordinal).ToArray();
        _postings = _vocabulary.Select(w => byWord[w].ToArray()).ToArray();
        _wordsByLength = new int[ProductSearch.MaxWordLength + 1][];
        var byLength = Enumerable.Range(0, _vocabulary.Length).ToLookup(w => _vocabulary[w].Length);
        for (var length = 0; length < _wordsByLength.Length; length++) _wordsByLength[length] = byLength[length].ToArray();

        float Count(string text, float weight)
        {
            var words = 0;
            foreach (var word in ProductSearch.Words(text))
            {
                frequencies[word] = frequencies.GetValueOrDefault(word) + weight;
                var singular = ProductSearch.Singular(word);
                if (singular != word) frequencies[singular] = frequencies.GetValueOrDefault(singular) + weight;
                words++;
            }
            return words * weight;
        }
    }

    /// <summary>The products holding every one of <paramref name="terms"/> (each as a word's start), best first: lower <see cref="SearchHit.Rank"/> is better.</summary>
    public List<SearchHit> Match(IReadOnlyList<string> terms)
    {
        if (terms.Count == 0 || _productIds.Length == 0) return [];
        var perTerm = new List<Dictionary<int, float>>(terms.Count);
        foreach (var term in terms.Distinct(StringComparer.Ordinal))
        {
            var found = Frequencies(term);
            var singular = ProductSearch.Singular(term);
            if (singular != term) // the singular as a whole word only: "peas" finds "pea", not "peanut"
                foreach (var posting in Postings(singular))
                    found[posting.Product] = Math.Max(found.GetValueOrDefault(posting.Product), posting.Frequency);
            if (found.Count == 0) found = Misspelt(term);
            if (found.Count == 0) return [];
            perTerm.Add(found);
        }
        perTerm.Sort((a, b) => a.Count.CompareTo(b.Count)); // walk the rarest term, look the others up
        var n = _productIds.Length;
        var idf = perTerm.Select(t => MathF.Log(1 + (n - t.Count + 0.5f) / (t.Count + 0.5f))).ToArray();
        var hits = new List<SearchHit>(perTerm[0].Count);
        foreach (var (product, _) in perTerm[0])
        {
            var score = 0f;
            var norm = K1 * (1 - B + B * _lengths[product] / _averageLength);
            var everyTerm = true;
            for (var t = 0; t < perTerm.Count && everyTerm; t++)
            {
                everyTerm = perTerm[t].TryGetValue(product, out var frequency);
                score += everyTerm ? idf[t] * frequency * (K1 + 1) / (frequency + norm) : 0;
            }
            if (everyTerm) hits.Add(new SearchHit(_productIds[product], -score));
        }
        return hits;
    }

    /// <summary>
    /// Each product holding a word that starts with <paramref name="prefix"/>, with the weighted frequency of its most
    /// frequent such word (the most, not the sum: "apple" matches both "apples" and its singular, one word on the pack).
    /// </summary>
    private Dictionary<int, float> Frequencies(string prefix)
    {
        var found = new Dictionary<int, float>();
        var first = LowerBound(prefix);
        for (var w = first; w < _vocabulary.Length && _vocabulary[w].StartsWith(prefix, StringComparison.Ordinal); w++)
            foreach (var posting in _postings[w])
                found[posting.Product] = Math.Max(found.GetValueOrDefault(posting.Product), posting.Frequency);
        return found;
    }

    /// <summary>
    /// The products holding a word the shopper may have meant by <paramref name="typed"/>: one edit away for words of 4 to 7
    /// letters, two for longer ones (an edit is a letter added, dropped, changed, or two neighbours swapped), at half
    /// weight. Three letters at least are needed: two match too much to mean anything.
    /// </summary>
    private Dictionary<int, float> Misspelt(string typed)
    {
        var found = new Dictionary<int, float>();
        if (typed.Length < 3) return found;
        var rows = new int[3 * (ProductSearch.MaxWordLength + 1)]; // one buffer for every comparison
        // Only the lengths within reach: two edits change a length by two at most.
        for (var length = Math.Max(4, typed.Length - 2); length <= Math.Min(ProductSearch.MaxWordLength, typed.Length + 2); length++)
        {
            var allowed = length >= 8 ? 2 : 1;
            if (Math.Abs(length - typed.Length) > allowed) continue;
            foreach (var w in _wordsByLength[length])
            {
                if (EditDistance(typed, _vocabulary[w], allowed, rows) > allowed) continue;
                foreach (var posting in _postings[w])
                    found[posting.Product] = Math.Max(found.GetValueOrDefault(posting.Product), posting.Frequency / 2);
            }
        }
        return found;
    }

    /// <summary>Optimal string alignment distance (Damerau–Levenshtein without repeated edits), given up past <paramref name="max"/>.</summary>
    internal static int EditDistance(string a, string b, int max) => EditDistance(a, b, max, new int[3 * (b.Length + 1)]);

    private static int EditDistance(string a, string b, int max, int[] rows)
    {
        var width = b.Length + 1;
        var previous2 = rows.AsSpan(0, width);
        var previous = rows.AsSpan(width, width);
        var current = rows.AsSpan(2 * width, width);
        for (var j = 0; j <= b.Length; j++) previous[j] = j;
        for (var i = 1; i <= a.Length; i++)
        {
            current[0] = i;
            var rowBest = current[0];
            for (var j = 1; j <= b.Length; j++)
            {
                var cost = a[i - 1] == b[j - 1] ? 0 : 1;
                var value = Math.Min(Math.Min(previous[j] + 1, current[j - 1] + 1), previous[j - 1] + cost);
                if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) value = Math.Min(value, previous2[j - 2] + 1);
                current[j] = value;
                rowBest = Math.Min(rowBest, value);
            }
            if (rowBest > max) return rowBest;
            var oldest = previous2;
            previous2 = previous;
            previous = current;
            current = oldest;
        }
        return previous[b.Length];
    }

    /// <summary>The products holding exactly <paramref name="word"/>.</summary>
    private Posting[] Postings(string word)
    {
        var at = LowerBound(word);
        return at < _vocabulary.Length && _vocabulary[at] == word ? _postings[at] : [];
    }

    private int LowerBound(string prefix)
    {
        int lo = 0, hi = _vocabulary.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (string.CompareOrdinal(_vocabulary[mid], prefix) < 0) lo = mid + 1;
            else hi = mid;
        }
        return lo;
    }
}
