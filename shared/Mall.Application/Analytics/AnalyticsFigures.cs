using System.Globalization;
using Mall.Application.Platform;
using Mall.Domain.Analytics;
using Mall.Domain.Common;

namespace Mall.Application.Analytics;

/// <summary>
/// Figures per hour and per day. A closed hour is folded from the ledger once and kept as a summary;
/// an hour still open, or one that received events after its summary (its late mark changed), is folded
/// live. So every figure counts every recorded event, and reading 30 days is a few hundred small rows.
/// </summary>
public sealed class AnalyticsFigures(
    IEventLedger ledger,
    LiveFolds live,
    IDocumentCollection<HourSummary> summaries,
    IDocumentCollection<HourLateMark> lateMarks,
    IDocumentCollection<DaySummary> days,
    AnalyticsOptions options,
    TimeProvider time)
{
    /// <summary>How far back the timer re-checks hours and days: as far as events may arrive late.</summary>
    private TimeSpan Lookback => TimeSpan.FromHours(options.MaxEventAgeHours + 1);

    private TimeSpan CloseAfter => TimeSpan.FromMinutes(options.CloseHourAfterMinutes);

    /// <summary>How far back a late mark is still looked for: the mall's own events may be delivered later than clients may send.</summary>
    private static readonly TimeSpan MarkHorizon = TimeSpan.FromDays(30);

    /// <summary>
    /// Marks the hours whose events may have been missed by a fold: once an hour may be closing (after half
    /// the close delay), an hour that got a new event, or one whose already-stored event was stored after the
    /// hour's summary was begun (its writer stopped before marking). Written after the events, so a fold
    /// that missed them sees a new mark; a resent batch that adds nothing marks nothing.
    /// </summary>
    public async Task MarkLateAsync(IReadOnlyList<RecordedEvent> recorded, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var hour in recorded.GroupBy(r => LedgerKeys.HourOf(r.Event.OccurredAt)).Where(h => now >= h.Key.AddHours(1) + (CloseAfter / 2)))
        {
            var missed = hour.Any(r => r.New)
                || (await summaries.FindAsync(Key(hour.Key), cancellationToken) is { } summary && hour.Any(r => r.RecordedAt >= summary.Value.FoldedAt));
            if (missed)
            {
                await lateMarks.UpsertAsync(Key(hour.Key), new HourLateMark(hour.Key, Guid.NewGuid().ToString("N")), cancellationToken);
            }
        }
    }

    /// <summary>
    /// The 10-minute timer's first step: summarises every closed hour of the late-event window that has no
    /// summary, every hour of the last 30 days whose summary did not see its latest late mark, and every closed
    /// day whose visitors (or the week before's) may have changed.
    /// </summary>
    public async Task<int> CloseAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lastClosed = LastClosedHour(now);
        var first = LedgerKeys.HourOf(now - Lookback);
        var stored = await SummariesAsync(LedgerKeys.HourOf(now - MarkHorizon), lastClosed, cancellationToken);
        var stale = stored.Where(h => h.Value.MarkVersion is not null && !h.Value.Current).Select(h => h.Key);
        var missing = Enumerable.Range(0, (int)((lastClosed - first).TotalHours) + 1).Select(h => first.AddHours(h)).Where(h => !stored.ContainsKey(h) || stored[h].Tally is null);
        var closed = 0;
        foreach (var hour in stale.Concat(missing).Distinct().Order())
        {
            // The summary keeps the mark it saw before folding and the time the fold began, so later arrivals show as stale.
            var tally = await ledger.FoldHourAsync(hour, cancellationToken);
            await summaries.UpsertAsync(Key(hour), new HourSummary(hour, tally, stored.GetValueOrDefault(hour)?.MarkVersion, now), cancellationToken);
            closed++;
        }

        // Days whose 8 days of hours are all within the horizon (so their late marks are all in view), and
        // every closed day that may still get late events.
        var known = await DaySummariesAsync(ChinaTime.DateOf(now - MarkHorizon).AddDays(8), LastClosedDay(now), cancellationToken);
        var windowDays = new List<DateOnly>();
        for (var day = ChinaTime.DateOf(now - Lookback); day <= LastClosedDay(now); day = day.AddDays(1))
        {
            windowDays.Add(day);
        }

        // Days summarised in one run share most of their prior weeks: each day's visitors are read once.
        var visitors = new Dictionary<DateOnly, DayVisitors>();
        foreach (var day in known.Select(d => d.Day).Concat(windowDays).Distinct().Order())
        {
            var lateVersions = LateVersionsOf(day, stored);
            if (known.FirstOrDefault(d => d.Day == day)?.LateVersions != lateVersions)
            {
                var activity = await ActivityAsync(day, visitors, cancellationToken);
                await days.UpsertAsync(DayKey(day), new DaySummary(day, activity, lateVersions, now), cancellationToken);
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Each hour from <paramref name="from"/> up to <paramref name="through"/> (UTC hour starts), summarised or folded live (a fold at most a few seconds old).</summary>
    public async Task<IReadOnlyList<(DateTimeOffset Hour, Tally Tally)>> HoursAsync(DateTimeOffset from, DateTimeOffset through, CancellationToken cancellationToken)
    {
        from = LedgerKeys.HourOf(from);
        through = LedgerKeys.HourOf(through);
        var stored = await SummariesAsync(from, through, cancellationToken);
        var hours = new List<DateTimeOffset>();
        for (var hour = from; hour <= through; hour = hour.AddHours(1))
        {
            hours.Add(hour);
        }

        var tallies = await Task.WhenAll(hours.Select(async hour =>
            stored.TryGetValue(hour, out var entry) && entry.Current && entry.Tally is not null
                ? entry.Tally
                : await live.GetAsync(hour, cancellationToken)));
        return hours.Select((hour, index) => (hour, tallies[index])).ToList();
    }

    /// <summary>A CST day's figures so far: its 24 hours added up, and its distinct visitors (not a sum of hours).</summary>
    public async Task<Tally> DayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var start = ChinaTime.StartOf(day);
        var end = ChinaTime.StartOf(day.AddDays(1)).AddHours(-1);
        var now = LedgerKeys.HourOf(time.GetUtcNow());
        return await DayAsync(day, await HoursAsync(start, end < now ? end : now, cancellationToken), cancellationToken);
    }

    /// <summary>A CST day's figures from hours already read (<paramref name="hours"/> must hold all of the day's so far).</summary>
    public async Task<Tally> DayAsync(DateOnly day, IReadOnlyList<(DateTimeOffset Hour, Tally Tally)> hours, CancellationToken cancellationToken)
    {
        var total = hours.Where(h => ChinaTime.DateOf(h.Hour) == day).Aggregate(Tally.Empty, (sum, h) => sum.Plus(h.Tally));
        return total with { Visitors = await VisitorsAsync(day, cancellationToken) };
    }

    /// <summary>
    /// A day's distinct visitors: a closed day's from its summary; the open day's counted from the ledger,
    /// reused by this instance for a few seconds (it reads a row per visitor).
    /// </summary>
    private async Task<long> VisitorsAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (day <= LastClosedDay(now) && await days.FindAsync(DayKey(day), cancellationToken) is { } summary)
        {
            return summary.Value.Activity.Visitors;
        }

        if (visitorCounts.TryGetValue(day, out var cached) && now - cached.At < TimeSpan.FromSeconds(options.LiveCountCacheSeconds))
        {
            return cached.Visitors;
        }

        var counted = await ledger.CountVisitorsAsync(day, cancellationToken);
        foreach (var old in visitorCounts.Keys.Where(d => d < day.AddDays(-2)))
        {
            visitorCounts.TryRemove(old, out _);
        }

        visitorCounts[day] = (now, counted);
        return counted;
    }

    /// <summary>The closed days' activity (revisits, session opens against the week before), oldest first.</summary>
    public async Task<IReadOnlyList<DaySummary>> DaySummariesAsync(DateOnly from, DateOnly through, CancellationToken cancellationToken)
    {
        var found = new List<DaySummary>();
        for (var year = from.Year; year <= through.Year; year++)
        {
            await foreach (var summary in days.ScanAsync(new DocumentQuery { PartitionKey = year.ToString("D4", CultureInfo.InvariantCulture) }, 1000, cancellationToken))
            {
                if (summary.Value.Day >= from && summary.Value.Day <= through)
                {
                    found.Add(summary.Value);
                }
            }
        }

        return found.OrderBy(d => d.Day).ToList();
    }

    /// <summary>The newest hour whose figures are final (barring late events): it ended at least the close delay ago.</summary>
    public DateTimeOffset LastClosedHour(DateTimeOffset now) => LedgerKeys.HourOf(now - CloseAfter).AddHours(-1);

    /// <summary>The newest CST day that is over and closed.</summary>
    public DateOnly LastClosedDay(DateTimeOffset now) => ChinaTime.DateOf(now - CloseAfter).AddDays(-1);

    private async Task<DayActivity> ActivityAsync(DateOnly day, Dictionary<DateOnly, DayVisitors> read, CancellationToken cancellationToken)
    {
        async Task<DayVisitors> VisitorsOf(DateOnly d) => read.TryGetValue(d, out var known) ? known : read[d] = await ledger.VisitorsAsync(d, cancellationToken);

        var today = await VisitorsOf(day);
        var priorWeek = new HashSet<string>(StringComparer.Ordinal);
        for (var before = day.AddDays(-7); before < day; before = before.AddDays(1))
        {
            priorWeek.UnionWith((await VisitorsOf(before)).Visitors);
        }

        return new DayActivity(
            today.Visitors.Count,
            priorWeek.Count,
            today.Visitors.Count(priorWeek.Contains),
            today.SessionOpeners.Count(priorWeek.Contains));
    }

    /// <summary>The late marks a day's activity depends on: its own hours' and the 7 days' before it (its "prior week").</summary>
    private static string LateVersionsOf(DateOnly day, IReadOnlyDictionary<DateTimeOffset, StoredHour> stored)
    {
        var start = ChinaTime.StartOf(day.AddDays(-7));
        return string.Join(",", Enumerable.Range(0, 8 * 24).Select(h => stored.TryGetValue(start.AddHours(h), out var entry) ? entry.MarkVersion : null).Where(v => v is not null));
    }

    /// <summary>Recent days' visitor counts as this instance last read them (a few days at most).</summary>
    private readonly System.Collections.Concurrent.ConcurrentDictionary<DateOnly, (DateTimeOffset At, long Visitors)> visitorCounts = new();

    private sealed record StoredHour(Tally? Tally, string? LateVersion, string? MarkVersion)
    {
        /// <summary>A summary that saw the hour's latest late mark (or there is none).</summary>
        public bool Current => Tally is not null && LateVersion == MarkVersion;
    }

    private async Task<IReadOnlyDictionary<DateTimeOffset, StoredHour>> SummariesAsync(DateTimeOffset from, DateTimeOffset through, CancellationToken cancellationToken)
    {
        var tallies = new Dictionary<DateTimeOffset, HourSummary>();
        var marks = new Dictionary<DateTimeOffset, string>();
        foreach (var month in Months(from, through))
        {
            await foreach (var summary in summaries.ScanAsync(new DocumentQuery { PartitionKey = month }, 1000, cancellationToken))
            {
                tallies[summary.Value.Hour] = summary.Value;
            }

            await foreach (var mark in lateMarks.ScanAsync(new DocumentQuery { PartitionKey = month }, 1000, cancellationToken))
            {
                marks[mark.Value.Hour] = mark.Value.Version;
            }
        }

        return tallies.Keys.Union(marks.Keys)
            .Where(hour => hour >= from && hour <= through)
            .ToDictionary(hour => hour, hour => new StoredHour(tallies.GetValueOrDefault(hour)?.Tally, tallies.GetValueOrDefault(hour)?.LateVersion, marks.GetValueOrDefault(hour)));
    }

    private static IEnumerable<string> Months(DateTimeOffset from, DateTimeOffset through)
    {
        for (var month = new DateTime(from.UtcDateTime.Year, from.UtcDateTime.Month, 1); month <= through.UtcDateTime; month = month.AddMonths(1))
        {
            yield return month.ToString("yyyyMM", CultureInfo.InvariantCulture);
        }
    }

    private static DocumentKey Key(DateTimeOffset hour) => new(hour.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture), hour.UtcDateTime.ToString("ddHH", CultureInfo.InvariantCulture));

    private static DocumentKey DayKey(DateOnly day) => new(day.ToString("yyyy", CultureInfo.InvariantCulture), day.ToString("MMdd", CultureInfo.InvariantCulture));
}
