using Mall.Application.Compliance;
using Mall.Application.Inventory;
using Mall.Application.Platform;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Compliance;

namespace Mall.Application.Catalog;

public sealed class CatalogAdminService(
    IDocumentCollection<Category> categories,
    IDocumentCollection<Product> products,
    StockService stock,
    CampaignCompliance compliance,
    CatalogOptions options,
    TimeProvider time)
{
    private const string CategoryPartition = "category";

    public async Task<Category> SaveCategoryAsync(string id, CategoryRequest request, CancellationToken cancellationToken)
    {
        if (!CatalogIds.Pattern().IsMatch(id))
        {
            throw DomainException.Validation("id", "Category ids are 1–40 lowercase letters, digits or dashes.");
        }

        var category = new Category(id, request.Name!.Trim(), request.Sort ?? 0);
        await categories.UpsertAsync(new DocumentKey(CategoryPartition, id), category, cancellationToken);
        return category;
    }

    public async Task<IReadOnlyList<Category>> ListCategoriesAsync(CancellationToken cancellationToken)
    {
        var page = await categories.QueryAsync(new DocumentQuery { PartitionKey = CategoryPartition }, null, 1000, cancellationToken);
        return page.Items.Select(c => c.Value).OrderBy(c => c.Sort).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
    }

    public Task<AdminProductView> CreateProductAsync(ProductRequest request, CancellationToken cancellationToken, string? operatorId = null) =>
        SaveProductAsync(Ids.New("P"), request, ifMatch: null, cancellationToken, operatorId);

    /// <summary>
    /// Creates or replaces a product. With <paramref name="ifMatch"/> (the version an operator last
    /// read) a concurrent edit by someone else is refused instead of silently overwritten. Its reference
    /// prices go through the compliance check (reference-price-not-truthful) before anything is written.
    /// </summary>
    public async Task<AdminProductView> SaveProductAsync(string productId, ProductRequest request, string? ifMatch, CancellationToken cancellationToken, string? operatorId = null)
    {
        if (!ProductIds.IsValid(productId))
        {
            throw DomainException.Validation("id", "Product ids are 2–40 letters, digits or underscores.");
        }

        if (await categories.FindAsync(new DocumentKey(CategoryPartition, request.CategoryId!), cancellationToken) is null)
        {
            throw DomainException.Validation("categoryId", $"Category '{request.CategoryId}' does not exist.");
        }

        var draft = request.ToDraft();
        var key = DocumentKey.Single(productId);
        ProductSave Edit(Versioned<Product>? current)
        {
            if (ifMatch is not null && VersionOf(current?.Value) != ifMatch)
            {
                throw new DomainException(ErrorCode.PreconditionFailed, "The product changed since you read it; reload and apply your edit again.");
            }

            return ProductEditor.Save(productId, current?.Value, draft, time.GetUtcNow(), options.ReferenceLookback);
        }

        // Checked (and counted) against the product as read; the guarded write checks again against the
        // product it replaces, so a price history changed in between can never let a false reference through.
        var read = await products.FindAsync(key, cancellationToken);
        var saved = (await compliance.SaveAsync(
            ListingTerms(Edit(read).Product),
            operatorId,
            () => products.TransitionFromAsync(
                key,
                read,
                current =>
                {
                    var save = Edit(current);
                    var verdict = ComplianceRules.Check(ListingTerms(save.Product), compliance.Settings, time.GetUtcNow());
                    return verdict.Refused ? throw CampaignCompliance.Refusal(verdict) : Decision.Write(save.Product, save, save.Changed);
                },
                cancellationToken),
            cancellationToken)).Value;

        // New SKUs can be sold as soon as the save answers (this also drops the product's recent view);
        // the storefront lists follow from ProductChanged.
        await stock.InitializeAsync(productId, saved.Changed.NewSkus, cancellationToken);
        return await GetProductAsync(productId, cancellationToken);
    }

    public async Task<AdminProductView> GetProductAsync(string productId, CancellationToken cancellationToken)
    {
        var product = await products.FindAsync(DocumentKey.Single(productId), cancellationToken) ?? throw DomainException.NotFound($"Product {productId}");
        return new AdminProductView(product.Value, await stock.AvailableAsync(productId, cancellationToken), VersionOf(product.Value)!);
    }

    /// <summary>What a product save claims, for compliance: each SKU's struck-through price against its price history.</summary>
    private static CampaignTerms ListingTerms(Product product) => new(CampaignMechanic.Listing, product.Id)
    {
        ReferencePrices = product.Skus
            .Select((sku, i) => sku.ReferencePriceFen is { } reference ? new ReferencePriceTerm($"skus[{i}].referencePriceFen", sku.PriceFen, sku.PriceHistory, reference) : null)
            .OfType<ReferencePriceTerm>()
            .ToList(),
    };

    /// <summary>The If-Match version of a product (an entity tag: quoted).</summary>
    private static string? VersionOf(Product? product) => product is null ? null : $"\"{product.Revision}\"";

    public async Task<ResultPage<Product>> ListProductsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await products.QueryAsync(new DocumentQuery(), continuationToken, pageSize, cancellationToken);
        return new ResultPage<Product>(page.Items.Select(p => p.Value).ToList(), page.ContinuationToken);
    }
}

public static partial class ProductIds
{
    public static bool IsValid(string id) => Pattern().IsMatch(id);

    [System.Text.RegularExpressions.GeneratedRegex("^[A-Za-z0-9_]{2,40}$")]
    private static partial System.Text.RegularExpressions.Regex Pattern();
}
