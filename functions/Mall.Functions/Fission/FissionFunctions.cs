using Mall.Application.Fission;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Fission;

/// <summary>The operator's switch and daily budget of each social-fission mechanic (bargains, cardCollecting, shareRewards).</summary>
[CalledBy(Caller.Operator)]
public sealed class FissionFunctions(Api api, FissionControls controls)
{
    [Answers(200, typeof(IReadOnlyList<MechanicControlView>))]
    [Function("Manage_FissionControls")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/fission")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await controls.ListAsync(request.HttpContext.RequestAborted)));

    /// <summary>
    /// Switches a mechanic on or off and sets its daily budget; effective for the next request. The route value is
    /// named …Id like every route value, so the API's one id rule covers it.
    /// </summary>
    [Accepts(typeof(MechanicControlRequest))]
    [Answers(200, typeof(MechanicControlView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_SetFissionControl")]
    public Task<IActionResult> Set([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "manage/fission/{mechanicId}")] HttpRequest request, string mechanicId) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var which = FissionControls.Parse(mechanicId);
            var body = await api.BodyAsync<MechanicControlRequest>(request);
            return ApiResults.Ok(await controls.SetAsync(which, body, operatorId, request.HttpContext.RequestAborted));
        });
}
