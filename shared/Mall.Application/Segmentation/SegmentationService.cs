using System.Globalization;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Membership;
using Mall.Domain.Segmentation;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Segmentation;

/// <summary>
/// The daily segmentation (and tier review): streams every customer page by page (continuation tokens; one page in
/// memory), writes only customers whose segment changed (each a guarded single-entity write carrying
/// its CustomerSegmentChanged event), and checkpoints after every page. Re-running a finished day does
/// nothing; a run that crashed resumes at its last checkpoint, and re-processing that page is harmless
/// because an unchanged customer is never written.
/// </summary>
public sealed partial class SegmentationService(
    IDocumentCollection<Customer> customers,
    IDocumentCollection<SegmentationRun> runs,
    SegmentationOptions options,
    TierRules tiers,
    TimeProvider time,
    ILogger<SegmentationService> logger)
{
    private const string RunPartition = "segmentation";

    public async Task<SegmentationRun> RunAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var day = ChinaTime.DateOf(now);
        var key = new DocumentKey(RunPartition, day.ToString("yyyy-MM-dd", CultureInfo.InvariantCulture));
        var stored = await runs.FindAsync(key, cancellationToken);
        var run = stored?.Value ?? new SegmentationRun { Day = day, StartedAt = now };
        if (run.CompletedAt is not null)
        {
            return run;
        }

        var rules = options.ToRules();
        bool Unchanged(Customer customer) => customer.Review(rules, tiers, now).Events.Count == 0;
        using var writes = new SemaphoreSlim(options.WriteConcurrency);
        do
        {
            var page = await customers.QueryAsync(new DocumentQuery(), run.ContinuationToken, options.PageSize, cancellationToken);
            var outcomes = await Task.WhenAll(page.Items.Select(async entry =>
            {
                if (Unchanged(entry.Value))
                {
                    return (Segment: entry.Value.Segment!.Segment, Move: (string?)null);
                }

                await writes.WaitAsync(cancellationToken);
                try
                {
                    return await ReclassifyAsync(entry.Key, rules, now, cancellationToken);
                }
                finally
                {
                    writes.Release();
                }
            }));

            run = run with
            {
                ContinuationToken = page.ContinuationToken,
                Pages = run.Pages + 1,
                Processed = run.Processed + outcomes.Length,
                Changed = run.Changed + outcomes.Count(o => o.Move is not null),
                Sizes = Merge(run.Sizes, outcomes.Select(o => o.Segment.ToString())),
                Transitions = Merge(run.Transitions, outcomes.Where(o => o.Move is not null).Select(o => o.Move!)),
                CompletedAt = page.ContinuationToken is null ? time.GetUtcNow() : null,
            };
            // The checkpoint: a crash after this point resumes with the next page.
            stored = stored is null ? await runs.InsertAsync(key, run, [], cancellationToken) : await runs.ReplaceAsync(stored, run, [], cancellationToken);
        }
        while (run.CompletedAt is null);

        LogRun(logger, day, run.Processed, run.Changed, run.Pages);
        return run;
    }

    /// <summary>Recent runs (newest first) and the seed's target metrics over them.</summary>
    public async Task<SegmentReport> ReportAsync(int days, CancellationToken cancellationToken)
    {
        var since = ChinaTime.DateOf(time.GetUtcNow()).AddDays(-days).ToString("yyyy-MM-dd", CultureInfo.InvariantCulture);
        var page = await runs.QueryAsync(new DocumentQuery { PartitionKey = RunPartition }, null, 1000, cancellationToken);
        var recent = page.Items.Where(r => string.CompareOrdinal(r.Key.RowKey, since) >= 0).Select(r => r.Value).OrderByDescending(r => r.Day).ToList();
        return new SegmentReport(recent, Targets(recent));
    }

    /// <summary>
    /// First-order conversion, 30-day repurchase and reactivation: customers who moved out of a segment
    /// (to the next one) over the period, against the segment's size at the start of the period.
    /// </summary>
    public static IReadOnlyList<SegmentMetric> Targets(IReadOnlyList<SegmentationRun> newestFirst)
    {
        var oldest = newestFirst.Count > 0 ? newestFirst[^1] : null;
        int Moved(Func<string, bool> move) => newestFirst.SelectMany(r => r.Transitions).Where(t => move(t.Key)).Sum(t => t.Value);
        SegmentMetric Metric(CustomerSegment from, string metric, double target, Func<string, bool> move)
        {
            var size = oldest?.Sizes.GetValueOrDefault(from.ToString()) ?? 0;
            var moved = Moved(move);
            return new SegmentMetric(from.ToString(), metric, size == 0 ? null : (double)moved / size, target, moved, size);
        }

        return
        [
            Metric(CustomerSegment.Potential, "first-order conversion", 0.15, t => t == "Potential->FirstOrder"),
            Metric(CustomerSegment.FirstOrder, "30-day repurchase", 0.25, t => t is "FirstOrder->Regular" or "FirstOrder->Active"),
            Metric(CustomerSegment.Dormant, "reactivation", 0.18, t => t.StartsWith("Dormant->", StringComparison.Ordinal)),
        ];
    }

    private async Task<(CustomerSegment Segment, string? Move)> ReclassifyAsync(DocumentKey key, SegmentRules rules, DateTimeOffset now, CancellationToken cancellationToken) =>
        await customers.TransitionAsync(
            key,
            current =>
            {
                var before = current!.Value;
                var (after, events) = before.Review(rules, tiers, now);
                var moved = after.Segment!.Segment != before.Segment?.Segment;
                var result = (after.Segment.Segment, moved ? $"{before.Segment?.Segment.ToString() ?? "New"}->{after.Segment.Segment}" : null);
                return events.Count == 0 ? Decision.Keep<Customer, (CustomerSegment, string?)>(result) : Decision.Write(after, result, events);
            },
            cancellationToken);

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
