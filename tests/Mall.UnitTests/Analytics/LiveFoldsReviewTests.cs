using Mall.Application.Analytics;
using Mall.Domain.Analytics;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.Analytics;

/// <summary>What the review of 8ae4e48 (serve a live fold only while it is under twice its reuse time) found.</summary>
public sealed class LiveFoldsReviewTests
{
    private static readonly DateTimeOffset Hour = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task In_an_hour_whose_fold_takes_longer_than_twice_the_reuse_time_a_reader_right_after_a_fold_gets_it_without_waiting()
    {
        // Off the test's synchronisation context, so a fold's continuation runs as the gate opens: deterministic.
        await Task.Run(ReadAfterASlowFoldAsync);
    }

    private static async Task ReadAfterASlowFoldAsync()
    {
        var time = new FakeTimeProvider(Hour.AddMinutes(10));
        var ledger = new GatedLedger();
        var folds = new LiveFolds(ledger, new AnalyticsOptions { LiveFoldCacheSeconds = 5 }, time);
        var first = folds.GetAsync(Hour, CancellationToken.None);
        ledger.Complete(Tally.Empty with { Visitors = 1 });
        await first;

        // A busy open hour (docs/benchmarks.md: 100,000 rows keep Azurite busy for seconds): the refresh a reader
        // starts takes 12 s, during which readers get the previous fold.
        time.Advance(TimeSpan.FromSeconds(6));
        Assert.Equal(1L, (await folds.GetAsync(Hour, CancellationToken.None)).Visitors);
        time.Advance(TimeSpan.FromSeconds(12));
        ledger.Complete(Tally.Empty with { Visitors = 2 });

        // The fold that has just finished is stamped with its start, 12 s ago: already past twice the reuse time,
        // so the next reader starts another fold and waits all of it. Every read of the hour now waits a full fold,
        // and readers never get the previous fold again (before 8ae4e48 they always did).
        var read = folds.GetAsync(Hour, CancellationToken.None);

        Assert.True(read.IsCompleted, $"A reader right after a fold finished waits for another whole fold ({ledger.Folds} folds started).");
        Assert.Equal(2L, (await read).Visitors);
    }

    /// <summary>A ledger whose folds finish when the test says; their continuations run inside <see cref="Complete"/>.</summary>
    private sealed class GatedLedger : IEventLedger
    {
        private TaskCompletionSource<Tally> gate = new();
        public int Folds { get; private set; }

        public void Complete(Tally tally)
        {
            var released = gate;
            gate = new();
            released.SetResult(tally);
        }

        public Task<Tally> FoldHourAsync(DateTimeOffset hour, CancellationToken cancellationToken)
        {
            Folds++;
            return gate.Task;
        }

        public Task<IReadOnlyList<RecordedEvent>> RecordAsync(string visitor, DateOnly day, IReadOnlyList<LedgerEvent> events, bool isVisit, DateTimeOffset recordedAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<DayVisitors> VisitorsAsync(DateOnly day, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> CountVisitorsAsync(DateOnly day, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
