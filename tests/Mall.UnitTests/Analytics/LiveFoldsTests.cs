using Mall.Application.Analytics;
using Mall.Domain.Analytics;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.Analytics;

/// <summary>
/// An open hour's fold is reused for a few seconds and refreshed by one fold at a time; during a refresh readers
/// get the previous fold if it finished less than twice the reuse time ago, so no figure is older than one fold
/// plus that.
/// </summary>
public sealed class LiveFoldsTests
{
    private static readonly DateTimeOffset Hour = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public async Task A_fold_is_reused_then_refreshed_once_while_readers_get_the_previous_one()
    {
        var time = new FakeTimeProvider(Hour.AddMinutes(10));
        var ledger = new GatedLedger();
        var folds = new LiveFolds(ledger, new AnalyticsOptions { LiveFoldCacheSeconds = 5 }, time);

        var first = folds.GetAsync(Hour, CancellationToken.None);
        var waiting = folds.GetAsync(Hour, CancellationToken.None);
        ledger.Complete(Tally.Empty with { Visitors = 1 });
        Assert.Equal((1L, 1L), ((await first).Visitors, (await waiting).Visitors));

        time.Advance(TimeSpan.FromSeconds(4));
        Assert.Equal(1L, (await folds.GetAsync(Hour, CancellationToken.None)).Visitors);
        Assert.Equal(1, ledger.Folds);

        // Past the reuse time: a refresh starts, and readers meanwhile get the previous fold without waiting.
        time.Advance(TimeSpan.FromSeconds(2));
        var stale = await folds.GetAsync(Hour, CancellationToken.None);
        var alsoStale = await folds.GetAsync(Hour, CancellationToken.None);
        Assert.Equal((1L, 1L, 2), (stale.Visitors, alsoStale.Visitors, ledger.Folds));

        // The refresh stores its fold before it completes; until then readers keep getting the previous one.
        ledger.Complete(Tally.Empty with { Visitors = 7 });
        var deadline = DateTime.UtcNow.AddSeconds(30);
        while ((await folds.GetAsync(Hour, CancellationToken.None)).Visitors != 7)
        {
            Assert.True(DateTime.UtcNow < deadline, "The refreshed fold never reached readers.");
            await Task.Yield();
        }

        Assert.Equal(2, ledger.Folds);
    }

    [Fact]
    public async Task A_fold_older_than_twice_the_reuse_time_is_not_served_readers_wait_for_the_refresh()
    {
        var time = new FakeTimeProvider(Hour.AddMinutes(10));
        var ledger = new GatedLedger();
        var folds = new LiveFolds(ledger, new AnalyticsOptions { LiveFoldCacheSeconds = 5 }, time);
        var first = folds.GetAsync(Hour, CancellationToken.None);
        ledger.Complete(Tally.Empty with { Visitors = 1 });
        await first;

        // An operator opening the dashboard after a quiet minute sees the events sent since, not the fold of a minute ago.
        time.Advance(TimeSpan.FromMinutes(1));
        var read = folds.GetAsync(Hour, CancellationToken.None);
        Assert.False(read.IsCompleted);
        ledger.Complete(Tally.Empty with { Visitors = 3 });
        Assert.Equal((3L, 2), ((await read).Visitors, ledger.Folds));
    }

    [Fact]
    public async Task In_an_hour_whose_fold_takes_longer_than_twice_the_reuse_time_a_reader_right_after_a_fold_gets_it_without_waiting()
    {
        // Off the test's synchronisation context, with a fold's continuation run as its gate opens: deterministic.
        await Task.Run(async () =>
        {
            var time = new FakeTimeProvider(Hour.AddMinutes(10));
            var ledger = new GatedLedger(TaskCreationOptions.None);
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

            // The fold that has just finished started 12 s ago, past twice the reuse time: the next reader starts
            // another fold but gets this one at once (a fold's age counts from its finish for serving it).
            var read = folds.GetAsync(Hour, CancellationToken.None);

            Assert.True(read.IsCompleted, $"A reader right after a fold finished waits for another whole fold ({ledger.Folds} folds started).");
            Assert.Equal(2L, (await read).Visitors);
        });
    }

    [Fact]
    public async Task With_no_reuse_time_every_read_folds()
    {
        var ledger = new GatedLedger();
        var folds = new LiveFolds(ledger, new AnalyticsOptions { LiveFoldCacheSeconds = 0 }, new FakeTimeProvider(Hour));
        foreach (var _ in Enumerable.Range(0, 2))
        {
            var read = folds.GetAsync(Hour, CancellationToken.None);
            ledger.Complete(Tally.Empty);
            await read;
        }

        Assert.Equal(2, ledger.Folds);
    }

    /// <summary>
    /// A ledger whose folds finish when the test says, so what readers see while one runs is deterministic; with
    /// <see cref="TaskCreationOptions.None"/> a fold's continuations run inside <see cref="Complete"/>.
    /// </summary>
    private sealed class GatedLedger(TaskCreationOptions gateOptions = TaskCreationOptions.RunContinuationsAsynchronously) : IEventLedger
    {
        private TaskCompletionSource<Tally> gate = new(gateOptions);
        public int Folds { get; private set; }

        public void Complete(Tally tally)
        {
            var released = gate;
            gate = new(gateOptions);
            released.SetResult(tally);
        }

        public async Task<Tally> FoldHourAsync(DateTimeOffset hour, CancellationToken cancellationToken)
        {
            Folds++;
            return await gate.Task;
        }

        public Task<IReadOnlyList<RecordedEvent>> RecordAsync(string visitor, DateOnly day, IReadOnlyList<LedgerEvent> events, bool isVisit, DateTimeOffset recordedAt, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<DayVisitors> VisitorsAsync(DateOnly day, CancellationToken cancellationToken) => throw new NotSupportedException();

        public Task<long> CountVisitorsAsync(DateOnly day, CancellationToken cancellationToken) => throw new NotSupportedException();
    }
}
