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

    /// <summary>When it stops counting: its end, or when it was stopped, if earlier.</summary>
    public DateTimeOffset EffectiveEnd => StoppedAt is { } stopped && stopped < EndsAt ? stopped : EndsAt;

    /// <summary>Whether something a unit did at <paramref name="at"/> counts for the experiment.</summary>
    public bool Counts(DateTimeOffset at) => at >= StartsAt && at < EffectiveEnd;

    public Experiment Stop(DateTimeOffset now) => StoppedAt is not null || now >= EndsAt ? this : this with { StoppedAt = now };
}

/// <summary>
/// One unit's (a customer's or a device's) place in an experiment: the variant it was given (sticky), its
/// earliest exposure, and the latest time it reached each funnel stage inside the window. Keeping the
/// latest reach (not the first after exposure) keeps the record right whatever order batches arrive in:
/// a unit converted when it reached the stage at or after its exposure, and an exposure that arrives late
/// but happened earlier only moves <see cref="ExposedAt"/> back.
/// </summary>
public sealed record ExperimentAssignmentRecord(string ExperimentId, string Unit, string Variant, DateTimeOffset ExposedAt)
{
    public IReadOnlyDictionary<FunnelStage, DateTimeOffset> Reached { get; init; } = new Dictionary<FunnelStage, DateTimeOffset>();

    /// <summary>Records the latest time each stage was reached; this instance when nothing is new.</summary>
    public ExperimentAssignmentRecord Reach(IEnumerable<(FunnelStage Stage, DateTimeOffset At)> reached)
    {
        Dictionary<FunnelStage, DateTimeOffset>? next = null;
        foreach (var (stage, at) in reached)
        {
            if (stage == FunnelStage.Visit)
            {
                continue;
            }

            var current = (IReadOnlyDictionary<FunnelStage, DateTimeOffset>?)next ?? Reached;
            if (!current.TryGetValue(stage, out var latest) || at > latest)
            {
                next ??= new Dictionary<FunnelStage, DateTimeOffset>(Reached);
                next[stage] = at;
            }
        }

        return next is null ? this : this with { Reached = next };
    }

    /// <summary>An exposure that happened before the recorded one moves it back; the variant never changes.</summary>
    public ExperimentAssignmentRecord ExposedEarlier(DateTimeOffset at) => at < ExposedAt ? this with { ExposedAt = at } : this;

    /// <summary>
    /// When the unit reached <paramref name="stage"/> after its exposure (the visit is the exposure), if it did.
    /// The exposure may be stamped by the mall's clock and the stage by the phone's, so a stage up to
    /// <paramref name="clockSkew"/> before the exposure still counts as after it.
    /// </summary>
    public DateTimeOffset? ReachedAfterExposure(FunnelStage stage, TimeSpan clockSkew) =>
        stage == FunnelStage.Visit ? ExposedAt
        : Reached.TryGetValue(stage, out var at) && at >= ExposedAt - clockSkew ? at
        : null;

    public bool Converted(FunnelStage metric, TimeSpan clockSkew) => ReachedAfterExposure(metric, clockSkew) is not null;
}
