using System.Collections.Concurrent;
using Mall.Application.Platform;
using Mall.Domain.Analytics;
using Mall.Domain.Common;

namespace Mall.Application.Analytics;

/// <summary>
/// A/B tests: the operator defines them; a visitor's variant is a hash of the experiment and the visitor
/// (<see cref="ExperimentAssignment"/>), stored at its first exposure so it never moves; what exposed
/// visitors go on to do is recorded on their assignment, each stage once. Results count assignments,
/// so exposures and conversions are distinct units, as the z-test and the sample-ratio check assume.
/// </summary>
public sealed class ExperimentService(
    IDocumentCollection<Experiment> experiments,
    IDocumentCollection<ExperimentAssignmentRecord> assignments,
    AnalyticsOptions options,
    TimeProvider time)
{
    public const int AssignmentShards = 16;
    private const string Partition = "experiment";
    private static readonly TimeSpan ListCacheTime = TimeSpan.FromSeconds(5);

    private readonly ConcurrentDictionary<string, (DateTimeOffset At, ExperimentResults Results)> results = new(StringComparer.Ordinal);
    private RecentCache? recent;

    public async Task<(ExperimentView View, bool Created)> CreateAsync(ExperimentRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var proposed = new Experiment(
            request.Id!,
            request.Name!,
            request.Metric!.Value,
            request.Variants!.Select(v => new VariantWeight(v!.Name!, v.Weight!.Value)).ToList(),
            request.StartsAt!.Value.ToUniversalTime(),
            request.EndsAt!.Value.ToUniversalTime(),
            now);
        var outcome = await experiments.TransitionAsync(
            Key(proposed.Id),
            current =>
            {
                if (current is null)
                {
                    return Decision.Write(proposed, (proposed, true));
                }

                var stored = current.Value;
                var same = stored.Name == proposed.Name && stored.Metric == proposed.Metric && stored.StartsAt == proposed.StartsAt
                    && stored.EndsAt == proposed.EndsAt && stored.Variants.SequenceEqual(proposed.Variants);
                return same
                    ? Decision.Keep<Experiment, (Experiment, bool)>((stored, false))
                    : throw new DomainException(ErrorCode.Conflict, $"Experiment {proposed.Id} exists with another definition; an experiment never changes once saved (a unit's variant must not move). Use a new id.");
            },
            cancellationToken);
        recent = null;
        return (ExperimentView.Of(outcome.Item1, now), outcome.Item2);
    }

    public async Task<IReadOnlyList<ExperimentView>> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return (await AllAsync(cancellationToken)).OrderByDescending(e => e.StartsAt).Select(e => ExperimentView.Of(e, now)).ToList();
    }

    public async Task<ExperimentView> StopAsync(string experimentId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var stopped = await experiments.UpdateAsync(Key(experimentId), $"experiment {experimentId}", e => e.Stop(now), cancellationToken);
        recent = null;
        return ExperimentView.Of(stopped, now);
    }

    /// <summary>
    /// The experiments events may still count for: started, and not ended longer ago than an event may arrive
    /// late (a conversion inside the window can reach the mall after the end). Each instance re-reads them
    /// every few seconds.
    /// </summary>
    public async Task<IReadOnlyList<Experiment>> RecentAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (recent is { } cached && now - cached.At < ListCacheTime)
        {
            return cached.Experiments;
        }

        var horizon = now.AddHours(-options.MaxEventAgeHours);
        var list = (await AllAsync(cancellationToken)).Where(e => e.StartsAt <= now && e.EffectiveEnd > horizon).ToList();
        recent = new RecentCache(now, list);
        return list;
    }

    /// <summary>The visitor's variant for the mini-program to show; recorded as an exposure while the experiment runs.</summary>
    public async Task<AssignmentView> AssignAsync(string experimentId, string visitor, CancellationToken cancellationToken) =>
        await AssignAsync(await FindAsync(experimentId, cancellationToken) ?? throw DomainException.NotFound($"experiment {experimentId}"), visitor, cancellationToken);

    /// <inheritdoc cref="AssignAsync(string, string, CancellationToken)"/>
    public async Task<AssignmentView> AssignAsync(Experiment experiment, string visitor, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (!experiment.Counts(now))
        {
            return new AssignmentView(experiment.Id, experiment.Control, false);
        }

        var assignment = await ExposeAsync(experiment, visitor, now, cancellationToken);
        return new AssignmentView(experiment.Id, assignment.Variant, true);
    }

    public async Task<Experiment?> FindAsync(string experimentId, CancellationToken cancellationToken) =>
        (await experiments.FindAsync(Key(experimentId), cancellationToken))?.Value;

    /// <summary>Records the visitor's exposure: the first stores its variant, an earlier one arriving later moves the exposure back.</summary>
    public Task<ExperimentAssignmentRecord> ExposeAsync(Experiment experiment, string visitor, DateTimeOffset at, CancellationToken cancellationToken) =>
        assignments.TransitionAsync(
            AssignmentKey(experiment.Id, visitor),
            current =>
            {
                if (current is not null)
                {
                    var earlier = current.Value.ExposedEarlier(at);
                    return ReferenceEquals(earlier, current.Value)
                        ? Decision.Keep<ExperimentAssignmentRecord, ExperimentAssignmentRecord>(current.Value)
                        : Decision.Write(earlier, earlier);
                }

                var assigned = new ExperimentAssignmentRecord(experiment.Id, visitor, ExperimentAssignment.Assign(experiment.Id, visitor, experiment.Variants), at);
                return Decision.Write(assigned, assigned);
            },
            cancellationToken);

    /// <summary>Records on each experiment the visitor is exposed to the funnel stages these events reached inside its window.</summary>
    public async Task TrackAsync(IReadOnlyList<Experiment> experimentsToTrack, string visitor, IReadOnlyList<LedgerEvent> events, CancellationToken cancellationToken)
    {
        var reached = events
            .Select(e => (Stage: TrackedEvents.StageOf(e.Type), At: e.OccurredAt))
            .Where(r => r.Stage is not null)
            .Select(r => (r.Stage!.Value, r.At))
            .ToList();
        if (reached.Count == 0)
        {
            return;
        }

        foreach (var experiment in experimentsToTrack)
        {
            var inWindow = reached.Where(r => experiment.Counts(r.At)).ToList();
            if (inWindow.Count == 0)
            {
                continue;
            }

            await assignments.TransitionAsync(
                AssignmentKey(experiment.Id, visitor),
                current =>
                {
                    var next = current?.Value.Reach(inWindow);
                    return next is null || ReferenceEquals(next, current!.Value)
                        ? Decision.Keep<ExperimentAssignmentRecord, bool>(false)
                        : Decision.Write(next, true);
                },
                cancellationToken);
        }
    }

    /// <summary>Per variant: exposures, conversions, the rate's 95% interval, the z-test against control; and the sample-ratio check.</summary>
    public async Task<ExperimentResults> ResultsAsync(string experimentId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (results.TryGetValue(experimentId, out var cached) && now - cached.At < TimeSpan.FromSeconds(options.LiveCountCacheSeconds))
        {
            return cached.Results;
        }

        var experiment = (await experiments.FindAsync(Key(experimentId), cancellationToken))?.Value
            ?? throw DomainException.NotFound($"experiment {experimentId}");
        var units = await UnitsAsync(experiment, cancellationToken);
        var computed = Results(experiment, units, ClockSkew, now);
        results[experimentId] = (now, computed);
        return computed;
    }

    /// <summary>Each variant's funnel: exposed units (the visit) and those who then reached each stage, all time or within a period.</summary>
    public async Task<IReadOnlyList<FunnelView>> FunnelAsync(string experimentId, string period, DateTimeOffset? from, DateTimeOffset? until, CancellationToken cancellationToken)
    {
        var experiment = (await experiments.FindAsync(Key(experimentId), cancellationToken))?.Value
            ?? throw DomainException.NotFound($"experiment {experimentId}");
        var units = await UnitsAsync(experiment, cancellationToken);
        bool Inside(DateTimeOffset at) => (from is null || at >= from) && (until is null || at < until);
        return experiment.Variants.Select(variant =>
        {
            var mine = units.Where(u => u.Variant == variant.Variant).ToList();
            var counts = Enum.GetValues<FunnelStage>().Select(stage => (long)mine.Count(u => u.ReachedAfterExposure(stage, ClockSkew) is { } at && Inside(at))).ToList();
            return Funnels.View(period, experimentId, variant.Variant, counts);
        }).ToList();
    }

    public static ExperimentResults Results(Experiment experiment, IReadOnlyList<ExperimentAssignmentRecord> units, TimeSpan clockSkew, DateTimeOffset now)
    {
        var byVariant = experiment.Variants.Select(v =>
        {
            var mine = units.Where(u => u.Variant == v.Variant).ToList();
            return (v, Exposures: (long)mine.Count, Conversions: (long)mine.Count(u => u.Converted(experiment.Metric, clockSkew)));
        }).ToList();
        var control = byVariant[0];
        var variants = byVariant.Select((entry, index) =>
        {
            var estimate = ExperimentStatistics.Proportion(entry.Conversions, entry.Exposures);
            var comparison = index == 0 ? null : ExperimentStatistics.Compare(control.Conversions, control.Exposures, entry.Conversions, entry.Exposures);
            return new VariantResult(entry.v.Variant, index == 0, entry.v.Weight, entry.Exposures, entry.Conversions, estimate.Rate, estimate.Low, estimate.High, comparison?.Lift, comparison?.ZScore, comparison?.PValue);
        }).ToList();
        var ratio = ExperimentStatistics.SampleRatio(byVariant.Select(v => v.Exposures).ToList(), experiment.Variants.Select(v => v.Weight).ToList());
        return new ExperimentResults(experiment.Id, experiment.Name, experiment.Metric.ToString(), experiment.StatusAt(now).ToString(), variants, ratio.PValue, ratio.Mismatch);
    }

    private async Task<IReadOnlyList<ExperimentAssignmentRecord>> UnitsAsync(Experiment experiment, CancellationToken cancellationToken)
    {
        var shards = await Task.WhenAll(Enumerable.Range(0, AssignmentShards).Select(async shard =>
        {
            var found = new List<ExperimentAssignmentRecord>();
            await foreach (var unit in assignments.ScanAsync(new DocumentQuery { PartitionKey = AssignmentPartition(experiment.Id, shard) }, 1000, cancellationToken))
            {
                found.Add(unit.Value);
            }

            return found;
        }));
        return shards.SelectMany(s => s).ToList();
    }

    private async Task<IReadOnlyList<Experiment>> AllAsync(CancellationToken cancellationToken)
    {
        var all = new List<Experiment>();
        await foreach (var experiment in experiments.ScanAsync(new DocumentQuery { PartitionKey = Partition }, 1000, cancellationToken))
        {
            all.Add(experiment.Value);
        }

        return all;
    }

    /// <summary>How far a phone's clock may be behind the mall's: as far as events may claim to be ahead.</summary>
    private TimeSpan ClockSkew => TimeSpan.FromMinutes(options.MaxClockSkewMinutes);

    private static DocumentKey Key(string experimentId) => new(Partition, experimentId);

    private sealed record RecentCache(DateTimeOffset At, IReadOnlyList<Experiment> Experiments);

    private static string AssignmentPartition(string experimentId, int shard) => $"{experimentId}|{shard:D2}";

    private static DocumentKey AssignmentKey(string experimentId, string visitor) =>
        new(AssignmentPartition(experimentId, Ids.Shard(visitor, AssignmentShards)), visitor);
}
