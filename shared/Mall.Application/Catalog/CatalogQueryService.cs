using Mall.Application.Inventory;
using Mall.Application.Platform;
using Mall.Domain.Catalog;
using Mall.Domain.Common;

namespace Mall.Application.Catalog;

/// <summary>What the storefront reads: lists (one partition query each), product detail with live stock, the home feed.</summary>
public sealed class CatalogQueryService(
    IDocumentCollection<Product> products,
    IDocumentCollection<ProductListingEntry> listings,
    StockService stock,
    RecentProductViews recent,
    CatalogOptions options,
    TimeProvider time)
{
    public async Task<ProductPage> ListAsync(string? categoryId, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var partition = string.IsNullOrEmpty(categoryId) ? ProductListings.All : ProductListings.Category(categoryId);
        var page = await listings.QueryAsync(new DocumentQuery { PartitionKey = partition }, continuationToken, pageSize, cancellationToken);
        var now = time.GetUtcNow();
        return new ProductPage(page.Items.Select(e => e.Value.ToSummary(now)).ToList(), page.ContinuationToken);
    }

    public async Task<HomeFeed> HomeAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var week = ChinaTime.IsoWeekOf(now);
        var drop = await listings.QueryAsync(new DocumentQuery { PartitionKey = ProductListings.Drop(week) }, null, 10, cancellationToken);
        var newest = await listings.QueryAsync(new DocumentQuery { PartitionKey = ProductListings.All }, null, 10, cancellationToken);
        return new HomeFeed(week, drop.Items.Select(e => e.Value.ToSummary(now)).ToList(), newest.Items.Select(e => e.Value.ToSummary(now)).ToList());
    }

    /// <summary>An on-sale product with its enabled SKUs, their stock (at most about a second old) and (only if truthful) reference prices.</summary>
    public async Task<ProductView> GetAsync(string productId, CancellationToken cancellationToken)
    {
        if (recent.TryGet(productId, out var view))
        {
            return view;
        }

        var now = time.GetUtcNow();
        var product = await GetOnSaleAsync(productId, cancellationToken);
        var available = await stock.AvailableAsync(productId, cancellationToken);
        view = new ProductView(
            product.Id,
            product.Title,
            product.Subtitle,
            product.Description,
            product.CategoryId,
            product.Tags,
            product.DropWeek,
            product.Media,
            product.PurchaseLimit,
            product.Skus.Where(s => s.Enabled)
                .Select(s => new SkuView(s.Id, s.Name, s.Attributes, s.PriceFen, ReferencePriceRule.Displayable(s, now, options.ReferenceLookback), available.GetValueOrDefault(s.Id)))
                .ToList(),
            now);
        recent.Remember(view);
        return view;
    }

    /// <summary>The product a SKU belongs to, if the product is on sale and the SKU enabled.</summary>
    public async Task<(Product Product, Sku Sku)> GetSellableSkuAsync(string skuId, CancellationToken cancellationToken)
    {
        if (!SkuIds.TryParse(skuId, out var productId, out _))
        {
            throw DomainException.NotFound($"SKU {skuId}");
        }

        var product = (await products.FindAsync(DocumentKey.Single(productId), cancellationToken))?.Value;
        var sku = product?.FindSku(skuId);
        if (product is null || sku is null)
        {
            throw DomainException.NotFound($"SKU {skuId}");
        }

        if (product.Status != ProductStatus.OnSale || !sku.Enabled)
        {
            throw new DomainException(ErrorCode.ProductNotOnSale, $"{product.Title} ({sku.Name}) is not on sale.");
        }

        return (product, sku);
    }

    private async Task<Product> GetOnSaleAsync(string productId, CancellationToken cancellationToken)
    {
        var product = (await products.FindAsync(DocumentKey.Single(productId), cancellationToken))?.Value;
        return product is { Status: ProductStatus.OnSale } ? product : throw DomainException.NotFound($"Product {productId}");
    }
}
