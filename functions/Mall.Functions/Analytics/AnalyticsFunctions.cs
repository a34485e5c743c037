using Mall.Application.Analytics;
using Mall.Domain.Analytics;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Analytics;

/// <summary>Events from the mini-program, experiments, alerts and the data behind the operator dashboard.</summary>
public sealed class AnalyticsFunctions(Api api, EventIngestion ingestion, ExperimentService experiments, AlertService alerts, AnalyticsFigures figures, DashboardService dashboard, TimeProvider time)
{
    /// <summary>A batch of up to 50 events; each bad event is reported by index and the rest are kept (200 either way).</summary>
    [CalledBy(Caller.Visitor)]
    [Accepts(typeof(EventBatchRequest))]
    [Answers(200, typeof(EventBatchResult))]
    [Function("Analytics_RecordEvents")]
    public Task<IActionResult> RecordEvents([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "events")] HttpRequest request) =>
        api.ForVisitorAsync(request, async customerId =>
            ApiResults.Ok(await ingestion.RecordAsync(customerId, await api.BodyAsync<EventBatchRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>The visitor's variant of an experiment (recorded as an exposure while it runs); anonymous visitors pass ?deviceId=.</summary>
    [CalledBy(Caller.Visitor)]
    [Answers(200, typeof(AssignmentView))]
    [Refuses(ErrorCode.NotFound)]
    [Query("deviceId", typeof(string), "The visitor's device id when not signed in.")]
    [Function("Analytics_ExperimentAssignment")]
    public Task<IActionResult> Assignment([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "experiments/{experimentId}/assignment")] HttpRequest request, string experimentId) =>
        api.ForVisitorAsync(request, async customerId =>
            ApiResults.Ok(await experiments.AssignAsync(experimentId, EventIngestion.Visitor(customerId, request.Query["deviceId"]), request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Accepts(typeof(ExperimentRequest))]
    [Answers(201, typeof(ExperimentView))]
    [Answers(200, typeof(ExperimentView))]
    [Refuses(ErrorCode.Conflict)]
    [Function("Manage_CreateExperiment")]
    public Task<IActionResult> CreateExperiment([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/experiments")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (view, created) = await experiments.CreateAsync(await api.BodyAsync<ExperimentRequest>(request), request.HttpContext.RequestAborted);
            return created ? ApiResults.Created(view) : ApiResults.Ok(view);
        });

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(IReadOnlyList<ExperimentView>))]
    [Function("Manage_ListExperiments")]
    public Task<IActionResult> ListExperiments([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/experiments")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await experiments.ListAsync(request.HttpContext.RequestAborted)));

    /// <summary>Per variant: exposures, conversions, rate with its 95% interval, z-test p-value against control; the sample-ratio check.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(ExperimentResults))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_ExperimentResults")]
    public Task<IActionResult> ExperimentResults([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/experiments/{experimentId}/results")] HttpRequest request, string experimentId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await experiments.ResultsAsync(experimentId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(ExperimentView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_StopExperiment")]
    public Task<IActionResult> StopExperiment([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/experiments/{experimentId}/stop")] HttpRequest request, string experimentId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await experiments.StopAsync(experimentId, request.HttpContext.RequestAborted)));

    /// <summary>
    /// The funnel of a CST day (?date=, default today), or one of its hours (&amp;hour=0–23, CST); with
    /// ?experimentId= one funnel per variant, counting exposed units.
    /// </summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(IReadOnlyList<FunnelView>))]
    [Refuses(ErrorCode.NotFound)]
    [Query("date", typeof(DateOnly), "A CST day (yyyy-MM-dd); today by default.")]
    [Query("hour", typeof(int), "An hour of that day, 0–23; the whole day when absent.")]
    [Query("experimentId", typeof(string), "The experiment whose results to show.")]
    [Function("Manage_Funnel")]
    public Task<IActionResult> Funnel([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/funnel")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (period, from, until) = Period(request);
            var cancellationToken = request.HttpContext.RequestAborted;
            var experimentId = request.Query["experimentId"].ToString();
            if (experimentId.Length > 0)
            {
                return ApiResults.Ok(await experiments.FunnelAsync(experimentId, period, from, until, cancellationToken));
            }

            var tally = until - from > TimeSpan.FromHours(1)
                ? await figures.DayAsync(ChinaTime.DateOf(from), cancellationToken)
                : (await figures.HoursAsync(from, from, cancellationToken))[0].Tally;
            return ApiResults.Ok(new[] { Funnels.Of(period, tally) });
        });

    /// <summary>Hourly figures (UTC hours) of the last ?hours= (1–168, 48 by default).</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(IReadOnlyList<HourlyFigures>))]
    [Query("hours", typeof(int), "How many hours back, 1–168; 48 by default.")]
    [Function("Manage_AnalyticsHours")]
    public Task<IActionResult> Hours([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/analytics/hours")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var count = int.TryParse(request.Query["hours"], out var requested) ? Math.Clamp(requested, 1, 168) : 48;
            return ApiResults.Ok(await dashboard.HoursAsync(count, request.HttpContext.RequestAborted));
        });

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(IReadOnlyList<AlertView>))]
    [Query("state", typeof(string), "open for the alerts still open only.")]
    [Function("Manage_ListAlerts")]
    public Task<IActionResult> ListAlerts([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/alerts")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await alerts.ListAsync(request.Query["state"] == "open", request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(AlertView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_AcknowledgeAlert")]
    public Task<IActionResult> AcknowledgeAlert([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/alerts/{alertId}/acknowledge")] HttpRequest request, string alertId) =>
        api.ForAdminAsync(request, async operatorName => ApiResults.Ok(await alerts.AcknowledgeAsync(alertId, operatorName, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(IReadOnlyList<AlertRuleView>))]
    [Function("Manage_AlertRules")]
    public Task<IActionResult> AlertRules([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/alert-rules")] HttpRequest request) =>
        api.ForAdminAsync(request, _ => Task.FromResult<IActionResult>(ApiResults.Ok(alerts.Rules.Select(AlertRuleView.Of).ToList())));

    /// <summary>Runs the 10-minute timer's work now: closes finished hours and days, then evaluates every rule.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(AlertEvaluation))]
    [Function("Manage_EvaluateAlerts")]
    public Task<IActionResult> EvaluateNow([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/alerts/evaluate")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await EvaluateAsync(request.HttpContext.RequestAborted)));

    /// <summary>Every 10 minutes (SPEC §4.13).</summary>
    [Function("Analytics_Evaluate")]
    public Task Evaluate([TimerTrigger("0 */10 * * * *")] TimerInfo timer, CancellationToken cancellationToken) => EvaluateAsync(cancellationToken);

    /// <summary>Everything the dashboard draws, in one response.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(DashboardData))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Function("Manage_DashboardData")]
    public Task<IActionResult> DashboardData([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/dashboard/data")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await dashboard.DataAsync(request.HttpContext.RequestAborted)));

    private async Task<AlertEvaluation> EvaluateAsync(CancellationToken cancellationToken)
    {
        var summarised = await figures.CloseAsync(cancellationToken);
        var changed = await alerts.EvaluateAsync(cancellationToken);
        return new AlertEvaluation(summarised, changed);
    }

    private (string Period, DateTimeOffset From, DateTimeOffset Until) Period(HttpRequest request)
    {
        var day = Api.DateParameter(request, "date") ?? ChinaTime.DateOf(time.GetUtcNow());
        var start = ChinaTime.StartOf(day);
        var hourText = request.Query["hour"].ToString();
        if (hourText.Length == 0)
        {
            return (ChinaTime.DayKey(day), start, start.AddDays(1));
        }

        return int.TryParse(hourText, out var hour) && hour is >= 0 and <= 23
            ? ($"{ChinaTime.DayKey(day)} {hour:D2}:00", start.AddHours(hour), start.AddHours(hour + 1))
            : throw DomainException.Validation("hour", "Must be an hour of the CST day, 0–23.");
    }
}

/// <summary>An alert rule as operators read it; metric, comparison and period by their C# names, as before contract types.</summary>
public sealed record AlertRuleView(string Id, string Metric, string Comparison, double Threshold, string Period, int WindowPeriods, int ConsecutivePeriods, long MinimumBase, string Action, bool StartsWakeUp, string Description)
{
    public static AlertRuleView Of(AlertRule r) =>
        new(r.Id, r.Metric.ToString(), r.Comparison.ToString(), r.Threshold, r.Period.ToString(), r.WindowPeriods, r.ConsecutivePeriods, r.MinimumBase, r.Action, r.StartsWakeUp, r.Describe());
}

/// <summary>What an evaluation run did: the periods it closed and the alerts whose state changed.</summary>
public sealed record AlertEvaluation(int Summarised, IReadOnlyList<AlertView> Changed);
