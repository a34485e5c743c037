namespace Mall.Application.Catalog;

public sealed class CatalogOptions
{
    public const string SectionName = "Catalog";

    /// <summary>A reference price must have been the selling price within this many days (SPEC §4.2).</summary>
    public int ReferencePriceLookbackDays { get; set; } = 7;

    public TimeSpan ReferenceLookback => TimeSpan.FromDays(ReferencePriceLookbackDays);
}
