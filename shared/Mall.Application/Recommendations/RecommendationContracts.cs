using Mall.Application.Catalog;
using Mall.Application.Platform;
using Mall.Domain.Recommendations;

namespace Mall.Application.Recommendations;

public sealed class RecommendationOptions
{
    public const string SectionName = "Recommendations";

    /// <summary>The most pairs whose counts still fit in the run's checkpoint beside a catalog of a few thousand products.</summary>
    public const int MaxPairsThatFit = 5_000;

    /// <summary>Products a slot shows.</summary>
    public int SlotSize { get; set; } = 10;

    /// <summary>
    /// Baskets, and customers, two products must share to count as related; customers who bought a product before it is
    /// popular, and who viewed or bought it before it is popular in their segment.
    /// </summary>
    public int MinSupport { get; set; } = 2;

    /// <summary>Related products stored per product (more than a slot shows: exclusions happen at read time).</summary>
    public int KeptPerProduct { get; set; } = 30;

    /// <summary>Distinct products of a basket that count; a huge basket would add pairs quadratically.</summary>
    public int MaxBasketProducts { get; set; } = 20;

    /// <summary>
    /// Product pairs the daily run counts at most (bounds its memory and its checkpoint). The checkpoint is one stored
    /// document (about 480,000 characters): a pair takes about 50 of them, a counted product about 30. With longer
    /// product ids or a bigger catalog the run prunes further at each checkpoint until it fits (<see cref="RecommendationBuilder.Fitted"/>).
    /// </summary>
    public int MaxPairs { get; set; } = 4_000;

    /// <summary>Orders (or customers) read per page.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>Pages between checkpoints: a crash repeats at most this many pages, each checkpoint costs one write of the counts.</summary>
    public int CheckpointEveryPages { get; set; } = 10;

    /// <summary>An experiment (variants "personal" and "popular") deciding the home feed's algorithm per customer; empty: always personal.</summary>
    public string FeedExperimentId { get; set; } = string.Empty;

    public SimilarityRules ToRules() => new() { MinSupport = MinSupport, MinCustomers = MinSupport, KeptPerProduct = KeptPerProduct, MaxBasketProducts = MaxBasketProducts, MaxPairs = MaxPairs };
}

/// <summary>
/// What the feed experiment (<see cref="RecommendationOptions.FeedExperimentId"/>) must be: the personal feed against
/// the popular list, converting on a click in the feed (which reaches the product-view stage). With any other variant
/// names every customer would get the personal feed, an A/A test shown as an A/B one.
/// </summary>
public static class FeedExperiment
{
    public const string PersonalVariant = RecommendationAlgorithms.Personal;

    /// <summary>The variant shown the overall popular list instead of the personal feed (the baseline).</summary>
    public const string PopularVariant = RecommendationAlgorithms.Popular;

    public const Domain.Analytics.FunnelStage Metric = Domain.Analytics.FunnelStage.ProductView;

    public static bool HasItsVariants(IEnumerable<string?> names) =>
        names.Order(StringComparer.Ordinal).SequenceEqual([PersonalVariant, PopularVariant]);

    public static bool Fits(Domain.Analytics.Experiment experiment) =>
        experiment.Metric == Metric && HasItsVariants(experiment.Variants.Select(v => v.Variant));
}

/// <summary>Where a recommendation is shown; the client reports impressions and clicks with it.</summary>
public static class RecommendationSlots
{
    public const string ProductRelated = "product-related";
    public const string HomeFeed = "home-feed";
    public const string FirstOrder = "first-order";

    /// <summary>Every slot: events may name no other, so the per-slot figures stay as few as the slots.</summary>
    public static readonly IReadOnlyList<string> All = [ProductRelated, HomeFeed, FirstOrder];
}

/// <summary>How a list was made; the client reports it with impressions and clicks, so each algorithm's CTR can be compared.</summary>
public static class RecommendationAlgorithms
{
    /// <summary>Item-to-item cosine over orders and viewed-then-bought.</summary>
    public const string Related = "related";

    /// <summary>The related lists of the customer's recent views and purchases.</summary>
    public const string Personal = "personal";

    /// <summary>Most bought in the customer's segment (the cold start).</summary>
    public const string SegmentPopular = "segment-popular";

    /// <summary>Most bought overall (the baseline).</summary>
    public const string Popular = "popular";

    /// <summary>Every algorithm: events may name no other.</summary>
    public static readonly IReadOnlyList<string> All = [Related, Personal, SegmentPopular, Popular];
}

/// <summary>A product's related products as the daily run computed them.</summary>
public sealed record RelatedProducts(string ProductId, IReadOnlyList<ScoredProduct> Items, DateOnly ComputedOn);

/// <summary>The most popular products overall ("all") or in one segment, as the daily run computed them.</summary>
public sealed record PopularProducts(string Segment, IReadOnlyList<ScoredProduct> Items, DateOnly ComputedOn)
{
    public const string Everyone = "all";
}

/// <summary>A slot's products and how they were chosen (send both back with impressions and clicks).</summary>
/// <param name="ExperimentId">The experiment that chose the algorithm, if one did.</param>
public sealed record RecommendationList(string Slot, string Algorithm, string? ExperimentId, IReadOnlyList<ProductSummary> Items);

/// <summary>The FirstOrder segment's action on the home page: products related to the first order, next to the threshold coupon the segment grants.</summary>
public sealed record FirstOrderOffer(RecommendationList Related, string? CouponTemplateId);

public enum RecommendationStage
{
    Orders,
    Interests,
    Written,
}

/// <summary>
/// A product's interest in a segment (a view 1, a purchase <see cref="Ranking.PurchaseWeight"/>) and the customers it
/// comes from: a segment's list shows only products several customers are behind, not one customer's browsing.
/// </summary>
public sealed record SegmentScore(double Score, int Customers);

/// <summary>
/// One day's recomputation (keyed by CST date): which stream it is reading and where (a continuation token),
/// the counts so far (checkpointed every few pages, so a crashed run resumes with the counts its token belongs
/// to), and what it found.
/// </summary>
public sealed record RecommendationRun : IDailyRun
{
    public required DateOnly Day { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public RecommendationStage Stage { get; init; }

    public string? ContinuationToken { get; init; }

    public int Pages { get; init; }

    public int PaidOrders { get; init; }

    public int Customers { get; init; }

    public CoOccurrence Counts { get; init; } = new();

    /// <summary>Paid orders each product is in, for the popular list ("most bought"): <see cref="Counts"/> also holds viewed-then-bought baskets.</summary>
    public Dictionary<string, long> Bought { get; init; } = new(StringComparer.Ordinal);

    /// <summary>
    /// Customers who bought each of <see cref="Bought"/>'s products, counted once each from their interest (however
    /// many orders they placed): the popular list shows only products several customers bought.
    /// </summary>
    public Dictionary<string, int> BoughtBy { get; init; } = new(StringComparer.Ordinal);

    /// <summary>Interest per product in each segment, and how many of its customers it comes from.</summary>
    public Dictionary<string, Dictionary<string, SegmentScore>> SegmentInterest { get; init; } = [];

    /// <summary>Products whose related list was written.</summary>
    public int ProductsWritten { get; init; }
}
