using Mall.Application.Inventory;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Inventory;

/// <summary>Dynamic replenishment 动态补货: the daily suggestions and their report for operators.</summary>
[CalledBy(Caller.Operator)]
public sealed class ReplenishmentFunctions(Api api, ReplenishmentService replenishment)
{
    /// <summary>
    /// Daily at 03:00 CST (19:00 UTC), after the night's segmentation: a suggestion for every on-sale SKU;
    /// resumes a crashed run, ignores a finished one.
    /// </summary>
    [Function("Inventory_Replenish")]
    public Task Daily([TimerTrigger("0 0 19 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        replenishment.RunAsync(cancellationToken);

    /// <summary>The latest finished report: totals, turnover against its goal, the most urgent lines and ?pageSize= products' lines a page (?continuationToken=).</summary>
    [Answers(200, typeof(ReplenishmentReport))]
    [Refuses(ErrorCode.NotFound, ErrorCode.ValidationFailed)]
    [Paged]
    [Function("Manage_Replenishment")]
    public Task<IActionResult> Report([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/replenishment")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await replenishment.ReportAsync(continuationToken, pageSize, request.HttpContext.RequestAborted));
        });

    /// <summary>Runs today's replenishment now instead of waiting for the timer (a finished day is not run again) and answers its report.</summary>
    [Answers(200, typeof(ReplenishmentReport))]
    [Refuses(ErrorCode.NotFound, ErrorCode.ValidationFailed)]
    [Function("Manage_RunReplenishment")]
    public Task<IActionResult> Run([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/replenishment/run")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            await replenishment.RunAsync(request.HttpContext.RequestAborted);
            return ApiResults.Ok(await replenishment.ReportAsync(null, Api.DefaultPageSize, request.HttpContext.RequestAborted));
        });
}
