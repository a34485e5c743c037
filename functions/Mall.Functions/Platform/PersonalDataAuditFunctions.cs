using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Platform;

[CalledBy(Caller.Operator)]
public sealed class PersonalDataAuditFunctions(Api api, PersonalDataAudit audit)
{
    /// <summary>Operators' reads of unmasked personal data, newest first: who read what of whom, when and why.</summary>
    [Answers(200, typeof(ResultPage<PersonalDataAccess>))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Function("Manage_PersonalDataAudit")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/audit/personal-data")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await audit.ListAsync(continuationToken, pageSize, request.HttpContext.RequestAborted));
        });
}
