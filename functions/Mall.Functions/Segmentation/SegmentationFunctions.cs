using Mall.Application.Segmentation;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Segmentation;

[CalledBy(Caller.Operator)]
public sealed class SegmentationFunctions(Api api, SegmentationService segmentation)
{
    /// <summary>Daily at 02:00 CST (18:00 UTC): classify every customer; resumes a crashed run, ignores a finished one.</summary>
    [Function("Segmentation_Daily")]
    public Task Daily([TimerTrigger("0 0 18 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        segmentation.RunAsync(cancellationToken);

    /// <summary>Segment sizes per day and the seed's target metrics (first-order conversion, 30-day repurchase, reactivation).</summary>
    [Answers(200, typeof(SegmentReport))]
    [Query("days", typeof(int), "1–366 days, 30 by default.")]
    [Function("Manage_Segments")]
    public Task<IActionResult> Report([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/segments")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await segmentation.ReportAsync(Api.DaysParameter(request), request.HttpContext.RequestAborted)));
}
