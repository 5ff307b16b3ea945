namespace QCommerce.Core.Cart;

/// <summary>How much one order, and so one cart, may hold.</summary>
public static class OrderLimits
{
    public const int MaxQuantityPerLine = 99;
    public const int MaxLines = 50;
}
