using Mall.Domain.Common;

namespace Mall.Domain.Catalog;

/// <summary>What an operator submits for a product; SKU ids are null for new SKUs.</summary>
public sealed record ProductDraft(
    string Title,
    string? Subtitle,
    string? Description,
    string CategoryId,
    IReadOnlyList<string> Tags,
    string? DropWeek,
    ProductMedia Media,
    int? PurchaseLimit,
    ProductStatus Status,
    IReadOnlyList<SkuDraft> Skus);

public sealed record SkuDraft(
    string? SkuId,
    string Name,
    IReadOnlyDictionary<string, string> Attributes,
    long PriceFen,
    long? ReferencePriceFen,
    bool Enabled,
    long InitialStock);

/// <summary>A saved product and the event announcing the change (which also carries new SKUs' initial stock).</summary>
public sealed record ProductSave(Product Product, ProductChanged Changed);

/// <summary>
/// Turns an operator's draft into a product, enforcing SKU identity and keeping price history (whether its
/// reference prices are truthful is a compliance rule, checked on the result: Compliance/ComplianceRules).
/// </summary>
public static class ProductEditor
{
    /// <summary>
    /// Price periods kept per SKU at most, so a product document stays bounded however often prices
    /// change; losing the oldest only makes the reference-price rule stricter.
    /// </summary>
    public const int MaxPricePeriods = 30;

    /// <summary>How long price history is kept beyond the reference-price lookback.</summary>
    private static readonly TimeSpan HistoryMargin = TimeSpan.FromDays(30);

    public static ProductSave Save(string productId, Product? existing, ProductDraft draft, DateTimeOffset now, TimeSpan referenceLookback)
    {
        var skus = new List<Sku>(draft.Skus.Count);
        var newSkuStock = new Dictionary<string, long>();
        var nextNumber = 1 + (existing?.Skus.Max(s => SkuIds.TryParse(s.Id, out _, out var number) ? number : 0) ?? 0);

        for (var i = 0; i < draft.Skus.Count; i++)
        {
            var skuDraft = draft.Skus[i];
            Sku? previous = null;
            if (skuDraft.SkuId is not null)
            {
                previous = existing?.FindSku(skuDraft.SkuId)
                    ?? throw DomainException.Validation($"skus[{i}].skuId", $"SKU '{skuDraft.SkuId}' does not belong to this product; leave skuId empty to add a SKU.");
            }

            var skuId = previous?.Id ?? SkuIds.For(productId, nextNumber++);
            var history = previous is null
                ? [new PricePeriod(skuDraft.PriceFen, now)]
                : WithPrice(previous.PriceHistory, skuDraft.PriceFen, now, referenceLookback + HistoryMargin);
            var sku = new Sku
            {
                Id = skuId,
                Name = skuDraft.Name,
                Attributes = skuDraft.Attributes,
                PriceFen = skuDraft.PriceFen,
                ReferencePriceFen = skuDraft.ReferencePriceFen,
                Enabled = skuDraft.Enabled,
                PriceHistory = history,
                AddedAt = previous is null ? now : previous.AddedAt,
            };

            if (previous is null)
            {
                newSkuStock[skuId] = skuDraft.InitialStock;
            }

            skus.Add(sku);
        }

        var removed = existing?.Skus.Where(s => skus.All(k => k.Id != s.Id)).Select(s => s.Id).ToList() ?? [];
        if (removed.Count > 0)
        {
            throw DomainException.Validation("skus", $"SKUs cannot be removed (orders refer to them); disable them instead: {string.Join(", ", removed)}.");
        }

        var product = new Product
        {
            Id = productId,
            Title = draft.Title,
            Subtitle = draft.Subtitle,
            Description = draft.Description,
            CategoryId = draft.CategoryId,
            Tags = draft.Tags,
            DropWeek = draft.DropWeek,
            Media = draft.Media,
            PurchaseLimit = draft.PurchaseLimit,
            Status = draft.Status,
            Skus = skus,
            CreatedAt = existing?.CreatedAt ?? now,
            OnSaleSince = existing?.OnSaleSince ?? (draft.Status == ProductStatus.OnSale ? now : null),
            UpdatedAt = now,
            Revision = (existing?.Revision ?? 0) + 1,
        };

        var newSkus = newSkuStock.Select(sku => new InitialStock(sku.Key, sku.Value)).ToList();
        return new ProductSave(product, new ProductChanged(productId, product.Revision, product.Status, existing?.CategoryId, existing?.DropWeek, newSkus) { OccurredAt = now });
    }

    /// <summary>Appends a price change and forgets periods that ended before the retention window, and the oldest beyond <see cref="MaxPricePeriods"/>.</summary>
    private static List<PricePeriod> WithPrice(IReadOnlyList<PricePeriod> history, long priceFen, DateTimeOffset now, TimeSpan retention)
    {
        var periods = history.ToList();
        if (periods.Count == 0 || periods[^1].PriceFen != priceFen)
        {
            periods.Add(new PricePeriod(priceFen, now));
        }

        // Period i ends when period i+1 starts; keep every period that ended inside the window.
        var firstKept = Math.Max(0, periods.Count - MaxPricePeriods);
        while (firstKept < periods.Count - 1 && periods[firstKept + 1].From < now - retention)
        {
            firstKept++;
        }

        return periods.GetRange(firstKept, periods.Count - firstKept);
    }
}
