namespace Mall.Domain.Limits;

/// <summary>At most <see cref="Requests"/> per <see cref="Period"/>: a full period's worth at once, then one per <see cref="Interval"/>.</summary>
public sealed record RateLimit(int Requests, TimeSpan Period)
{
    public TimeSpan Interval => Period / Requests;
}

/// <summary>
/// One caller's use of a <see cref="RateLimit"/>, kept as a single instant (the generic cell rate algorithm):
/// when everything admitted so far will have drained at one request per interval. A request is admitted
/// while that instant, one interval later, stays within a period of now; otherwise the caller waits for it.
/// One value, so one guarded write decides each request, on any instance.
/// </summary>
public sealed record RateAllowance(DateTimeOffset DrainedAt)
{
    public static RateAllowance Unused { get; } = new(DateTimeOffset.MinValue);

    public LimitDecision<RateAllowance> Admit(RateLimit limit, DateTimeOffset now)
    {
        var drainedAt = (DrainedAt > now ? DrainedAt : now) + limit.Interval;
        var wait = drainedAt - limit.Period - now;
        return wait > TimeSpan.Zero ? LimitDecision.Refused<RateAllowance>(wait) : LimitDecision.Admitted(new RateAllowance(drainedAt));
    }
}

/// <summary>Admitted with the state to store, or refused with how long to wait.</summary>
public sealed record LimitDecision<TState>(TState? Next, TimeSpan RetryAfter)
    where TState : class
{
    public bool IsAdmitted => Next is not null;
}

public static class LimitDecision
{
    public static LimitDecision<TState> Admitted<TState>(TState next)
        where TState : class => new(next, TimeSpan.Zero);

    public static LimitDecision<TState> Refused<TState>(TimeSpan retryAfter)
        where TState : class => new(null, retryAfter);
}
