using Mall.Domain.Common;

namespace Mall.Domain.Catalog;

/// <summary>The stock a newly added SKU starts with.</summary>
public sealed record InitialStock(string SkuId, long Quantity);

/// <summary>An operator created or saved a product (details, prices, status, SKUs).</summary>
/// <param name="Revision">The product's save count after this save (1 for a new product).</param>
/// <param name="PreviousCategoryId">The category before the save; absent for a new product.</param>
/// <param name="PreviousDropWeek">The drop week before the save, if it had one.</param>
/// <param name="NewSkus">SKUs this save added, with the stock each starts with.</param>
public sealed record ProductChanged(string ProductId, int Revision, ProductStatus Status, string? PreviousCategoryId, string? PreviousDropWeek, IReadOnlyList<InitialStock> NewSkus) : IntegrationEvent
{
    public override string Id => $"product:{ProductId}:changed:{Revision}";

    public override string SubjectId => ProductId;
}
