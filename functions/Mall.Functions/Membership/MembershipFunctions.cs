using Mall.Application.Membership;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Membership;

public sealed class MembershipFunctions(Api api, MembershipService membership)
{
    /// <summary>Tier, progress to the next one (yuan and months to go), points and the tier's benefits.</summary>
    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(MembershipView))]
    [Function("Membership_Mine")]
    public Task<IActionResult> Mine([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/membership")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await membership.GetAsync(customerId, request.HttpContext.RequestAborted)));

    /// <summary>Daily at 00:05 CST (16:05 UTC): birthday gift packs for members whose birthday it is; safe to re-run.</summary>
    [Function("Membership_BirthdayGifts")]
    public Task BirthdayGifts([TimerTrigger("0 5 16 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        membership.IssueBirthdayGiftsAsync(cancellationToken);

    /// <summary>An operator's view of a customer's segment, tier, points and spend.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(CustomerLifecycleView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_GetCustomerLifecycle")]
    public Task<IActionResult> Lifecycle([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/customers/{customerId}")] HttpRequest request, string customerId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await membership.LifecycleAsync(customerId, request.HttpContext.RequestAborted)));
}
