using Mall.Application.Notifications;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Notifications;

public sealed class SubscriptionFunctions(Api api, SubscriptionService subscriptions)
{
    /// <summary>The mini-program reports the templates accepted in wx.requestSubscribeMessage: one message each may then be sent.</summary>
    [Function("Notifications_Subscribe")]
    public Task<IActionResult> Subscribe([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "me/subscriptions")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Ok(new { items = await subscriptions.GrantAsync(customerId, await api.BodyAsync<SubscriptionsRequest>(request), request.HttpContext.RequestAborted) }));

    [Function("Notifications_Mine")]
    public Task<IActionResult> Mine([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/subscriptions")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Ok(new { items = await subscriptions.MineAsync(customerId, request.HttpContext.RequestAborted) }));
}
