using Mall.Application.Reactivation;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Reactivation;

[CalledBy(Caller.Operator)]
public sealed class ReactivationFunctions(Api api, ReactivationService reactivation)
{
    /// <summary>Daily at 10:00 CST (02:00 UTC): wake up dormant customers; resumes a crashed run, ignores a finished one.</summary>
    [Function("Reactivation_Daily")]
    public Task Daily([TimerTrigger("0 0 2 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        reactivation.RunAsync(cancellationToken);

    /// <summary>Wake-up contacts over the last days, how many came back, and each day's run.</summary>
    [Answers(200, typeof(ReactivationReport))]
    [Query("days", typeof(int), "1–366 days, 30 by default.")]
    [Function("Manage_Reactivation")]
    public Task<IActionResult> Report([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/reactivation")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await reactivation.ReportAsync(Api.DaysParameter(request), request.HttpContext.RequestAborted)));
}
