using System.Globalization;
using Mall.Application.Platform;
using Mall.Application.Reactivation;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Membership;
using Mall.Domain.Segmentation;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Segmentation;

/// <summary>
/// The daily segmentation (and tier review): streams every customer page by page (continuation tokens; one page in
/// memory), writes only customers whose segment changed (or whose stored columns are from an older version) (each a guarded single-entity write carrying
/// its CustomerSegmentChanged event), and checkpoints after every page. Re-running a finished day does
/// nothing; a run that crashed resumes at its last checkpoint, and re-processing that page is harmless
/// because an unchanged customer is never written.
/// </summary>
public sealed partial class SegmentationService(
    IDocumentCollection<Customer> customers,
    IDocumentCollection<SegmentationRun> runs,
    SegmentationOptions options,
    TierRules tiers,
    ReactivationService reactivation,
    TimeProvider time,
    ILogger<SegmentationService> logger)
{
    private readonly DailyRuns<SegmentationRun> daily = new(runs, "segmentation");

    public async Task<SegmentationRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var day = ChinaTime.DateOf(now);
        var stored = await daily.FindAsync(day, cancellationToken);
        var run = stored?.Value ?? new SegmentationRun { Day = day, StartedAt = now };
        if (run.CompletedAt is not null)
        {
            return run;
        }

        var rules = options.ToRules();
        var previousMonth = CustomerActivity.MonthOf(ChinaTime.ToCst(now).AddMonths(-1));
        bool Unchanged(Customer customer) => customer.IndexVersion == Customer.CurrentIndexVersion && ReferenceEquals(customer.Review(rules, tiers, now).Customer, customer);
        using var writes = new SemaphoreSlim(options.WriteConcurrency);
        Task<ResultPage<Versioned<Customer>>> ReadPage(string? token) => customers.QueryAsync(new DocumentQuery(), token, options.PageSize, cancellationToken);
        var nextPage = ReadPage(run.ContinuationToken);
        do
        {
            var page = await nextPage;
            // The next page is read while this one is written (two pages in memory at most).
            nextPage = page.ContinuationToken is null ? Task.FromResult(new ResultPage<Versioned<Customer>>([], null)) : ReadPage(page.ContinuationToken);
            // Erased accounts are segmented no more (their segment went with their personal data).
            var outcomes = (await Task.WhenAll(page.Items.Where(entry => !entry.Value.IsErased).Select(async entry =>
            {
                var spend = entry.Value.Activity.PaidInMonth(previousMonth);
                if (Unchanged(entry.Value))
                {
                    return (Segment: entry.Value.Segment?.Segment, Move: (string?)null, Spend: spend);
                }

                await writes.WaitAsync(cancellationToken);
                try
                {
                    var (segment, move) = await ReclassifyAsync(entry, rules, now, cancellationToken);
                    return (Segment: segment, Move: move, Spend: spend);
                }
                finally
                {
                    writes.Release();
                }
            }))).Where(o => o.Segment is not null).Select(o => (Segment: o.Segment!.Value, o.Move, o.Spend)).ToList();

            run = run with
            {
                ContinuationToken = page.ContinuationToken,
                Pages = run.Pages + 1,
                Processed = run.Processed + outcomes.Count,
                Changed = run.Changed + outcomes.Count(o => o.Move is not null),
                Sizes = Merge(run.Sizes, outcomes.Select(o => o.Segment.ToString())),
                Transitions = Merge(run.Transitions, outcomes.Where(o => o.Move is not null).Select(o => o.Move!)),
                LastMonthSpendFen = Sum(run.LastMonthSpendFen, outcomes.Select(o => (o.Segment.ToString(), o.Spend))),
                CompletedAt = page.ContinuationToken is null ? time.GetUtcNow() : null,
            };
            // The checkpoint: a crash after this point resumes with the next page.
            stored = await daily.CheckpointAsync(stored, run, cancellationToken);
        }
        while (run.CompletedAt is null);

        LogRun(logger, day, run.Processed, run.Changed, run.Pages);
        return run;
    }

    /// <summary>Recent runs (newest first) and the seed's target metrics over them.</summary>
    public async Task<SegmentReport> ReportAsync(int days, CancellationToken cancellationToken)
    {
        var recent = await daily.SinceAsync(ChinaTime.DateOf(time.GetUtcNow()).AddDays(-days), cancellationToken);
        return new SegmentReport(recent, Targets(recent, await reactivation.ReportAsync(days, cancellationToken)));
    }

    /// <summary>
    /// The seed's target per segment over the period: first-order conversion and 30-day repurchase
    /// (customers who moved on, against the segment's size at the start), the Active segment's ARPU
    /// change (last complete month's spend per customer, first run against latest) and reactivation
    /// (wake-up contacts who came back within the window).
    /// </summary>
    public static IReadOnlyList<SegmentMetric> Targets(IReadOnlyList<SegmentationRun> newestFirst, ReactivationReport reactivated)
    {
        var (oldest, newest) = newestFirst.Count > 0 ? (newestFirst[^1], newestFirst[0]) : (null, null);
        SegmentMetric Conversion(CustomerSegment from, string metric, double target, Func<string, bool> move)
        {
            var size = oldest?.Sizes.GetValueOrDefault(from.ToString()) ?? 0;
            var moved = newestFirst.SelectMany(r => r.Transitions).Where(t => move(t.Key)).Sum(t => t.Value);
            return new SegmentMetric(from.ToString(), metric, size == 0 ? null : (double)moved / size, target, $"{moved} of {size}");
        }

        var (arpuBefore, arpuNow) = (oldest?.Arpu(CustomerSegment.Active), newest?.Arpu(CustomerSegment.Active));
        return
        [
            Conversion(CustomerSegment.Potential, "first-order conversion", 0.15, t => t == "Potential->FirstOrder"),
            Conversion(CustomerSegment.FirstOrder, "30-day repurchase", 0.25, t => t is "FirstOrder->Regular" or "FirstOrder->Active"),
            new SegmentMetric(
                nameof(CustomerSegment.Active),
                "ARPU change",
                arpuBefore is > 0 && arpuNow is not null ? (double)arpuNow / arpuBefore - 1 : null,
                0.30,
                $"{Yuan(arpuBefore)} -> {Yuan(arpuNow)} yuan per customer per month"),
            new SegmentMetric(nameof(CustomerSegment.Dormant), "reactivation", reactivated.Rate, reactivated.Target, $"{reactivated.Returned} of {reactivated.Contacted} contacted came back"),
        ];
    }

    /// <summary>Starts from the page's copy of the customer (no second read); a customer changed since is read again.</summary>
    /// <remarks>A customer erased since the page was read has no segment: null, and not counted.</remarks>
    private async Task<(CustomerSegment? Segment, string? Move)> ReclassifyAsync(Versioned<Customer> read, SegmentRules rules, DateTimeOffset now, CancellationToken cancellationToken) =>
        await customers.TransitionFromAsync(
            read.Key,
            read,
            current =>
            {
                var before = current!.Value;
                var (after, events) = before.Review(rules, tiers, now);
                if (after.Segment is null)
                {
                    return Decision.Keep<Customer, (CustomerSegment?, string?)>((null, null));
                }

                var moved = after.Segment.Segment != before.Segment?.Segment;
                var result = ((CustomerSegment?)after.Segment.Segment, moved ? $"{before.Segment?.Segment.ToString() ?? "New"}->{after.Segment.Segment}" : null);
                return ReferenceEquals(after, before) && before.IndexVersion == Customer.CurrentIndexVersion
                    ? Decision.Keep<Customer, (CustomerSegment?, string?)>(result)
                    : Decision.Write(after with { IndexVersion = Customer.CurrentIndexVersion }, result, events);
            },
            cancellationToken);

    private static Dictionary<string, long> Sum(Dictionary<string, long> totals, IEnumerable<(string Key, long Amount)> amounts)
    {
        var summed = new Dictionary<string, long>(totals);
        foreach (var (key, amount) in amounts)
        {
            summed[key] = summed.GetValueOrDefault(key) + amount;
        }

        return summed;
    }

    private static string Yuan(long? fen) => fen is null ? "n/a" : (fen.Value / 100m).ToString("0.00", CultureInfo.InvariantCulture);

    private static Dictionary<string, int> Merge(Dictionary<string, int> totals, IEnumerable<string> keys)
    {
        var merged = new Dictionary<string, int>(totals);
        foreach (var key in keys)
        {
            merged[key] = merged.GetValueOrDefault(key) + 1;
        }

        return merged;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Segmentation {Day}: {Processed} customers, {Changed} changed, {Pages} pages")]
    private static partial void LogRun(ILogger logger, DateOnly day, int processed, int changed, int pages);
}
