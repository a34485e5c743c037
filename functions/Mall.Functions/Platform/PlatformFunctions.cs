using Mall.Domain.Common;
using Mall.Functions.Http;
using Mall.Infrastructure.Messaging;
using Mall.Infrastructure.Scheduling;
using Mall.Infrastructure.Storage;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;
using Mall.Infrastructure.Workflows;
using Microsoft.DurableTask.Client;

namespace Mall.Functions.Platform;

public sealed partial class PlatformFunctions(Api api, TableProvider tables, DueWorkProcessor processor, TimeProvider time, ILogger<PlatformFunctions> logger)
{
    /// <summary>Liveness and storage reachability, for load balancers and uptime checks.</summary>
    [Function("Platform_Health")]
    public Task<IActionResult> Health([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "health")] HttpRequest request) =>
        api.RunAsync(request, async () =>
        {
            await tables.GetAsync(TableDueWorkScheduler.TableName, request.HttpContext.RequestAborted);
            return ApiResults.Ok(new { status = "ok", time = time.GetUtcNow() });
        });

    /// <summary>Unknown routes answer a problem document rather than an empty 404.</summary>
    [Function("Platform_NotFound")]
    public static IActionResult NotFound([HttpTrigger(AuthorizationLevel.Anonymous, "get", "post", "put", "patch", "delete", Route = "{*path}")] HttpRequest request) =>
        ApiResults.Problem(request, ErrorCode.NotFound, $"No endpoint {request.Method} {request.Path}.");

    /// <summary>Every minute: relay integration events left in outboxes (the safety net behind the inline relay).</summary>
    [Function("Platform_RelayOutbox")]
    public async Task RelayOutbox([TimerTrigger("15 * * * * *")] TimerInfo timer, [DurableClient] DurableTaskClient durable, CancellationToken cancellationToken)
    {
        // Events whose handlers signal orchestrations and found no client where they were written land here.
        using var signals = DurableClientScope.Use(durable);
        var summary = await processor.RunAsync([OutboxRelay.DueWorkKind], cancellationToken);
        LogRun(logger, summary.Done, summary.Deferred, summary.Failed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Outbox relay: {Done} done, {Deferred} deferred, {Failed} failed")]
    private static partial void LogRun(ILogger logger, int done, int deferred, int failed);
}
