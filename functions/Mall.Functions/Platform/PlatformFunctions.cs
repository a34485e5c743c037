using Mall.Functions.Http;
using Mall.Infrastructure.Scheduling;
using Mall.Infrastructure.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Platform;

[CalledBy(Caller.Anyone)]
public sealed class PlatformFunctions(Api api, TableProvider tables, TimeProvider time)
{
    /// <summary>Liveness and storage reachability, for load balancers and uptime checks.</summary>
    [Answers(200, typeof(HealthView))]
    [Function("Platform_Health")]
    public Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        api.RunAsync(request, async () =>
        {
            await tables.GetAsync(TableDueWorkScheduler.TableName, request.HttpContext.RequestAborted);
            return ApiResults.Ok(new HealthView("ok", time.GetUtcNow()));
        });
}

/// <summary>The health probe's answer: "ok" once storage answered, and the server's clock.</summary>
public sealed record HealthView(string Status, DateTimeOffset Time);
