using Mall.Application.Compliance;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Compliance;

/// <summary>The operators' monthly compliance review 每月合规审查: every campaign save's check, by outcome, rule and mechanic.</summary>
[CalledBy(Caller.Operator)]
public sealed class ComplianceFunctions(Api api, CampaignCompliance compliance, TimeProvider time)
{
    /// <summary>The checks of ?month= (yyyy-MM, a CST month; default this month).</summary>
    [Answers(200, typeof(ComplianceReport))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Query("month", typeof(string), "A month (yyyy-MM); the current CST month by default.")]
    [Function("Manage_ComplianceReport")]
    public Task<IActionResult> Report([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/compliance/report")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var month = Api.MonthParameter(request, "month", ChinaTime.DateOf(time.GetUtcNow()));
            return ApiResults.Ok(await compliance.ReportAsync(month.Year, month.Month, request.HttpContext.RequestAborted));
        });
}
