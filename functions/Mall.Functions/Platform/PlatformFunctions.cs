using Mall.Functions.Http;
using Mall.Infrastructure.Scheduling;
using Mall.Infrastructure.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Platform;

public sealed class PlatformFunctions(Api api, TableProvider tables, TimeProvider time)
{
    /// <summary>Liveness and storage reachability, for load balancers and uptime checks.</summary>
    [Function("Platform_Health")]
    public Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        api.RunAsync(request, async () =>
        {
            await tables.GetAsync(TableDueWorkScheduler.TableName, request.HttpContext.RequestAborted);
            return ApiResults.Ok(new { status = "ok", time = time.GetUtcNow() });
        });
}
