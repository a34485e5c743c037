using Mall.Application.Administration;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Administration;

public sealed class AdminAuthFunctions(Api api, AdminAuthService admins)
{
    [CalledBy(Caller.Anyone)]
    [Accepts(typeof(AdminLoginRequest))]
    [Answers(200, typeof(AdminLoginResponse))]
    [Refuses(ErrorCode.InvalidCredentials, ErrorCode.TooManyRequests)]
    [Function("Manage_Login")]
    public Task<IActionResult> Login([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/auth/login")] HttpRequest request) =>
        api.RunAsync(request, async () =>
            ApiResults.Ok(await admins.LoginAsync(await api.BodyAsync<AdminLoginRequest>(request), Api.ClientAddress(request), request.HttpContext.RequestAborted)));

    /// <summary>Operator sign-in attempts for audit (who, from where, outcome), newest first.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(ResultPage<OperatorSignIn>))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Function("Manage_ListSignIns")]
    public Task<IActionResult> ListSignIns([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/sign-ins")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await admins.ListSignInsAsync(continuationToken, pageSize, request.HttpContext.RequestAborted));
        });
}
