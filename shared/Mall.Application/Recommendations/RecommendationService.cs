using Mall.Application.Analytics;
using Mall.Application.Catalog;
using Mall.Application.Customers;
using Mall.Application.Inventory;
using Mall.Application.Platform;
using Mall.Application.Segmentation;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Membership;
using Mall.Domain.Recommendations;
using Mall.Domain.Segmentation;

namespace Mall.Application.Recommendations;

/// <summary>
/// What the recommendation slots show: a product's related list, a customer's personal feed (popular in
/// their segment when they have no history yet), the FirstOrder segment's related list. Every list leaves out
/// what may not be shown (<see cref="Ranking.MayShow"/>) and says which algorithm made it.
/// </summary>
public sealed class RecommendationService(
    IDocumentCollection<RelatedProducts> related,
    IDocumentCollection<PopularProducts> popular,
    IDocumentCollection<Product> products,
    CustomerInterests interests,
    CustomerService customers,
    StockService stock,
    ExperimentService experiments,
    RecommendationOptions options,
    SegmentationOptions segmentation,
    CatalogOptions catalog,
    TimeProvider time)
{
    /// <summary>A product's related products; the popular list when it has none yet (a new product).</summary>
    public async Task<RecommendationList> RelatedAsync(string productId, string? customerId, CancellationToken cancellationToken)
    {
        if ((await products.FindAsync(DocumentKey.Single(productId), cancellationToken))?.Value is not { Status: ProductStatus.OnSale })
        {
            throw DomainException.NotFound($"Product {productId}");
        }

        var tier = customerId is null ? MemberTier.None : (await customers.GetAsync(customerId, cancellationToken)).Member.Tier;
        var neighbours = await RelatedOfAsync(productId, cancellationToken);
        var shown = await ShowableAsync(neighbours, tier, productId, cancellationToken);
        return shown.Count > 0
            ? new RecommendationList(RecommendationSlots.ProductRelated, RecommendationAlgorithms.Related, null, shown)
            : await PopularListAsync(RecommendationSlots.ProductRelated, null, tier, productId, cancellationToken);
    }

    /// <summary>
    /// The customer's feed: made from their recent views and purchases; for a customer without history (or
    /// whose history relates to nothing yet), the popular list of their segment, then the overall one. When
    /// the feed experiment runs, its "popular" variant shows the overall popular list instead (the baseline).
    /// </summary>
    public async Task<RecommendationList> FeedAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        var tier = customer.Member.Tier;
        string? experimentId = null;
        if (options.FeedExperimentId.Length > 0 && await AssignAsync(customerId, cancellationToken) is { Recorded: true } assignment)
        {
            experimentId = assignment.ExperimentId;
            if (assignment.Variant == FeedExperiment.PopularVariant)
            {
                return await PopularListAsync(RecommendationSlots.HomeFeed, experimentId, tier, null, cancellationToken);
            }
        }

        var interest = await interests.FindAsync(customerId, cancellationToken);
        if (interest is not null)
        {
            var personal = await PersonalAsync(interest.Views, interest.Purchases, cancellationToken);
            var shown = await ShowableAsync(personal, tier, null, cancellationToken);
            if (shown.Count > 0)
            {
                return new RecommendationList(RecommendationSlots.HomeFeed, RecommendationAlgorithms.Personal, experimentId, shown);
            }
        }

        var segment = (customer.CurrentSegment ?? CustomerSegment.Potential).ToString();
        var segmentPopular = await ShowableAsync(await PopularAsync(segment, cancellationToken), tier, null, cancellationToken);
        return segmentPopular.Count > 0
            ? new RecommendationList(RecommendationSlots.HomeFeed, RecommendationAlgorithms.SegmentPopular, experimentId, segmentPopular)
            : await PopularListAsync(RecommendationSlots.HomeFeed, experimentId, tier, null, cancellationToken);
    }

    /// <summary>
    /// The FirstOrder segment's action on the home page: products related to the customer's first order, next
    /// to the threshold coupon the segment grants on entering it. Null for a customer in another segment.
    /// </summary>
    public async Task<FirstOrderOffer?> FirstOrderAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        if (customer.CurrentSegment != CustomerSegment.FirstOrder || await interests.FindAsync(customerId, cancellationToken) is not { FirstOrderProducts.Count: > 0 } interest)
        {
            return null;
        }

        var firstOrder = interest.FirstOrderProducts.Select(p => new Interaction(p, DateTimeOffset.MinValue)).ToList();
        var items = await ShowableAsync(await PersonalAsync([], firstOrder, cancellationToken), customer.Member.Tier, null, cancellationToken);
        segmentation.CouponTemplates.TryGetValue(nameof(CustomerSegment.FirstOrder), out var couponTemplateId);
        return new FirstOrderOffer(
            new RecommendationList(RecommendationSlots.FirstOrder, RecommendationAlgorithms.Related, null, items),
            string.IsNullOrEmpty(couponTemplateId) ? null : couponTemplateId);
    }

    /// <summary>
    /// The customer's variant of the feed experiment; null while the setting names no experiment (not created yet,
    /// or mistyped) or one that is not a feed experiment (<see cref="FeedExperiment.Fits"/>): the feed goes on without one.
    /// </summary>
    private async Task<AssignmentView?> AssignAsync(string customerId, CancellationToken cancellationToken)
    {
        if (await experiments.FindAsync(options.FeedExperimentId, cancellationToken) is not { } experiment || !FeedExperiment.Fits(experiment))
        {
            return null;
        }

        return await experiments.AssignAsync(experiment, LedgerKeys.CustomerVisitor(customerId), cancellationToken);
    }

    private async Task<IReadOnlyList<ScoredProduct>> PersonalAsync(IReadOnlyList<Interaction> views, IReadOnlyList<Interaction> purchases, CancellationToken cancellationToken)
    {
        var lists = new Dictionary<string, IReadOnlyList<ScoredProduct>>(StringComparer.Ordinal);
        foreach (var productId in views.Concat(purchases).Select(i => i.ProductId).Distinct(StringComparer.Ordinal))
        {
            lists[productId] = await RelatedOfAsync(productId, cancellationToken);
        }

        return Ranking.Feed(views, purchases, p => lists[p], options.KeptPerProduct);
    }

    /// <summary>The overall popular list in a slot: the baseline, and the last fallback.</summary>
    private async Task<RecommendationList> PopularListAsync(string slot, string? experimentId, MemberTier tier, string? shownWith, CancellationToken cancellationToken) =>
        new(slot, RecommendationAlgorithms.Popular, experimentId, await ShowableAsync(await PopularAsync(PopularProducts.Everyone, cancellationToken), tier, shownWith, cancellationToken));

    private async Task<IReadOnlyList<ScoredProduct>> RelatedOfAsync(string productId, CancellationToken cancellationToken) =>
        (await related.FindAsync(DocumentKey.Single(productId), cancellationToken))?.Value.Items ?? [];

    private async Task<IReadOnlyList<ScoredProduct>> PopularAsync(string segment, CancellationToken cancellationToken) =>
        (await popular.FindAsync(RecommendationBuilder.PopularKey(segment), cancellationToken))?.Value.Items ?? [];

    /// <summary>The first slot-full of candidates that may be shown, in order; candidates are checked a slot-full at a time.</summary>
    private async Task<IReadOnlyList<ProductSummary>> ShowableAsync(IReadOnlyList<ScoredProduct> candidates, MemberTier tier, string? shownWith, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var shown = new List<ProductSummary>();
        foreach (var batch in candidates.Chunk(options.SlotSize))
        {
            var checkedBatch = await Task.WhenAll(batch.Select(async candidate =>
            {
                var product = (await products.FindAsync(DocumentKey.Single(candidate.ProductId), cancellationToken))?.Value;
                if (product is null)
                {
                    return null;
                }

                var inStock = (await stock.AvailableAsync(product.Id, cancellationToken)).Any(s => s.Value > 0 && product.FindSku(s.Key)?.Enabled == true);
                return Ranking.MayShow(product, inStock, tier, shownWith) ? ProductListings.EntryFor(product, catalog.ReferenceLookback)?.ToSummary(now) : null;
            }));
            shown.AddRange(checkedBatch.OfType<ProductSummary>().Take(options.SlotSize - shown.Count));
            if (shown.Count == options.SlotSize)
            {
                break;
            }
        }

        return shown;
    }
}
