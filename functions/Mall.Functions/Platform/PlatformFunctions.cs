using Mall.Application.Platform;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Mall.Functions.Platform;

[CalledBy(Caller.Anyone)]
public sealed class PlatformFunctions(Api api, Readiness readiness, TimeProvider time)
{
    /// <summary>Liveness: the app answers. It touches no dependency, so an outage of one never gets instances restarted.</summary>
    [Answers(200, typeof(LivenessView))]
    [Function("Platform_Live")]
    public Task<IActionResult> Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/live")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult<IActionResult>(ApiResults.Ok(new LivenessView("ok", time.GetUtcNow()))));

    /// <summary>
    /// Readiness, for load balancers, uptime checks and deployments: "ready", or 503 "notReady" unless every required
    /// dependency is up. Anyone may ask, so it says no more than that (operators see each dependency).
    /// </summary>
    [Answers(200, typeof(ReadinessSummaryView))]
    [Answers(503, typeof(ReadinessSummaryView))]
    [Function("Platform_Health")]
    public Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        api.RunAsync(request, async () =>
        {
            var report = await readiness.CheckAsync([new DurableHubReadiness(durable)], request.HttpContext.RequestAborted);
            return new JsonResponse(StatusOf(report), new ReadinessSummaryView(StatusNameOf(report), report.CheckedAt));
        });

    /// <summary>Readiness for operators: storage, the durable task hub, Service Bus and the WeChat settings, each with its status and what was found.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(ReadinessView))]
    [Answers(503, typeof(ReadinessView))]
    [Function("Manage_Health")]
    public Task<IActionResult> HealthForOperators(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/health")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        api.ForAdminAsync(request, async _ =>
        {
            var report = await readiness.CheckAsync([new DurableHubReadiness(durable)], request.HttpContext.RequestAborted);
            return new JsonResponse(StatusOf(report), new ReadinessView(StatusNameOf(report), report.CheckedAt, report.Dependencies));
        });

    private static int StatusOf(ReadinessReport report) => report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable;

    private static string StatusNameOf(ReadinessReport report) => report.Ready ? "ready" : "notReady";
}

/// <summary>The liveness probe's answer: "ok", and the server's clock.</summary>
public sealed record LivenessView(string Status, DateTimeOffset Time);

/// <summary>The readiness probe's answer to anyone: "ready" or "notReady", and when the dependencies were checked.</summary>
public sealed record ReadinessSummaryView(string Status, DateTimeOffset CheckedAt);

/// <summary>The readiness probe's answer to operators: also each dependency by name (storage, durableTaskHub, serviceBus, weChat).</summary>
public sealed record ReadinessView(string Status, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, DependencyReadiness> Dependencies);
