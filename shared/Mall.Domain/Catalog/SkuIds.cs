namespace Mall.Domain.Catalog;

/// <summary>
/// SKU ids embed their product id ("{productId}-{n}") so a cart line or order line can find the
/// product, and thus the SKU, with one point read.
/// </summary>
public static class SkuIds
{
    public static string For(string productId, int number) => $"{productId}-{number}";

    public static bool TryParse(string skuId, out string productId, out int number)
    {
        var dash = skuId.LastIndexOf('-');
        if (dash <= 0 || !int.TryParse(skuId.AsSpan(dash + 1), System.Globalization.NumberStyles.None, null, out number))
        {
            productId = string.Empty;
            number = 0;
            return false;
        }

        productId = skuId[..dash];
        return true;
    }
}
