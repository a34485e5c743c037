using Mall.Application.Inventory;
using Mall.Application.Segmentation;
using Mall.Domain.Analytics;
using Mall.Domain.Common;

namespace Mall.Application.Analytics;

/// <summary>Assembles the dashboard's one response from the figures, segmentation, alerts, experiments and replenishment.</summary>
public sealed class DashboardService(
    AnalyticsFigures figures,
    SegmentationService segmentation,
    AlertService alerts,
    ExperimentService experiments,
    ReplenishmentService replenishment,
    TimeProvider time)
{
    public const int HourlyChartHours = 48;
    private const int SegmentDays = 30;
    private const int ReplenishmentLines = 20;

    public async Task<DashboardData> DataAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var today = ChinaTime.DateOf(now);
        // Today and yesterday lie inside the chart's hours (a CST day starts at most 24 hours before the current
        // hour), so their figures come from the hours read once for the chart.
        var hours = await LastHoursAsync(now, HourlyChartHours, cancellationToken);
        var todayTally = await figures.DayAsync(today, hours, cancellationToken);
        var yesterdayTally = await figures.DayAsync(today.AddDays(-1), hours, cancellationToken);
        var running = (await experiments.ListAsync(cancellationToken))
            .Where(e => e.Status == nameof(ExperimentStatus.Running) || (e.StoppedAt ?? e.EndsAt) > now.AddDays(-7))
            .ToList();
        var results = new List<ExperimentResults>();
        foreach (var experiment in running)
        {
            results.Add(await experiments.ResultsAsync(experiment.Id, cancellationToken));
        }

        return new DashboardData(
            now,
            ChinaTime.DayKey(today),
            Sales(today, todayTally),
            Sales(today.AddDays(-1), yesterdayTally),
            Hourly(hours),
            Funnels.Of(ChinaTime.DayKey(today), todayTally),
            await segmentation.ReportAsync(SegmentDays, cancellationToken),
            await alerts.ListAsync(openOnly: true, cancellationToken),
            results,
            await replenishment.PanelAsync(ReplenishmentLines, cancellationToken))
        {
            Recommendations = SlotFigures.Of(todayTally),
        };
    }

    /// <summary>The last <paramref name="count"/> UTC hours, the current one included, oldest first.</summary>
    public async Task<IReadOnlyList<HourlyFigures>> HoursAsync(int count, CancellationToken cancellationToken) =>
        Hourly(await LastHoursAsync(time.GetUtcNow(), count, cancellationToken));

    private Task<IReadOnlyList<(DateTimeOffset Hour, Tally Tally)>> LastHoursAsync(DateTimeOffset now, int count, CancellationToken cancellationToken)
    {
        var current = LedgerKeys.HourOf(now);
        return figures.HoursAsync(current.AddHours(1 - count), current, cancellationToken);
    }

    private static List<HourlyFigures> Hourly(IReadOnlyList<(DateTimeOffset Hour, Tally Tally)> hours) =>
        hours.Select(h => new HourlyFigures(
            h.Hour,
            h.Tally.Count(TrackedEvent.PageView),
            h.Tally.Visitors,
            h.Tally.Count(TrackedEvent.ProductView),
            h.Tally.Count(TrackedEvent.AddToCart),
            h.Tally.Count(TrackedEvent.CheckoutStart),
            h.Tally.Count(TrackedEvent.OrderPaid),
            h.Tally.GmvFen,
            h.Tally.Count(TrackedEvent.CustomerRegistered),
            h.Tally.Count(TrackedEvent.SessionOpen))).ToList();

    private static SalesDay Sales(DateOnly day, Tally tally) =>
        new(ChinaTime.DayKey(day), tally.GmvFen, tally.Count(TrackedEvent.OrderPaid), tally.Visitors, tally.Count(TrackedEvent.PageView));
}
