using Mall.Application.Platform;
using Mall.Application.Reactivation;
using Mall.Domain.Analytics;
using Mall.Domain.Common;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Analytics;

/// <summary>
/// The alert rules' evaluation (the 10-minute timer) and the operator's side of alerts. Each rule's
/// state is one document (<see cref="AlertBook"/>); evaluating it is one guarded write carrying the
/// events it raises, so two timers racing raise, escalate and resolve each episode once.
/// </summary>
public sealed partial class AlertService(
    IDocumentCollection<AlertBook> books,
    AnalyticsFigures figures,
    AnalyticsOptions options,
    TimeProvider time,
    ILogger<AlertService> logger)
{
    private const string Partition = "alerts";

    public IReadOnlyList<AlertRule> Rules => options.Rules();

    /// <summary>Reads every rule's metric over its latest complete periods and moves its episode on.</summary>
    public async Task<IReadOnlyList<AlertView>> EvaluateAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rules = options.Rules();
        var lastHour = figures.LastClosedHour(now);
        var hourlySpan = rules.Where(r => r.Period == AlertPeriod.Hour).Select(r => r.ConsecutivePeriods + r.WindowPeriods - 1).DefaultIfEmpty(0).Max();
        var hours = hourlySpan == 0 ? [] : (await figures.HoursAsync(lastHour.AddHours(1 - hourlySpan), lastHour, cancellationToken)).Select(h => h.Tally).ToList();
        var lastDay = figures.LastClosedDay(now);
        var dailySpan = rules.Where(r => r.Period == AlertPeriod.Day).Select(r => r.ConsecutivePeriods).DefaultIfEmpty(0).Max();
        var daySummaries = dailySpan == 0 ? [] : await figures.DaySummariesAsync(lastDay.AddDays(1 - dailySpan), lastDay, cancellationToken);

        var changed = new List<AlertView>();
        foreach (var rule in rules)
        {
            var readings = rule.Period == AlertPeriod.Hour ? HourlyReadings(rule, hours) : DailyReadings(rule, daySummaries, lastDay);
            var assessment = rule.Assess(readings);
            var escalateAfter = TimeSpan.FromMinutes(options.EscalateAfterMinutes);
            var moved = await books.TransitionAsync(
                Key(rule.Id),
                current =>
                {
                    var book = current?.Value ?? new AlertBook(rule.Id);
                    var (next, events) = book.Evaluate(rule, assessment, readings.Count > 0 ? readings[^1] : null, now, escalateAfter);
                    return ReferenceEquals(next, book)
                        ? Decision.Keep<AlertBook, Alert?>(null)
                        : Decision.Write(next, next.Open ?? next.LastResolved, events);
                },
                cancellationToken);
            if (moved is not null)
            {
                LogAlertMoved(logger, moved.Id, moved.State.ToString(), moved.Value);
                changed.Add(View(moved));
            }
        }

        return changed;
    }

    public async Task<AlertView> AcknowledgeAsync(string alertId, string operatorName, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        foreach (var rule in await AllBooksAsync(cancellationToken))
        {
            var acknowledged = await books.TransitionAsync(
                rule.Key,
                current =>
                {
                    var next = current?.Value.Acknowledge(alertId, operatorName, now);
                    if (next is null)
                    {
                        return Decision.Keep<AlertBook, Alert?>(null);
                    }

                    var alert = next.Open?.Id == alertId ? next.Open : next.LastResolved;
                    return next == current!.Value ? Decision.Keep<AlertBook, Alert?>(alert) : Decision.Write(next, alert);
                },
                cancellationToken);
            if (acknowledged is not null)
            {
                return View(acknowledged);
            }
        }

        throw DomainException.NotFound($"alert {alertId}");
    }

    /// <summary>Open alerts first (raised, escalated or acknowledged), then each rule's last resolved one.</summary>
    public async Task<IReadOnlyList<AlertView>> ListAsync(bool openOnly, CancellationToken cancellationToken)
    {
        var all = (await AllBooksAsync(cancellationToken)).Select(b => b.Value).ToList();
        var open = all.Where(b => b.Open is not null).Select(b => b.Open!).OrderByDescending(a => a.RaisedAt);
        var resolved = openOnly ? Enumerable.Empty<Alert>() : all.Where(b => b.LastResolved is not null).Select(b => b.LastResolved!).OrderByDescending(a => a.ResolvedAt);
        return open.Concat(resolved).Select(View).ToList();
    }

    public static AlertView View(Alert alert) =>
        new(alert.Id, alert.RuleId, alert.Metric.ToString(), alert.Description, alert.Action, alert.State.ToString(), alert.Value, alert.Threshold,
            alert.RaisedAt, alert.EscalatedAt, alert.AcknowledgedAt, alert.AcknowledgedBy, alert.ResolvedAt);

    /// <summary>Oldest first: one reading per consecutive period, each over the rule's window of hours ending there.</summary>
    public static IReadOnlyList<double?> HourlyReadings(AlertRule rule, IReadOnlyList<Tally> hoursOldestFirst)
    {
        var readings = new List<double?>();
        for (var end = hoursOldestFirst.Count - rule.ConsecutivePeriods; end < hoursOldestFirst.Count; end++)
        {
            var start = end - rule.WindowPeriods + 1;
            if (start < 0)
            {
                readings.Add(null);
                continue;
            }

            var window = hoursOldestFirst.Skip(start).Take(rule.WindowPeriods).Aggregate(Tally.Empty, (sum, hour) => sum.Plus(hour));
            readings.Add(AlertReadings.Hourly(rule, window));
        }

        return readings;
    }

    private static List<double?> DailyReadings(AlertRule rule, IReadOnlyList<DaySummary> summaries, DateOnly lastDay) =>
        Enumerable.Range(0, rule.ConsecutivePeriods)
            .Select(offset => lastDay.AddDays(offset - rule.ConsecutivePeriods + 1))
            .Select(day => summaries.FirstOrDefault(s => s.Day == day) is { } summary ? AlertReadings.Daily(rule, summary.Activity) : null)
            .ToList();

    private async Task<IReadOnlyList<Versioned<AlertBook>>> AllBooksAsync(CancellationToken cancellationToken)
    {
        var all = new List<Versioned<AlertBook>>();
        await foreach (var book in books.ScanAsync(new DocumentQuery { PartitionKey = Partition }, 100, cancellationToken))
        {
            all.Add(book);
        }

        return all;
    }

    private static DocumentKey Key(string ruleId) => new(Partition, ruleId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Alert {AlertId} is now {State} (reading {Value})")]
    private static partial void LogAlertMoved(ILogger logger, string alertId, string state, double? value);
}

/// <summary>A wake-up rule's alert starts the reactivation campaign at once (it is idempotent per day).</summary>
public sealed class WakeUpOnAlert(ReactivationService reactivation) : IEventHandler<AlertRaised>
{
    public async Task HandleAsync(AlertRaised raised, EventContext context, CancellationToken cancellationToken)
    {
        if (raised.StartsWakeUp)
        {
            await reactivation.RunAsync(cancellationToken);
        }
    }
}
