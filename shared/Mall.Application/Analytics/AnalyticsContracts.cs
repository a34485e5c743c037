using Mall.Domain.Analytics;

namespace Mall.Application.Analytics;

public sealed class AnalyticsOptions
{
    public const string SectionName = "Analytics";

    /// <summary>Events one request may carry (SPEC §4.13: 50).</summary>
    public int MaxEventsPerBatch { get; set; } = 50;

    /// <summary>How old an event may be when it arrives; a mini-program sends within seconds, a phone back online within hours.</summary>
    public int MaxEventAgeHours { get; set; } = 48;

    /// <summary>How far ahead of the mall's clock an event may claim to be (phone clocks drift).</summary>
    public int MaxClockSkewMinutes { get; set; } = 5;

    /// <summary>
    /// How long after an hour ends its figures are summarised for good. Events that arrive later still
    /// count: they mark the hour, and the summary is made again.
    /// </summary>
    public int CloseHourAfterMinutes { get; set; } = 15;

    /// <summary>How long an alert may stay unacknowledged before it escalates (seed: respond within 2 hours).</summary>
    public int EscalateAfterMinutes { get; set; } = 120;

    /// <summary>The rules the 10-minute timer evaluates; empty means the seed's table (<see cref="AlertRule.SeedDefaults"/>).</summary>
    public List<AlertRuleSettings> AlertRules { get; set; } = [];

    /// <summary>How long an instance reuses today's distinct-visitor count and an experiment's results.</summary>
    public int LiveCountCacheSeconds { get; set; } = 30;

    /// <summary>How long an instance reuses its fold of an hour without a current summary (0: fold on every read).</summary>
    public int LiveFoldCacheSeconds { get; set; } = 5;

    public IReadOnlyList<AlertRule> Rules() =>
        AlertRules.Count == 0 ? AlertRule.SeedDefaults : AlertRules.Select(r => r.ToRule()).ToList();
}

/// <summary>One alert rule as settings spell it (Analytics:AlertRules:0:Metric = "CartToPaid", …).</summary>
public sealed class AlertRuleSettings
{
    public string Id { get; set; } = string.Empty;

    public AlertMetric Metric { get; set; }

    public AlertComparison Comparison { get; set; } = AlertComparison.Below;

    public double Threshold { get; set; }

    public AlertPeriod Period { get; set; } = AlertPeriod.Hour;

    public int WindowPeriods { get; set; } = 1;

    public int ConsecutivePeriods { get; set; } = 1;

    public long MinimumBase { get; set; } = 1;

    public string Action { get; set; } = string.Empty;

    public bool StartsWakeUp { get; set; }

    public AlertRule ToRule() => new(Id, Metric, Comparison, Threshold, Period, WindowPeriods, ConsecutivePeriods, MinimumBase, Action, StartsWakeUp);
}

/// <summary>A batch of events from the mini-program. Signed in, the session says who; otherwise <see cref="DeviceId"/> does.</summary>
public sealed record EventBatchRequest(string? DeviceId, IReadOnlyList<EventInput?>? Events);

/// <param name="Id">The client's id for the event (an id: letters, digits, '-' or '_'); a resent event with the same id and time counts once.</param>
/// <param name="Type">page_view, product_view, add_to_cart, checkout_start, pay_success, share, session_open, experiment_exposure, recommendation_impression or recommendation_click.</param>
/// <param name="ExperimentId">For experiment_exposure: the experiment whose variant the visitor was shown.</param>
/// <param name="Slot">For recommendation_impression and recommendation_click (and an add_to_cart from a slot): the slot a recommendation list names.</param>
/// <param name="Algorithm">With <paramref name="Slot"/>: the algorithm the list names.</param>
public sealed record EventInput(string? Id, string? Type, DateTimeOffset? OccurredAt, string? ProductId, string? ExperimentId, string? Slot = null, string? Algorithm = null);

/// <summary>What became of a batch: new events counted, repeats of events already counted, and each refused event by index.</summary>
public sealed record EventBatchResult(int Accepted, int Duplicates, IReadOnlyList<RejectedEvent> Rejected);

/// <param name="Field">Where the problem is, e.g. "events[3].type".</param>
public sealed record RejectedEvent(int Index, string Field, string Message);

/// <summary>An event as the ledger stores it.</summary>
/// <param name="Key">Unique per event for its life: the client's id for client events, the integration event's id for the mall's own.</param>
/// <param name="Slot">The recommendation slot and algorithm it came from ("slot/algorithm"), if any.</param>
public sealed record LedgerEvent(string Key, TrackedEvent Type, DateTimeOffset OccurredAt, long AmountFen = 0, string? ProductId = null, string? Slot = null);

/// <summary>
/// A closed hour's figures, folded once from the ledger. <see cref="LateVersion"/> is the hour's late mark
/// the fold saw (null: none): a later mark means events arrived after the fold, and the summary is stale.
/// </summary>
public sealed record HourSummary(DateTimeOffset Hour, Tally Tally, string? LateVersion, DateTimeOffset FoldedAt);

/// <summary>An hour that received events after it may have been summarised; <see cref="Version"/> changes with each such arrival.</summary>
public sealed record HourLateMark(DateTimeOffset Hour, string Version);

/// <summary>A closed CST day's activity, computed once from its visitors and the week before (see <see cref="DayActivity"/>).</summary>
public sealed record DaySummary(DateOnly Day, DayActivity Activity, string LateVersions, DateTimeOffset ComputedAt);
