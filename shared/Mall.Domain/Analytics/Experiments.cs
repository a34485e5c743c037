namespace Mall.Domain.Analytics;

public enum ExperimentStatus
{
    Scheduled,
    Running,
    Stopped,
}

/// <summary>
/// An A/B test as the operator defined it: variants with weights (the first is control), the funnel
/// stage that counts as converting, and its window. Variants and weights never change once saved, so a
/// unit's assignment is the same for the experiment's whole life.
/// </summary>
public sealed record Experiment(
    string Id,
    string Name,
    FunnelStage Metric,
    IReadOnlyList<VariantWeight> Variants,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    DateTimeOffset CreatedAt)
{
    public const int MaxVariants = 8;

    public DateTimeOffset? StoppedAt { get; init; }

    public string Control => Variants[0].Variant;

    public ExperimentStatus StatusAt(DateTimeOffset now) =>
        StoppedAt is not null || now >= EndsAt ? ExperimentStatus.Stopped
        : now < StartsAt ? ExperimentStatus.Scheduled
        : ExperimentStatus.Running;

    /// <summary>Whether something a unit did at <paramref name="at"/> counts for the experiment.</summary>
    public bool Counts(DateTimeOffset at) => at >= StartsAt && at < (StoppedAt is { } stopped && stopped < EndsAt ? stopped : EndsAt);

    public Experiment Stop(DateTimeOffset now) => StoppedAt is not null || now >= EndsAt ? this : this with { StoppedAt = now };
}

/// <summary>
/// One unit's (a customer's or a device's) place in an experiment: the variant it was given at its first
/// exposure (sticky), and when it first reached each funnel stage after that, inside the window.
/// </summary>
public sealed record ExperimentAssignmentRecord(string ExperimentId, string Unit, string Variant, DateTimeOffset ExposedAt)
{
    public IReadOnlyDictionary<FunnelStage, DateTimeOffset> Reached { get; init; } = new Dictionary<FunnelStage, DateTimeOffset>();

    /// <summary>Records the first time each stage was reached at or after exposure; this instance when nothing is new.</summary>
    public ExperimentAssignmentRecord Reach(IEnumerable<(FunnelStage Stage, DateTimeOffset At)> reached)
    {
        Dictionary<FunnelStage, DateTimeOffset>? next = null;
        foreach (var (stage, at) in reached)
        {
            if (at < ExposedAt || stage == FunnelStage.Visit)
            {
                continue;
            }

            var current = (IReadOnlyDictionary<FunnelStage, DateTimeOffset>?)next ?? Reached;
            if (!current.TryGetValue(stage, out var first) || at < first)
            {
                next ??= new Dictionary<FunnelStage, DateTimeOffset>(Reached);
                next[stage] = at;
            }
        }

        return next is null ? this : this with { Reached = next };
    }

    public bool Converted(FunnelStage metric) => metric == FunnelStage.Visit || Reached.ContainsKey(metric);
}
