namespace QCommerce.Core.Common;

/// <summary>
/// A broken invariant: the caller asked for something the domain never allows (an illegal state
/// transition, mixing currencies). Expected outcomes such as "out of stock" are returned as data instead.
/// </summary>
public class DomainException(string message) : Exception(message);

/// <summary>Something the caller named does not exist (or is not theirs to see).</summary>
public sealed class NotFoundException(string what, string id) : DomainException($"{what} '{TextRules.Excerpt(id)}' was not found.")
{
    public string What { get; } = what;
    public string Id { get; } = id;
}

/// <summary>The caller is signed in but may not do this (a shopper on a staff route, a locked or demoted member of staff). 403.</summary>
public sealed class AccessDeniedException(string message) : DomainException(message);

/// <summary>
/// The request is understood but collides with the current state: an order that is already being
/// picked, an idempotency key still in flight. The API answers 409.
/// </summary>
public class ConflictException(string message) : DomainException(message);

/// <summary>
/// Every problem with a request at once, keyed by the field it concerns ("items[1].qty",
/// "couponCode"), so a shopper or an app can fix them all in one go. Nothing was written.
/// </summary>
public sealed class RequestRejectedException(IReadOnlyDictionary<string, string[]> errors, Enum? reason = null)
    : DomainException(string.Join(" ", errors.SelectMany(e => e.Value)))
{
    public IReadOnlyDictionary<string, string[]> Errors { get; } = errors;

    /// <summary>
    /// Why, as data a page can map to its own words (a feature's own enum, such as the cart's refusals): the messages
    /// are for people, and nobody branches on them.
    /// </summary>
    public Enum? Reason { get; } = reason;
}

/// <summary>Collects field problems while a use case validates its input, then throws them together.</summary>
public sealed class ProblemList
{
    private readonly Dictionary<string, List<string>> _problems = new(StringComparer.Ordinal);

    public bool Any => _problems.Count > 0;

    public bool Has(string field) => _problems.ContainsKey(field);

    public void Add(string field, string message)
    {
        if (!_problems.TryGetValue(field, out var list)) _problems[field] = list = [];
        list.Add(message);
    }

    /// <summary>The first reason given with <see cref="Add(string, string, Enum)"/>, if any.</summary>
    public Enum? Reason { get; private set; }

    public void Add(string field, string message, Enum reason)
    {
        Add(field, message);
        Reason ??= reason;
    }

    /// <summary>A list that names each SKU at most once (a pick list, a refund): one problem per SKU named twice.</summary>
    public void EachSkuOnce<T>(string field, IEnumerable<T> lines, Func<T, int> skuId)
    {
        foreach (var dup in lines.GroupBy(skuId).Where(g => g.Count() > 1))
            Add(field, $"{PublicId.Format(PublicId.Sku, dup.Key)} is named twice; name each SKU once.");
    }

    public IReadOnlyDictionary<string, string[]> ToDictionary() => _problems.ToDictionary(p => p.Key, p => p.Value.ToArray(), StringComparer.Ordinal);

    public void ThrowIfAny()
    {
        if (Any) throw new RequestRejectedException(ToDictionary(), Reason);
    }
}

/// <summary>What was sent is not of a kind this accepts, judged by its content (a file that is no picture at all). The API answers 415.</summary>
public sealed class UnsupportedContentException(string message) : DomainException(message);
