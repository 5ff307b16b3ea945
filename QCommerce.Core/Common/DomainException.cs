namespace QCommerce.Core.Common;

/// <summary>
/// A broken invariant: the caller asked for something the domain never allows (an illegal state
/// transition, mixing currencies). Expected outcomes such as "out of stock" are returned as data instead.
/// </summary>
public class DomainException(string message) : Exception(message);

/// <summary>Something the caller named does not exist (or is not theirs to see).</summary>
public sealed class NotFoundException(string what, string id) : DomainException($"{what} '{id}' was not found.")
{
    public string What { get; } = what;
    public string Id { get; } = id;
}
