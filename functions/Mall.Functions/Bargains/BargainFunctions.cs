using Mall.Application.Bargains;
using Mall.Application.Compliance;
using Mall.Application.Orders;
using Mall.Domain.Bargains;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Bargains;

/// <summary>Bargaining 砍价: a customer starts a bargain, other customers help from anywhere, the starter orders at the price reached.</summary>
public sealed class BargainFunctions(Api api, BargainService bargains, CampaignCompliance compliance)
{
    /// <summary>Starts the customer's bargain in a campaign (201), or returns the one still open (200).</summary>
    [CalledBy(Caller.Customer)]
    [Accepts(typeof(StartBargainRequest))]
    [Answers(201, typeof(BargainView))]
    [Answers(200, typeof(BargainView))]
    [Refuses(ErrorCode.BudgetExhausted, ErrorCode.CampaignNotActive, ErrorCode.CampaignSoldOut, ErrorCode.Conflict, ErrorCode.MechanicSwitchedOff, ErrorCode.NotFound)]
    [Function("Bargain_Start")]
    public Task<IActionResult> Start([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bargains")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
        {
            var started = await bargains.StartAsync(customerId, await api.BodyAsync<StartBargainRequest>(request), request.HttpContext.RequestAborted);
            return started.Created ? ApiResults.Created(started.Bargain) : ApiResults.Ok(started.Bargain);
        });

    /// <summary>Anyone with the link sees the bargain; nobody in it is named, and a signed-in viewer sees their own cut.</summary>
    [CalledBy(Caller.Visitor)]
    [Answers(200, typeof(BargainView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Bargain_Get")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bargains/{bargainId}")] HttpRequest request, string bargainId) =>
        api.ForVisitorAsync(request, async viewerId => ApiResults.Ok(await bargains.GetAsync(bargainId, viewerId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(BargainHelpAnswer))]
    [Refuses(ErrorCode.BargainAtFloor, ErrorCode.BargainExpired, ErrorCode.BargainOrdered, ErrorCode.BudgetExhausted, ErrorCode.MechanicSwitchedOff, ErrorCode.NotFound, ErrorCode.OwnBargain)]
    [Function("Bargain_Help")]
    public Task<IActionResult> Help([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bargains/{bargainId}/help")] HttpRequest request, string bargainId) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await bargains.HelpAsync(customerId, bargainId, request.HttpContext.RequestAborted)));

    /// <summary>The starter's order at the price reached (201), or the bargain's live order again (200).</summary>
    [CalledBy(Caller.Customer)]
    [Accepts(typeof(BargainOrderRequest))]
    [Answers(201, typeof(OrderView))]
    [Answers(200, typeof(OrderView))]
    [Refuses(ErrorCode.BargainExpired, ErrorCode.BargainOrdered, ErrorCode.NotFound)]
    [PlacesOrder]
    [Function("Bargain_Order")]
    public Task<IActionResult> Order([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "bargains/{bargainId}/order")] HttpRequest request, string bargainId) =>
        api.ForCustomerAsync(request, async customerId =>
        {
            var ordered = await bargains.OrderAsync(customerId, bargainId, await api.BodyAsync<BargainOrderRequest>(request), request.HttpContext.RequestAborted);
            return ordered.Created ? ApiResults.Created(ordered.Order) : ApiResults.Ok(ordered.Order);
        });

    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(BargainCampaign))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Bargain_GetCampaign")]
    public Task<IActionResult> GetCampaign([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "bargain-campaigns/{campaignId}")] HttpRequest request, string campaignId) =>
        api.RunAsync(request, async () => ApiResults.Ok(await bargains.GetCampaignAsync(campaignId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Accepts(typeof(BargainCampaignRequest))]
    [Answers(201, typeof(BargainCampaign))]
    [Refuses(ErrorCode.ComplianceRefused)]
    [Function("Manage_CreateBargainCampaign")]
    public Task<IActionResult> CreateCampaign([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/bargain-campaigns")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<BargainCampaignRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, () => bargains.CreateCampaignAsync(body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(BargainCampaignPage))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Function("Manage_ListBargainCampaigns")]
    public Task<IActionResult> ListCampaigns([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/bargain-campaigns")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await bargains.ListCampaignsAsync(continuationToken, pageSize, request.HttpContext.RequestAborted));
        });
}
