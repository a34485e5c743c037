using Mall.Application.Platform;
using Mall.Domain.Catalog;

namespace Mall.Application.Catalog;

/// <summary>A storefront list entry, denormalised from the product so lists are one partition query.</summary>
public sealed record ProductListingEntry(
    string ProductId,
    string Title,
    string? Subtitle,
    string? CoverImage,
    long MinPriceFen,
    long? ReferencePriceFen,
    DateTimeOffset? ReferenceShowableUntil,
    IReadOnlyList<string> Tags,
    string? DropWeek)
{
    public ProductSummary ToSummary(DateTimeOffset now) => new(
        ProductId,
        Title,
        Subtitle,
        CoverImage,
        MinPriceFen,
        ReferenceShowableUntil > now ? ReferencePriceFen : null,
        Tags,
        DropWeek);
}

/// <summary>
/// Which lists a product appears in: all products, its category, its weekly drop. Newest first:
/// the row key starts with the inverted creation time.
/// </summary>
public static class ProductListings
{
    public const string All = "all";

    public static string Category(string categoryId) => $"cat|{categoryId}";

    public static string Drop(string week) => $"drop|{week}";

    public static string RowKey(Product product) =>
        $"{DateTimeOffset.MaxValue.UtcTicks - product.CreatedAt.UtcTicks:D19}|{product.Id}";

    public static IReadOnlyList<string> PartitionsFor(string categoryId, string? dropWeek)
    {
        var partitions = new List<string> { All, Category(categoryId) };
        if (!string.IsNullOrEmpty(dropWeek))
        {
            partitions.Add(Drop(dropWeek));
        }

        return partitions;
    }

    /// <summary>The entry for an on-sale product with at least one enabled SKU; null if it should not be listed.</summary>
    public static ProductListingEntry? EntryFor(Product product, TimeSpan referenceLookback)
    {
        var cheapest = product.Skus.Where(s => s.Enabled).MinBy(s => s.PriceFen);
        if (product.Status != ProductStatus.OnSale || cheapest is null)
        {
            return null;
        }

        var showableUntil = cheapest.ReferencePriceFen is { } reference && reference > cheapest.PriceFen
            ? ReferencePriceRule.ShowableUntil(cheapest.PriceHistory, reference, referenceLookback)
            : null;
        return new ProductListingEntry(
            product.Id,
            product.Title,
            product.Subtitle,
            product.Media.Images.Count > 0 ? product.Media.Images[0] : null,
            cheapest.PriceFen,
            showableUntil is null ? null : cheapest.ReferencePriceFen,
            showableUntil,
            product.Tags,
            product.IsWeeklyDrop ? product.DropWeek : null);
    }
}

/// <summary>
/// Reacts to ProductChanged (from the product's outbox, so it runs even after a crash): creates stock
/// counters for new SKUs (if the save itself did not get that far) and brings the storefront lists in
/// line with the product. Idempotent: it always converges on the product's current state.
/// </summary>
public sealed class CatalogProjection(
    IDocumentCollection<Product> products,
    IDocumentCollection<ProductListingEntry> listings,
    Inventory.StockService stock,
    CatalogOptions options) : IEventHandler<ProductChanged>
{
    public async Task HandleAsync(ProductChanged changed, EventContext context, CancellationToken cancellationToken)
    {
        await stock.InitializeAsync(changed.ProductId, changed.NewSkus, cancellationToken);
        var product = (await products.FindAsync(DocumentKey.Single(changed.ProductId), cancellationToken))?.Value;
        if (product is null)
        {
            return;
        }

        var entry = ProductListings.EntryFor(product, options.ReferenceLookback);
        var wanted = entry is null ? [] : ProductListings.PartitionsFor(product.CategoryId, entry.DropWeek);
        var candidates = ProductListings.PartitionsFor(product.CategoryId, product.DropWeek)
            .Concat(ProductListings.PartitionsFor(changed.PreviousCategoryId ?? product.CategoryId, changed.PreviousDropWeek))
            .Distinct();
        var rowKey = ProductListings.RowKey(product);
        foreach (var partition in candidates.Except(wanted))
        {
            await listings.DeleteAsync(new DocumentKey(partition, rowKey), null, cancellationToken);
        }

        foreach (var partition in wanted)
        {
            await listings.UpsertAsync(new DocumentKey(partition, rowKey), entry!, cancellationToken);
        }
    }
}
