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
    IDocumentCollection<HourSummary> summaries,
    IDocumentCollection<HourLateMark> lateMarks,
    IDocumentCollection<DaySummary> days,
    AnalyticsOptions options,
    TimeProvider time)
{
    /// <summary>How far back the timer re-checks hours and days: as far as events may arrive late.</summary>
    private TimeSpan Lookback => TimeSpan.FromHours(options.MaxEventAgeHours + 1);

    private TimeSpan CloseAfter => TimeSpan.FromMinutes(options.CloseHourAfterMinutes);

    /// <summary>
    /// Marks the hours of events that arrived after their hour was over, once their hour may be closing
    /// (after half the close delay): written after the events, so a fold that missed them sees a new mark.
    /// </summary>
    public async Task MarkLateAsync(IEnumerable<DateTimeOffset> occurredAts, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var hour in occurredAts.Select(LedgerKeys.HourOf).Distinct().Where(h => now >= h.AddHours(1) + (CloseAfter / 2)))
        {
            await lateMarks.UpsertAsync(Key(hour), new HourLateMark(hour, Guid.NewGuid().ToString("N")), cancellationToken);
        }
    }

    /// <summary>The 10-minute timer's first step: summarises every closed hour and day that has no summary or a stale one.</summary>
    public async Task<int> CloseAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var lastClosed = LastClosedHour(now);
        var first = LedgerKeys.HourOf(now - Lookback);
        var stored = await SummariesAsync(first, lastClosed, cancellationToken);
        var closed = 0;
        for (var hour = first; hour <= lastClosed; hour = hour.AddHours(1))
        {
            if (!stored.TryGetValue(hour, out var entry) || !entry.Current)
            {
                var tally = await ledger.FoldHourAsync(hour, cancellationToken);
                await summaries.UpsertAsync(Key(hour), new HourSummary(hour, tally, entry?.MarkVersion, now), cancellationToken);
                closed++;
            }
        }

        // From the first day whose every hour is inside the window, so its late marks are all in view.
        for (var day = ChinaTime.DateOf(now - Lookback).AddDays(1); ChinaTime.StartOf(day.AddDays(1)) + CloseAfter <= now; day = day.AddDays(1))
        {
            var lateVersions = LateVersionsOf(day, stored);
            var summary = await days.FindAsync(DayKey(day), cancellationToken);
            if (summary is null || summary.Value.LateVersions != lateVersions)
            {
                var activity = await ActivityAsync(day, cancellationToken);
                await days.UpsertAsync(DayKey(day), new DaySummary(day, activity, lateVersions, now), cancellationToken);
                closed++;
            }
        }

        return closed;
    }

    /// <summary>Each hour from <paramref name="from"/> up to <paramref name="through"/> (UTC hour starts), summarised or folded live.</summary>
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
                : await ledger.FoldHourAsync(hour, cancellationToken)));
        return hours.Select((hour, index) => (hour, tallies[index])).ToList();
    }

    /// <summary>A CST day's figures so far: its 24 hours added up, and its distinct visitors (not a sum of hours).</summary>
    public async Task<Tally> DayAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var start = ChinaTime.StartOf(day);
        var end = ChinaTime.StartOf(day.AddDays(1)).AddHours(-1);
        var now = LedgerKeys.HourOf(time.GetUtcNow());
        var hours = await HoursAsync(start, end < now ? end : now, cancellationToken);
        var total = hours.Aggregate(Tally.Empty, (sum, h) => sum.Plus(h.Tally));
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

        if (visitorCount is { } cached && cached.Day == day && now - cached.At < TimeSpan.FromSeconds(options.LiveCountCacheSeconds))
        {
            return cached.Visitors;
        }

        var counted = await ledger.CountVisitorsAsync(day, cancellationToken);
        visitorCount = new VisitorCount(day, now, counted);
        return counted;
    }

    /// <summary>The closed days' activity (revisits, session opens against the week before), oldest first.</summary>
    public async Task<IReadOnlyList<DaySummary>> DaySummariesAsync(DateOnly from, DateOnly through, CancellationToken cancellationToken)
    {
        var found = new List<DaySummary>();
        for (var day = from; day <= through; day = day.AddDays(1))
        {
            if (await days.FindAsync(DayKey(day), cancellationToken) is { } summary)
            {
                found.Add(summary.Value);
            }
        }

        return found;
    }

    /// <summary>The newest hour whose figures are final (barring late events): it ended at least the close delay ago.</summary>
    public DateTimeOffset LastClosedHour(DateTimeOffset now) => LedgerKeys.HourOf(now - CloseAfter).AddHours(-1);

    /// <summary>The newest CST day that is over and closed.</summary>
    public DateOnly LastClosedDay(DateTimeOffset now) => ChinaTime.DateOf(now - CloseAfter).AddDays(-1);

    private async Task<DayActivity> ActivityAsync(DateOnly day, CancellationToken cancellationToken)
    {
        var today = await ledger.VisitorsAsync(day, cancellationToken);
        var priorWeek = new HashSet<string>(StringComparer.Ordinal);
        for (var before = day.AddDays(-7); before < day; before = before.AddDays(1))
        {
            priorWeek.UnionWith((await ledger.VisitorsAsync(before, cancellationToken)).Visitors);
        }

        return new DayActivity(
            today.Visitors.Count,
            priorWeek.Count,
            today.Visitors.Count(priorWeek.Contains),
            today.SessionOpeners.Count(priorWeek.Contains));
    }

    private static string LateVersionsOf(DateOnly day, IReadOnlyDictionary<DateTimeOffset, StoredHour> stored)
    {
        var start = ChinaTime.StartOf(day);
        return string.Join(",", Enumerable.Range(0, 24).Select(h => stored.TryGetValue(start.AddHours(h), out var entry) ? entry.MarkVersion : null).Where(v => v is not null));
    }

    private VisitorCount? visitorCount;

    private sealed record VisitorCount(DateOnly Day, DateTimeOffset At, long Visitors);

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
