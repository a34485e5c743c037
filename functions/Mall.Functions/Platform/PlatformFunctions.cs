using Mall.Application.Platform;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.DurableTask.Client;

namespace Mall.Functions.Platform;

public sealed class PlatformFunctions(Api api, Readiness readiness, TimeProvider time)
{
    /// <summary>Liveness: the app answers. It touches no dependency, so an outage of one never gets instances restarted.</summary>
    [Function("Platform_Live")]
    public Task<IActionResult> Live([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health/live")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult<IActionResult>(ApiResults.Ok(new { status = "ok", time = time.GetUtcNow() })));

    /// <summary>
    /// Readiness, for load balancers, uptime checks and deployments: storage, the durable task hub, Service Bus and
    /// the WeChat settings, each with its status; 503 unless every required one is up.
    /// </summary>
    [Function("Platform_Health")]
    public Task<IActionResult> Health(
        [HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request,
        [DurableClient] DurableTaskClient durable) =>
        api.RunAsync(request, async () =>
        {
            var report = await readiness.CheckAsync([new DurableHubReadiness(durable)], request.HttpContext.RequestAborted);
            return new JsonResponse(
                report.Ready ? StatusCodes.Status200OK : StatusCodes.Status503ServiceUnavailable,
                new { status = report.Ready ? "ready" : "notReady", checkedAt = report.CheckedAt, dependencies = report.Dependencies });
        });
}
