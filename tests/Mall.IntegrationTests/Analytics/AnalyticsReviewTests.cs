using Mall.Application.Analytics;
using Mall.Domain.Analytics;
using Mall.Domain.Common;
using Mall.Infrastructure.Analytics;
using Mall.Infrastructure.Storage;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Analytics;

/// <summary>Review findings on the analytics capability, each demonstrated against the real code on Azurite (these fail until fixed).</summary>
public sealed class AnalyticsReviewTests
{
    /// <summary>2026-12-02 10:00 CST (02:00 UTC).</summary>
    private static readonly DateTimeOffset Now = new(2026, 12, 2, 2, 0, 0, TimeSpan.Zero);

    private static EventInput Event(string id, string type, DateTimeOffset at, string? productId = null, string? experimentId = null) => new(id, type, at, productId, experimentId);

    /// <summary>
    /// The ledger's event row is "{hour}e{client id}" inside the partition "{day}-{shard of visitor}": the visitor is not part of
    /// the key, so two visitors who land in the same shard (1 in 16 pairs) and use the same event id in the same hour collide, and
    /// the second visitor's event is counted as a "duplicate" of the first's and lost. Client ids are only required to be ids, not
    /// globally unique (a mini-program numbering its events "pv-1", "pv-2", … is within the contract).
    /// </summary>
    [Fact]
    public async Task Two_visitors_of_one_shard_sending_the_same_event_id_in_the_same_hour_are_both_counted()
    {
        var time = new FakeTimeProvider(Now);
        await using var mall = await MallFixture.StartAsync(time);
        var ingestion = mall.Get<EventIngestion>();
        var at = Now.AddMinutes(-5);
        var day = ChinaTime.DateOf(at);
        var first = "phone-a";
        var second = Enumerable.Range(0, 1000).Select(n => $"phone-b{n}")
            .First(d => LedgerKeys.Partition(day, LedgerKeys.DeviceVisitor(d)) == LedgerKeys.Partition(day, LedgerKeys.DeviceVisitor(first)));

        var a = await ingestion.RecordAsync(null, new EventBatchRequest(first, [Event("pv-1", "page_view", at)]), CancellationToken.None);
        var b = await ingestion.RecordAsync(null, new EventBatchRequest(second, [Event("pv-1", "page_view", at.AddSeconds(30))]), CancellationToken.None);

        var hour = await mall.Get<IEventLedger>().FoldHourAsync(LedgerKeys.HourOf(at), CancellationToken.None);
        Assert.Equal((1, 0), (a.Accepted, a.Duplicates));
        Assert.Equal((1, 0), (b.Accepted, b.Duplicates));
        Assert.Equal((2L, 2L), (hour.Count(TrackedEvent.PageView), hour.Visitors));
    }

    /// <summary>
    /// A day's summary (revisits, session opens against the 7 days before) is recomputed only when the late marks of its own 24
    /// hours change (AnalyticsFigures.CloseAsync / LateVersionsOf). A visit to the day before that arrives late (allowed up to 48 h)
    /// changes the day's "prior week" and its returning visitors, but the day's summary is never made again: the revisit-rate and
    /// session-open-rate alerts read a wrong figure for good.
    /// </summary>
    [Fact]
    public async Task A_late_visit_to_the_previous_day_reaches_the_revisit_figures_of_a_day_already_summarised()
    {
        var time = new FakeTimeProvider(Now);
        await using var mall = await MallFixture.StartAsync(time);
        var ingestion = mall.Get<EventIngestion>();
        var figures = mall.Get<AnalyticsFigures>();
        var day = ChinaTime.DateOf(Now);

        // The visitor comes on 2026-12-02 (on time) and opens a session.
        await ingestion.RecordAsync(null, new EventBatchRequest("phone-r", [Event("r-today", "session_open", Now)]), CancellationToken.None);

        // 2026-12-03 00:20 CST: 12-02 is over and summarised.
        time.SetUtcNow(ChinaTime.StartOf(day.AddDays(1)).AddMinutes(20));
        await figures.CloseAsync(CancellationToken.None);
        var before = Assert.Single(await figures.DaySummariesAsync(day, day, CancellationToken.None));
        Assert.Equal(new DayActivity(1, 0, 0, 0), before.Activity);

        // Its visit of 2026-12-01 23:30 CST (25 hours old, well inside the 48 accepted) only arrives now.
        var late = await ingestion.RecordAsync(null, new EventBatchRequest("phone-r", [Event("r-yesterday", "page_view", ChinaTime.StartOf(day).AddMinutes(-30))]), CancellationToken.None);
        Assert.Equal(1, late.Accepted);
        await figures.CloseAsync(CancellationToken.None);

        var previous = Assert.Single(await figures.DaySummariesAsync(day.AddDays(-1), day.AddDays(-1), CancellationToken.None));
        Assert.Equal(1, previous.Activity.Visitors);
        var after = Assert.Single(await figures.DaySummariesAsync(day, day, CancellationToken.None));
        // The visitor was in the week before 12-02 and came back (and opened a session) on 12-02.
        Assert.Equal(new DayActivity(1, 1, 1, 1), after.Activity);
    }

    /// <summary>
    /// AnalyticsOptions.LiveCountCacheSeconds says an instance reuses today's distinct-visitor count, but nothing does:
    /// every dashboard load (DashboardService.DataAsync → AnalyticsFigures.DayAsync → IEventLedger.CountVisitorsAsync) reads every
    /// visitor row of today and of yesterday across the 16 shards, work proportional to the day's visitors on each request.
    /// </summary>
    [Fact]
    public async Task The_dashboard_reuses_the_distinct_visitor_counts_within_the_live_count_cache_window()
    {
        var time = new FakeTimeProvider(Now);
        var counting = (CountingLedger?)null;
        await using var mall = await MallFixture.StartAsync(time, configureServices: services => services.AddSingleton<IEventLedger>(sp =>
            counting = new CountingLedger(new TableEventLedger(sp.GetRequiredService<TableProvider>()))));
        var ingestion = mall.Get<EventIngestion>();
        await Task.WhenAll(Enumerable.Range(0, 20).Select(v => ingestion.RecordAsync(null, new EventBatchRequest($"phone-{v}", [Event($"v{v}", "page_view", Now)]), CancellationToken.None)));
        var dashboard = mall.Get<DashboardService>();

        var first = await dashboard.DataAsync(CancellationToken.None);
        var countsAfterFirst = counting!.VisitorCounts;
        time.Advance(TimeSpan.FromSeconds(5));
        var second = await dashboard.DataAsync(CancellationToken.None);

        Assert.Equal((20L, 20L), (first.Today.Visitors, second.Today.Visitors));
        Assert.Equal(countsAfterFirst, counting.VisitorCounts);
    }

    /// <summary>
    /// A unit's ExposedAt is the occurredAt of the first exposure to *arrive* (ExperimentService.ExposeAsync keeps the stored record),
    /// not the earliest exposure. When a phone's batches arrive out of order, a conversion between the real first exposure and
    /// the first-arriving one is dropped by ExperimentAssignmentRecord.Reach (at &lt; ExposedAt), so conversions are undercounted.
    /// </summary>
    [Fact]
    public async Task An_exposure_arriving_after_a_later_one_still_counts_the_conversion_in_between()
    {
        var time = new FakeTimeProvider(Now);
        await using var mall = await MallFixture.StartAsync(time);
        await CreateExperimentAsync(mall, "cart-colour", Now.AddHours(-2), Now.AddDays(7));
        var ingestion = mall.Get<EventIngestion>();

        // The phone was shown the variant at 09:30 and at 09:50, and added to cart at 09:40; the 09:50 batch arrives first.
        var second = await ingestion.RecordAsync(null, new EventBatchRequest("phone-x", [Event("x-exp-2", "experiment_exposure", Now.AddMinutes(-10), experimentId: "cart-colour")]), CancellationToken.None);
        var first = await ingestion.RecordAsync(null, new EventBatchRequest("phone-x", [
            Event("x-exp-1", "experiment_exposure", Now.AddMinutes(-30), experimentId: "cart-colour"),
            Event("x-cart", "add_to_cart", Now.AddMinutes(-20), productId: "P1"),
        ]), CancellationToken.None);
        Assert.Equal((1, 2), (second.Accepted, first.Accepted));

        var results = await mall.Get<ExperimentService>().ResultsAsync("cart-colour", CancellationToken.None);
        Assert.Equal((1L, 1L), (results.Variants.Sum(v => v.Exposures), results.Variants.Sum(v => v.Conversions)));
    }

    /// <summary>
    /// ExperimentService.TrackAsync only looks at experiments running *now* (RunningAsync), though events may arrive up to 48 hours
    /// late. A conversion that happened inside the window but reaches the mall after the experiment ended is never recorded on the
    /// unit's assignment, so the final results of every experiment undercount its last hours' conversions.
    /// </summary>
    [Fact]
    public async Task A_conversion_inside_the_window_that_arrives_after_the_experiment_ended_is_counted()
    {
        var time = new FakeTimeProvider(Now);
        await using var mall = await MallFixture.StartAsync(time);
        await CreateExperimentAsync(mall, "late-cart", Now.AddHours(-2), Now.AddMinutes(30));
        var ingestion = mall.Get<EventIngestion>();
        await ingestion.RecordAsync(null, new EventBatchRequest("phone-y", [Event("y-exp", "experiment_exposure", Now, experimentId: "late-cart")]), CancellationToken.None);

        // Added to cart at 10:20, 10 minutes before the end; the phone was offline and sends it at 11:00.
        time.Advance(TimeSpan.FromHours(1));
        var late = await ingestion.RecordAsync(null, new EventBatchRequest("phone-y", [Event("y-cart", "add_to_cart", Now.AddMinutes(20), productId: "P1")]), CancellationToken.None);
        Assert.Equal(1, late.Accepted);

        var results = await mall.Get<ExperimentService>().ResultsAsync("late-cart", CancellationToken.None);
        Assert.Equal((1L, 1L), (results.Variants.Sum(v => v.Exposures), results.Variants.Sum(v => v.Conversions)));
    }

    /// <summary>
    /// EventIngestion.RecordAsync marks late hours for every accepted event, including those the ledger already had
    /// (MarkLateAsync gets all of 'accepted', not the newly inserted ones), so a phone resending an old batch, a routine retry,
    /// makes the next timer run fold the hour again from every shard (and recompute its day's 8-day visitor union once the day is
    /// closed), though nothing changed. Any client can keep up to two days of the ledger being re-read every 10 minutes this way.
    /// </summary>
    [Fact]
    public async Task Resending_a_late_batch_that_adds_nothing_does_not_make_the_timer_fold_its_hour_again()
    {
        var time = new FakeTimeProvider(Now);
        await using var mall = await MallFixture.StartAsync(time);
        var ingestion = mall.Get<EventIngestion>();
        var figures = mall.Get<AnalyticsFigures>();
        var batch = new EventBatchRequest("phone-z", [Event("z-1", "page_view", Now.AddMinutes(-50))]);
        await ingestion.RecordAsync(null, batch, CancellationToken.None);
        time.Advance(TimeSpan.FromMinutes(30));
        await figures.CloseAsync(CancellationToken.None);
        Assert.Equal(0, await figures.CloseAsync(CancellationToken.None));

        var resent = await ingestion.RecordAsync(null, batch, CancellationToken.None);

        Assert.Equal((0, 1), (resent.Accepted, resent.Duplicates));
        Assert.Equal(0, await figures.CloseAsync(CancellationToken.None));
    }

    private static async Task CreateExperimentAsync(MallFixture mall, string id, DateTimeOffset startsAt, DateTimeOffset endsAt) =>
        await mall.Get<ExperimentService>().CreateAsync(
            new ExperimentRequest { Id = id, Name = id, Metric = FunnelStage.AddToCart, Variants = [new VariantRequest("control", 1), new VariantRequest("red", 1)], StartsAt = startsAt, EndsAt = endsAt },
            CancellationToken.None);

    /// <summary>The real ledger, counting the calls that read a whole day's visitor rows.</summary>
    private sealed class CountingLedger(IEventLedger inner) : IEventLedger
    {
        private int visitorCounts;

        public int VisitorCounts => Volatile.Read(ref visitorCounts);

        public Task<IReadOnlyList<RecordedEvent>> RecordAsync(string visitor, DateOnly day, IReadOnlyList<LedgerEvent> events, bool isVisit, DateTimeOffset recordedAt, CancellationToken cancellationToken) =>
            inner.RecordAsync(visitor, day, events, isVisit, recordedAt, cancellationToken);

        public Task<Tally> FoldHourAsync(DateTimeOffset hour, CancellationToken cancellationToken) => inner.FoldHourAsync(hour, cancellationToken);

        public Task<DayVisitors> VisitorsAsync(DateOnly day, CancellationToken cancellationToken) => inner.VisitorsAsync(day, cancellationToken);

        public Task<long> CountVisitorsAsync(DateOnly day, CancellationToken cancellationToken)
        {
            Interlocked.Increment(ref visitorCounts);
            return inner.CountVisitorsAsync(day, cancellationToken);
        }
    }
}
