using Mall.Application.Analytics;
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
    [Function("Analytics_RecordEvents")]
    public Task<IActionResult> RecordEvents([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "events")] HttpRequest request) =>
        api.ForVisitorAsync(request, async customerId =>
            ApiResults.Ok(await ingestion.RecordAsync(customerId, await api.BodyAsync<EventBatchRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>The visitor's variant of an experiment (recorded as an exposure while it runs); anonymous visitors pass ?deviceId=.</summary>
    [Function("Analytics_ExperimentAssignment")]
    public Task<IActionResult> Assignment([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "experiments/{experimentId}/assignment")] HttpRequest request, string experimentId) =>
        api.ForVisitorAsync(request, async customerId =>
            ApiResults.Ok(await experiments.AssignAsync(experimentId, EventIngestion.Visitor(customerId, request.Query["deviceId"]), request.HttpContext.RequestAborted)));

    [Function("Manage_CreateExperiment")]
    public Task<IActionResult> CreateExperiment([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/experiments")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (view, created) = await experiments.CreateAsync(await api.BodyAsync<ExperimentRequest>(request), request.HttpContext.RequestAborted);
            return created ? ApiResults.Created(view) : ApiResults.Ok(view);
        });

    [Function("Manage_ListExperiments")]
    public Task<IActionResult> ListExperiments([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/experiments")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await experiments.ListAsync(request.HttpContext.RequestAborted)));

    /// <summary>Per variant: exposures, conversions, rate with its 95% interval, z-test p-value against control; the sample-ratio check.</summary>
    [Function("Manage_ExperimentResults")]
    public Task<IActionResult> ExperimentResults([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/experiments/{experimentId}/results")] HttpRequest request, string experimentId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await experiments.ResultsAsync(experimentId, request.HttpContext.RequestAborted)));

    [Function("Manage_StopExperiment")]
    public Task<IActionResult> StopExperiment([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/experiments/{experimentId}/stop")] HttpRequest request, string experimentId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await experiments.StopAsync(experimentId, request.HttpContext.RequestAborted)));

    /// <summary>
    /// The funnel of a CST day (?date=, default today), or one of its hours (&amp;hour=0–23, CST); with
    /// ?experimentId= one funnel per variant, counting exposed units.
    /// </summary>
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
    [Function("Manage_AnalyticsHours")]
    public Task<IActionResult> Hours([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/analytics/hours")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var count = int.TryParse(request.Query["hours"], out var requested) ? Math.Clamp(requested, 1, 168) : 48;
            return ApiResults.Ok(await dashboard.HoursAsync(count, request.HttpContext.RequestAborted));
        });

    [Function("Manage_ListAlerts")]
    public Task<IActionResult> ListAlerts([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/alerts")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await alerts.ListAsync(request.Query["state"] == "open", request.HttpContext.RequestAborted)));

    [Function("Manage_AcknowledgeAlert")]
    public Task<IActionResult> AcknowledgeAlert([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/alerts/{alertId}/acknowledge")] HttpRequest request, string alertId) =>
        api.ForAdminAsync(request, async operatorName => ApiResults.Ok(await alerts.AcknowledgeAsync(alertId, operatorName, request.HttpContext.RequestAborted)));

    [Function("Manage_AlertRules")]
    public Task<IActionResult> AlertRules([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/alert-rules")] HttpRequest request) =>
        api.ForAdminAsync(request, _ => Task.FromResult<IActionResult>(ApiResults.Ok(alerts.Rules.Select(r => new { r.Id, Metric = r.Metric.ToString(), Comparison = r.Comparison.ToString(), r.Threshold, Period = r.Period.ToString(), r.WindowPeriods, r.ConsecutivePeriods, r.MinimumBase, r.Action, r.StartsWakeUp, Description = r.Describe() }))));

    /// <summary>Runs the 10-minute timer's work now: closes finished hours and days, then evaluates every rule.</summary>
    [Function("Manage_EvaluateAlerts")]
    public Task<IActionResult> EvaluateNow([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/alerts/evaluate")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await EvaluateAsync(request.HttpContext.RequestAborted)));

    /// <summary>Every 10 minutes (SPEC §4.13).</summary>
    [Function("Analytics_Evaluate")]
    public Task Evaluate([TimerTrigger("0 */10 * * * *")] TimerInfo timer, CancellationToken cancellationToken) => EvaluateAsync(cancellationToken);

    /// <summary>Everything the dashboard draws, in one response.</summary>
    [Function("Manage_DashboardData")]
    public Task<IActionResult> DashboardData([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/dashboard/data")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await dashboard.DataAsync(request.HttpContext.RequestAborted)));

    private async Task<object> EvaluateAsync(CancellationToken cancellationToken)
    {
        var summarised = await figures.CloseAsync(cancellationToken);
        var changed = await alerts.EvaluateAsync(cancellationToken);
        return new { Summarised = summarised, Changed = changed };
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
