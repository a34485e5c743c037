using Mall.Application.Membership;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Membership;

public sealed class MembershipFunctions(Api api, MembershipService membership)
{
    /// <summary>Tier, progress to the next one (yuan and months to go), points and the tier's benefits.</summary>
    [Function("Membership_Mine")]
    public Task<IActionResult> Mine([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/membership")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await membership.GetAsync(customerId, request.HttpContext.RequestAborted)));

    /// <summary>An operator's view of a customer's segment, tier, points and spend.</summary>
    [Function("Admin_GetCustomerLifecycle")]
    public Task<IActionResult> Lifecycle([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "admin/customers/{customerId}")] HttpRequest request, string customerId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await membership.LifecycleAsync(customerId, request.HttpContext.RequestAborted)));
}
