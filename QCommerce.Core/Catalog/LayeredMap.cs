using System.Collections;
using System.Collections.Frozen;
using System.Diagnostics.CodeAnalysis;

namespace QCommerce.Core.Catalog;

/// <summary>
/// An immutable map for a snapshot that changes a little at a time: a large frozen base shared by every version, and
/// a small layer of what changed since (a value, or its removal) copied at each change. A change costs what it
/// changes plus the layer; once the layer reaches an eighth of the base, the next version folds it into a new base.
/// </summary>
public sealed class LayeredMap<TKey, TValue> : IReadOnlyDictionary<TKey, TValue> where TKey : notnull
{
    private const int SmallestFold = 1024;

    private readonly FrozenDictionary<TKey, TValue> _base;
    private readonly Dictionary<TKey, (bool Present, TValue Value)> _layer;

    public LayeredMap(IEnumerable<KeyValuePair<TKey, TValue>> items, IEqualityComparer<TKey>? comparer = null)
        : this(items.ToFrozenDictionary(comparer), new Dictionary<TKey, (bool, TValue)>(comparer), -1) { }

    private LayeredMap(FrozenDictionary<TKey, TValue> @base, Dictionary<TKey, (bool Present, TValue Value)> layer, int count)
    {
        _base = @base;
        _layer = layer;
        Count = count >= 0 ? count : @base.Count;
    }

    public int Count { get; }

    /// <summary>How many keys differ from the base (for tests and logs: what a change copied).</summary>
    public int LayerCount => _layer.Count;

    public TValue this[TKey key] => TryGetValue(key, out var value) ? value : throw new KeyNotFoundException($"{key} is not in the catalog snapshot.");

    public bool ContainsKey(TKey key) => TryGetValue(key, out _);

    public bool TryGetValue(TKey key, [MaybeNullWhen(false)] out TValue value)
    {
        if (_layer.Count != 0 && _layer.TryGetValue(key, out var changed))
        {
            value = changed.Value;
            return changed.Present;
        }
        return _base.TryGetValue(key, out value);
    }

    /// <summary>A new version with each key set to its value, or removed where the value is absent.</summary>
    public LayeredMap<TKey, TValue> With(IEnumerable<(TKey Key, bool Present, TValue Value)> changes)
    {
        var layer = new Dictionary<TKey, (bool Present, TValue Value)>(_layer, _layer.Comparer);
        var count = Count;
        foreach (var (key, present, value) in changes)
        {
            var had = layer.TryGetValue(key, out var now) ? now.Present : _base.ContainsKey(key);
            count += (present ? 1 : 0) - (had ? 1 : 0);
            if (!present && !_base.ContainsKey(key)) layer.Remove(key);
            else layer[key] = (present, present ? value : default!);
        }
        var next = new LayeredMap<TKey, TValue>(_base, layer, count);
        return layer.Count >= Math.Max(SmallestFold, _base.Count / 8) ? next.Fold() : next;
    }

    private LayeredMap<TKey, TValue> Fold() =>
        new(this.ToFrozenDictionary(_layer.Comparer), new Dictionary<TKey, (bool, TValue)>(_layer.Comparer), -1);

    public IEnumerable<TKey> Keys => this.Select(pair => pair.Key);
    public IEnumerable<TValue> Values => this.Select(pair => pair.Value);

    public IEnumerator<KeyValuePair<TKey, TValue>> GetEnumerator()
    {
        foreach (var pair in _base)
            if (_layer.Count == 0 || !_layer.ContainsKey(pair.Key)) yield return pair;
        foreach (var (key, (present, value)) in _layer)
            if (present) yield return new KeyValuePair<TKey, TValue>(key, value);
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();
}
