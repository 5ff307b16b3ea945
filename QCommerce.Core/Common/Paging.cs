namespace QCommerce.Core.Common;

/// <summary>One page of a larger result. Page numbers start at 1.</summary>
public sealed record Page<T>(IReadOnlyList<T> Items, int PageNumber, int PageSize, int Total)
{
    public int PageCount => Total == 0 ? 1 : (Total + PageSize - 1) / PageSize;
    public bool HasPrevious => PageNumber > 1;
    public bool HasNext => PageNumber < PageCount;
}

public static class Paging
{
    public const int MaxPageSize = 100;
}
