namespace Mall.Application.Platform;

public enum DeliveryState
{
    /// <summary>A dispatcher is running the subscriber now (until its lease ends).</summary>
    Running,

    /// <summary>The last attempt failed; tried again after <see cref="EventDelivery.NextAttemptAt"/>.</summary>
    Failed,

    Done,

    /// <summary>Failed too often: left to an operator (see <see cref="ParkedEvent"/>); the event's other subscribers go on.</summary>
    Parked,
}

/// <summary>
/// The durable marker of one subscriber's delivery of one event: stored under the event id and the
/// subscriber's name and never deleted, so a delivery finished once is recognised for the life of
/// the event id — a re-delivery a month later does nothing.
/// </summary>
public sealed record EventDelivery(
    string EventId,
    string Subscriber,
    DeliveryState State,
    int Attempts,
    DateTimeOffset? LeaseUntil,
    DateTimeOffset? NextAttemptAt,
    string? LastError,
    DateTimeOffset UpdatedAt)
{
    public static DocumentKey KeyFor(string eventId, string subscriber) => new(StorageKeys.Escape(eventId), subscriber);
}

/// <summary>A delivery that failed <see cref="Attempts"/> times, kept with its event for an operator to retry.</summary>
public sealed record ParkedEvent(string Id, EventEnvelope Event, string Subscriber, int Attempts, string Error, DateTimeOffset ParkedAt)
{
    public const string Partition = "parked";

    public static string IdFor(string eventId, string subscriber) => Domain.Common.Ids.Derive("PE", eventId, subscriber);
}

/// <summary>Settings of the event path (section "Events").</summary>
public sealed class EventOptions
{
    public const string SectionName = "Events";

    /// <summary>The storage queue the dispatch function listens on (its trigger reads %Events:DispatchQueue%).</summary>
    public string DispatchQueue { get; set; } = "mall-dispatch";

    /// <summary>Attempts of one subscriber before its delivery is parked.</summary>
    public int MaxAttempts { get; set; } = 5;

    /// <summary>Wait before the first retry; each further retry waits six times longer, up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromSeconds(10);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>
    /// How long a dispatcher owns a delivery it started; a crashed one's work is taken over after this.
    /// Longer than host.json's functionTimeout (10 min), so a running handler is never run twice.
    /// </summary>
    public TimeSpan Lease { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// How long an announced event that is not in its outbox yet is waited for. A write the writer saw
    /// fail commits, if at all, within one try (the Table service's server timeout is 30 s, the client's
    /// network timeout 100 s); one the writer saw succeed after more than a third of this is announced
    /// again by the writer (and the redrive timer backs both up), so an event still missing after this
    /// was never written. Every write that loses a race leaves an announcement polled this long, so it
    /// is kept short.
    /// </summary>
    public TimeSpan CommitWait { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Outboxes of one dispatch request handled at the same time.</summary>
    public int Concurrency { get; set; } = 16;

    /// <summary>10 s, 1 min, 6 min, 30 min… with the defaults.</summary>
    public TimeSpan RetryDelay(int failedAttempts) =>
        TimeSpan.FromTicks((long)Math.Min(MaxRetryDelay.Ticks, RetryBaseDelay.Ticks * Math.Pow(6, Math.Max(0, failedAttempts - 1))));

    /// <summary>
    /// The longest span over which the dispatcher may hand the bus the same event again by itself:
    /// each attempt but the last may end in a crash (taken over when its lease has run out) or in a
    /// failure (tried again after its delay), and each follow-up takes up to a minute to be picked up.
    /// The topic's duplicate detection window must be at least this long (Mall.InfraBicep.Tests
    /// checks the template's). An operator's retry of a parked delivery can come any time later.
    /// </summary>
    public TimeSpan RedeliveryHorizon =>
        Enumerable.Range(1, Math.Max(0, MaxAttempts - 1)).Aggregate(TimeSpan.Zero, (span, attempt) => span + Lease + RetryDelay(attempt) + TimeSpan.FromMinutes(1));
}
