namespace Mall.Application.Catalog;

public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>A reference price must have been the selling price within this many days (SPEC §4.2).</summary>
    public int ReferencePriceLookbackDays { get; set; } = 7;

    /// <summary>How long an instance reuses a product's detail (and its stock figure) for the storefront; 0 reads every time.</summary>
    public int ProductCacheMilliseconds { get; set; } = 1_000;

    public TimeSpan ReferenceLookback => TimeSpan.FromDays(ReferencePriceLookbackDays);
}
