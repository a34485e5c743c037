namespace Mall.Domain.Cart;

/// <summary>One SKU in a customer's cart. Prices are never stored here: they are read at checkout.</summary>
public sealed record CartLine(string SkuId, int Quantity, DateTimeOffset AddedAt);

public static class CartRules
{
    public const int MaxQuantityPerLine = 99;
    public const int MaxLines = 50;
}
