using Mall.Application.Notifications;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Notifications;

[CalledBy(Caller.Customer)]
public sealed class SubscriptionFunctions(Api api, SubscriptionService subscriptions)
{
    /// <summary>The mini-program reports the templates accepted in wx.requestSubscribeMessage: one message each may then be sent.</summary>
    [Accepts(typeof(SubscriptionsRequest))]
    [Answers(200, typeof(ItemList<SubscriptionView>))]
    [Function("Notifications_Subscribe")]
    public Task<IActionResult> Subscribe([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "me/subscriptions")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Items(await subscriptions.GrantAsync(customerId, await api.BodyAsync<SubscriptionsRequest>(request), request.HttpContext.RequestAborted)));

    [Answers(200, typeof(ItemList<SubscriptionView>))]
    [Function("Notifications_Mine")]
    public Task<IActionResult> Mine([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/subscriptions")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Items(await subscriptions.MineAsync(customerId, request.HttpContext.RequestAborted)));
}
