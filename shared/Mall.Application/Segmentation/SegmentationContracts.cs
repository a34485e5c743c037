using Mall.Application.Platform;
using Mall.Domain.Segmentation;

namespace Mall.Application.Segmentation;

public sealed class SegmentationOptions
{
    public const string SectionName = "Segmentation";

    public int DormantAfterDays { get; set; } = 180;

    public int ActiveOrdersPerMonth { get; set; } = 3;

    public int ActiveWindowMonths { get; set; } = 3;

    /// <summary>Customers read (and written, if their segment changed) per checkpoint.</summary>
    public int PageSize { get; set; } = 500;

    /// <summary>Concurrent customer writes within a page.</summary>
    public int WriteConcurrency { get; set; } = 16;

    /// <summary>Coupon template granted on entering each segment (the automatic action), by segment name; empty: none.</summary>
    public Dictionary<string, string> CouponTemplates { get; set; } = [];

    public SegmentRules ToRules() => new() { DormantAfterDays = DormantAfterDays, ActiveOrdersPerMonth = ActiveOrdersPerMonth, ActiveWindowMonths = ActiveWindowMonths };
}

/// <summary>
/// One day's segmentation run (keyed by CST date): where it has got to (a continuation token,
/// checkpointed after every page, so a crashed run resumes) and what it found.
/// </summary>
public sealed record SegmentationRun : IDailyRun
{
    public required DateOnly Day { get; init; }

    public required DateTimeOffset StartedAt { get; init; }

    public DateTimeOffset? CompletedAt { get; init; }

    public string? ContinuationToken { get; init; }

    public int Pages { get; init; }

    public int Processed { get; init; }

    public int Changed { get; init; }

    /// <summary>Customers per segment after the run.</summary>
    public Dictionary<string, int> Sizes { get; init; } = [];

    /// <summary>Moves between segments ("Potential->FirstOrder").</summary>
    public Dictionary<string, int> Transitions { get; init; } = [];

    /// <summary>What each segment's customers paid in the last complete CST month (for ARPU).</summary>
    public Dictionary<string, long> LastMonthSpendFen { get; init; } = [];

    /// <summary>Average last-month spend per customer of <paramref name="segment"/>; null when the segment was empty.</summary>
    public long? Arpu(CustomerSegment segment)
    {
        var size = Sizes.GetValueOrDefault(segment.ToString());
        return size == 0 ? null : LastMonthSpendFen.GetValueOrDefault(segment.ToString()) / size;
    }
}

/// <summary>A segment's target metric from the seed over a period, with the numbers behind it.</summary>
/// <param name="Basis">The numbers behind the rate, readable ("12 of 80").</param>
public sealed record SegmentMetric(string Segment, string Metric, double? Rate, double Target, string Basis);

public sealed record SegmentReport(IReadOnlyList<SegmentationRun> Runs, IReadOnlyList<SegmentMetric> Targets);
