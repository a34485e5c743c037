using Mall.Application.Administration;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Administration;

public sealed class AdminAuthFunctions(Api api, AdminAuthService admins)
{
    [Function("Manage_Login")]
    public Task<IActionResult> Login([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/auth/login")] HttpRequest request) =>
        api.RunAsync(request, async () => ApiResults.Ok(admins.Login(await api.BodyAsync<AdminLoginRequest>(request))));
}
