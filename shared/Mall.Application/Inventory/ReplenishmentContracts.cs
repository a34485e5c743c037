using Mall.Application.Analytics;
using Mall.Application.Platform;
using Mall.Domain.Inventory;

namespace Mall.Application.Inventory;

public sealed class ReplenishmentOptions
{
    public const string SectionName = "Replenishment";

    /// <summary>Hours from placing a replenishment order to the goods being on sale (the seed's 48-hour supply response).</summary>
    public int LeadTimeHours { get; set; } = 48;

    /// <summary>The chance that stock lasts through the lead time, in basis points (9500: z ≈ 1.645).</summary>
    public int ServiceLevelBps { get; set; } = 9500;

    /// <summary>CST days of sales the forecast learns from.</summary>
    public int HistoryDays { get; set; } = 28;

    /// <summary>Days of demand beyond the lead time an order covers.</summary>
    public int ReviewDays { get; set; } = 7;

    /// <summary>The forecast's smoothing constant α in basis points: the newest day's weight in the level.</summary>
    public int SmoothingBps { get; set; } = 2000;

    /// <summary>Inventory turnover the operators aim for, times a month (the seed's 6).</summary>
    public int TurnoverGoalPerMonth { get; set; } = 6;

    /// <summary>Products read (and their suggestions stored) per checkpoint.</summary>
    public int PageSize { get; set; } = 50;

    /// <summary>Products whose stock and sales are read at once within a page.</summary>
    public int ReadConcurrency { get; set; } = 8;

    public ReplenishmentPolicy ToPolicy() => new()
    {
        LeadTimeHours = LeadTimeHours,
        ServiceLevelBps = ServiceLevelBps,
        ReviewDays = ReviewDays,
        SmoothingBps = SmoothingBps,
    };
}

/// <summary>One SKU's suggestion in a day's report, with the numbers behind it.</summary>
/// <param name="OnHand">Available stock: what is still free to sell.</param>
/// <param name="HeldForPresales">Units set aside for paid presale deposits whose balance is still open (already out of <paramref name="OnHand"/>).</param>
/// <param name="DailyDemand">The forecast level: units on an average day.</param>
/// <param name="SoldLast30Days">Net units sold over the last 30 CST days (the turnover's numerator).</param>
public sealed record ReplenishmentSuggestion(
    string SkuId,
    string ProductId,
    string ProductName,
    string SkuName,
    long OnHand,
    long HeldForPresales,
    double DailyDemand,
    double DemandOverLeadTime,
    double SafetyStock,
    long ReorderPoint,
    long SuggestedQuantity,
    double? DaysOfCover,
    long SoldLast30Days,
    double? TurnoverPerMonth)
{
    public ReplenishmentLine ToLine() => new(SkuId, $"{ProductName} ({SkuName})", OnHand, DailyDemand, ReorderPoint, SuggestedQuantity, DaysOfCover);

    /// <summary>What to order first: SKUs with a suggestion, then those whose stock runs out soonest (no demand last).</summary>
    public static IEnumerable<ReplenishmentSuggestion> MostUrgentFirst(IEnumerable<ReplenishmentSuggestion> lines) =>
        lines.OrderByDescending(l => l.SuggestedQuantity > 0).ThenBy(l => l.DaysOfCover ?? double.PositiveInfinity).ThenBy(l => l.SkuId, StringComparer.Ordinal);
}

/// <summary>The suggestions for one product's on-sale SKUs on one day: one stored document, written once per day.</summary>
public sealed record ReplenishmentProductLines(DateOnly Day, string ProductId, IReadOnlyList<ReplenishmentSuggestion> Lines);

/// <summary>
/// One CST day's replenishment run: where it has got to (checkpointed after the presale count and after
/// every page of products, so a crashed run resumes) and the day's totals. The suggestions themselves are
/// stored per product (<see cref="ReplenishmentProductLines"/>); only the most urgent are kept here.
/// </summary>
public sealed record ReplenishmentRun : IDailyRun
{
    /// <summary>Lines kept in the run itself, for the dashboard: enough to read at a glance, small enough for one entity.</summary>
    public const int MostUrgentKept = 50;

    public required DateOnly Day { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    /// <summary>The settings the day was computed with (a resumed run keeps them).</summary>
    public required ReplenishmentPolicy Policy { get; init; }

    public required int HistoryDays { get; init; }

    /// <summary>Units held for open presale deposits, per SKU; null until counted (the run's first step).</summary>
    public Dictionary<string, long>? HeldForPresales { get; init; }

    public string? ContinuationToken { get; init; }

    public int Pages { get; init; }

    public int Products { get; init; }

    public int Skus { get; init; }

    public int ToReorder { get; init; }

    public long UnitsToOrder { get; init; }

    public long SoldLast30Days { get; init; }

    /// <summary>The SKUs' average on hand over the last 30 days, summed (the turnover's denominator).</summary>
    public double AverageOnHand { get; init; }

    public IReadOnlyList<ReplenishmentSuggestion> MostUrgent { get; init; } = [];

    /// <summary>All on-sale SKUs together: units sold over the last 30 days against their average on hand.</summary>
    public double? TurnoverPerMonth() => InventoryTurnover.PerMonth(SoldLast30Days, AverageOnHand) is { } turnover ? Math.Round(turnover, 2) : null;
}

/// <summary>A day's report for operators: its totals, the most urgent lines, and one page of every product's lines.</summary>
/// <param name="ContinuationToken">The next page of <paramref name="Lines"/> (same day); null when done.</param>
public sealed record ReplenishmentReport(
    string Day,
    DateTimeOffset StartedAt,
    DateTimeOffset? CompletedAt,
    ReplenishmentPolicy Policy,
    int HistoryDays,
    int Products,
    int Skus,
    int ToReorder,
    long UnitsToOrder,
    long SoldLast30Days,
    double? TurnoverPerMonth,
    double TurnoverGoal,
    IReadOnlyList<ReplenishmentSuggestion> MostUrgent,
    IReadOnlyList<ReplenishmentSuggestion> Lines,
    string? ContinuationToken);
