using Mall.Application.Segmentation;

namespace Mall.Application.Analytics;

/// <summary>
/// Everything the operator dashboard draws, in one response (GET manage/dashboard/data): the page
/// renders only these numbers, so what the browser shows is what the API returns.
/// </summary>
public sealed record DashboardData(
    DateTimeOffset GeneratedAt,
    string Day,
    SalesDay Today,
    SalesDay Yesterday,
    IReadOnlyList<HourlyFigures> Hours,
    FunnelView Funnel,
    SegmentReport Segments,
    IReadOnlyList<AlertView> Alerts,
    IReadOnlyList<ExperimentResults> Experiments,
    ReplenishmentPanel Replenishment)
{
    /// <summary>Today's recommendation slots, per slot and algorithm.</summary>
    public IReadOnlyList<SlotFigures> Recommendations { get; init; } = [];
}

/// <summary>
/// A recommendation slot's day: impressions, clicks and click-through rate, adds to cart from it and the
/// conversion (adds to cart per click); rates null before anything was shown or clicked.
/// </summary>
public sealed record SlotFigures(string Slot, string Algorithm, long Impressions, long Clicks, double? ClickThroughRate, long AddsToCart, double? Conversion)
{
    public static IReadOnlyList<SlotFigures> Of(Domain.Analytics.Tally tally) =>
        tally.Slots.OrderBy(s => s.Key, StringComparer.Ordinal).Select(s =>
        {
            var separator = s.Key.IndexOf('/', StringComparison.Ordinal);
            var (counts, slot, algorithm) = (s.Value, s.Key[..separator], s.Key[(separator + 1)..]);
            return new SlotFigures(slot, algorithm, counts.Impressions, counts.Clicks, Rate(counts.Clicks, counts.Impressions), counts.AddsToCart, Rate(counts.AddsToCart, counts.Clicks));
        }).ToList();

    private static double? Rate(long part, long whole) => whole == 0 ? null : (double)part / whole;
}

/// <summary>One CST day's takings so far: paid GMV and orders (from the server's own payment events), visitors and page views.</summary>
public sealed record SalesDay(string Day, long GmvFen, long PaidOrders, long Visitors, long PageViews);

/// <summary>One UTC hour's counters (<see cref="Hour"/> is its start). Visitors are distinct per hour.</summary>
public sealed record HourlyFigures(
    DateTimeOffset Hour,
    long PageViews,
    long Visitors,
    long ProductViews,
    long AddToCart,
    long CheckoutStarts,
    long PaidOrders,
    long GmvFen,
    long NewCustomers,
    long SessionOpens);

/// <summary>The funnel for a period (a day or an hour), optionally for one experiment's variant.</summary>
public sealed record FunnelView(string Period, string? ExperimentId, string? Variant, IReadOnlyList<FunnelStep> Steps);

/// <summary>
/// One step: how many times it happened and its rate from the step before (null for the first step or
/// when the step before is zero).
/// </summary>
public sealed record FunnelStep(string Step, long Count, double? RateFromPrevious);

/// <summary>An alert as the operator sees it; <see cref="State"/> is Raised, Escalated, Acknowledged or Resolved.</summary>
public sealed record AlertView(
    string Id,
    string RuleId,
    string Metric,
    string Description,
    string Action,
    string State,
    double? Value,
    double Threshold,
    DateTimeOffset RaisedAt,
    DateTimeOffset? EscalatedAt,
    DateTimeOffset? AcknowledgedAt,
    string? AcknowledgedBy,
    DateTimeOffset? ResolvedAt);

/// <summary>One experiment's results per variant, with the sample-ratio check over all of them.</summary>
public sealed record ExperimentResults(
    string ExperimentId,
    string Name,
    string Metric,
    string Status,
    IReadOnlyList<VariantResult> Variants,
    double SampleRatioPValue,
    bool SampleRatioMismatch);

/// <summary>
/// A variant's exposures (distinct units), conversions (distinct exposed units that reached the metric),
/// rate and its 95% interval; against control: the two-sided z-test p-value (null for control itself).
/// </summary>
public sealed record VariantResult(
    string Variant,
    bool IsControl,
    int Weight,
    long Exposures,
    long Conversions,
    double Rate,
    double RateLow,
    double RateHigh,
    double? Lift,
    double? ZScore,
    double? PValue);

/// <summary>The latest replenishment run's suggestions for the dashboard (null Day: none has run yet).</summary>
public sealed record ReplenishmentPanel(string? Day, DateTimeOffset? ComputedAt, double? TurnoverPerMonth, double TurnoverGoal, IReadOnlyList<ReplenishmentLine> Lines);

/// <summary>A SKU to reorder: what is on hand, the forecast, reorder point and the quantity to order.</summary>
public sealed record ReplenishmentLine(
    string SkuId,
    string ProductName,
    long OnHand,
    double DailyDemand,
    long ReorderPoint,
    long SuggestedQuantity,
    double? DaysOfCover);
