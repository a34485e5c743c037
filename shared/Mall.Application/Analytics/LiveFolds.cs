using System.Collections.Concurrent;
using Mall.Domain.Analytics;

namespace Mall.Application.Analytics;

/// <summary>
/// Folds of hours without a current summary (the open hour, or one that got late events), reused by this
/// instance for a few seconds: a fold reads a row per event, so a busy hour costs as much as its traffic.
/// One fold per hour runs at a time; while it runs, readers get the previous fold if it finished less than twice
/// the reuse time ago instead of waiting, and otherwise wait for it: no figure is older than one fold plus that.
/// </summary>
public sealed class LiveFolds(IEventLedger ledger, AnalyticsOptions options, TimeProvider time)
{
    private static readonly TimeSpan KeepFor = TimeSpan.FromDays(3);

    private readonly ConcurrentDictionary<DateTimeOffset, Entry> entries = new();

    public async Task<Tally> GetAsync(DateTimeOffset hour, CancellationToken cancellationToken)
    {
        var reuseFor = TimeSpan.FromSeconds(options.LiveFoldCacheSeconds);
        var now = time.GetUtcNow();

        // Hours to come are not kept: an operator asking about any future hour must not grow this.
        if (reuseFor <= TimeSpan.Zero || hour > LedgerKeys.HourOf(now))
        {
            return await ledger.FoldHourAsync(hour, cancellationToken);
        }

        Forget(now);
        var entry = entries.GetOrAdd(hour, _ => new Entry());
        Task<Tally> folding;
        lock (entry)
        {
            if (entry.Value is not null && now - entry.FoldedAt < reuseFor)
            {
                return entry.Value;
            }

            if (entry.Running is null || entry.Running.IsCompleted)
            {
                entry.Running = FoldAsync(hour, entry, now);
            }

            folding = entry.Running;

            // A fold that finished more than twice the reuse time ago (the hour was not read for a while) would show
            // an operator figures from before what they just did: they wait for the refresh instead. Counted from
            // its finish, not its start, so an hour whose fold is slower than that still serves its last one.
            if (entry.Value is not null && now - entry.FinishedAt < 2 * reuseFor)
            {
                return entry.Value;
            }
        }

        return await folding.WaitAsync(cancellationToken);
    }

    private async Task<Tally> FoldAsync(DateTimeOffset hour, Entry entry, DateTimeOffset started)
    {
        // Not the caller's token: the fold serves every reader of the hour, not only the one that started it.
        var tally = await ledger.FoldHourAsync(hour, CancellationToken.None);
        lock (entry)
        {
            entry.Value = tally;
            entry.FoldedAt = started;
            entry.FinishedAt = time.GetUtcNow();
        }

        return tally;
    }

    private void Forget(DateTimeOffset now)
    {
        foreach (var hour in entries.Keys.Where(h => h < now - KeepFor))
        {
            entries.TryRemove(hour, out _);
        }
    }

    private sealed class Entry
    {
        public Tally? Value { get; set; }

        public DateTimeOffset FoldedAt { get; set; }

        public DateTimeOffset FinishedAt { get; set; }

        public Task<Tally>? Running { get; set; }
    }
}
