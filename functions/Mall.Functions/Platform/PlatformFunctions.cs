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
    /// Readiness, for load balancers, uptime checks and deployments: storage, the durable task hub, Service Bus and
    /// the WeChat settings, each with its status; 503 unless every required one is up.
    /// </summary>
    [Answers(200, typeof(ReadinessView))]
    [Answers(503, typeof(ReadinessView))]
    [Function("Platform_Health")]
    public Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        api.RunAsync(request, async () =>
        {
            var report = await readiness.CheckAsync([new DurableHubReadiness(durable)], request.HttpContext.RequestAborted);
            return new JsonResponse(
                report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
                new ReadinessView(report.Ready ? "ready" : "notReady", report.CheckedAt, report.Dependencies));
        });
}

/// <summary>The liveness probe's answer: "ok", and the server's clock.</summary>
public sealed record LivenessView(string Status, DateTimeOffset Time);

/// <summary>The readiness probe's answer: "ready" or "notReady", and each dependency by name (storage, durableTaskHub, serviceBus, weChat).</summary>
public sealed record ReadinessView(string Status, DateTimeOffset CheckedAt, IReadOnlyDictionary<string, DependencyReadiness> Dependencies);
