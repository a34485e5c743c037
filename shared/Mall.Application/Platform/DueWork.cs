namespace Mall.Application.Platform;

/// <summary>
/// Work that must happen at or after a time: close an unpaid order, query WeChat for a payment,
/// relay an outbox, auto-confirm a delivery. Scheduling is written before the state change that
/// needs it, so no change is left without its follow-up; handlers are idempotent, so an entry that
/// turns out to be unnecessary (or runs twice) does no harm.
/// </summary>
public sealed record DueWork(string Kind, string Subject, DateTimeOffset DueAt);

public interface IDueWorkScheduler
{
    /// <summary>Idempotent: scheduling the same kind, subject and due time twice keeps one entry.</summary>
    Task ScheduleAsync(DueWork work, CancellationToken cancellationToken);

    /// <summary>Removes a scheduled entry; a no-op if it is already gone.</summary>
    Task CancelAsync(DueWork work, CancellationToken cancellationToken);
}

public enum DueWorkOutcome
{
    /// <summary>Finished (or nothing left to do): the entry is removed.</summary>
    Done,

    /// <summary>Not yet possible: run again at <see cref="DueWorkResult.RetryAt"/>.</summary>
    Later,
}

public sealed record DueWorkResult(DueWorkOutcome Outcome, DateTimeOffset? RetryAt = null)
{
    public static readonly DueWorkResult Done = new(DueWorkOutcome.Done);

    public static DueWorkResult Later(DateTimeOffset retryAt) => new(DueWorkOutcome.Later, retryAt);
}

/// <summary>What the subjects of a kind of due work name: logs show a business subject (an order, a campaign), and of a customer only a pseudonym.</summary>
public enum DueWorkSubject
{
    Business,
    Customer,
}

/// <summary>Performs one kind of due work. Must be idempotent: it may run more than once for an entry.</summary>
public interface IDueWorkHandler
{
    string Kind { get; }

    DueWorkSubject Subject { get; }

    Task<DueWorkResult> HandleAsync(DueWork work, CancellationToken cancellationToken);
}
