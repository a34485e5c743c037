using Mall.Application.Compliance;
using Mall.Application.GroupBuy;
using Mall.Domain.Common;
using Mall.Domain.GroupBuy;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.GroupBuy;

/// <summary>Group buy 拼团 for customers: open a group (as its leader) or join one, then pay the returned order.</summary>
public sealed class GroupBuyFunctions(Api api, GroupBuyService groupBuys, CampaignCompliance compliance)
{
    /// <summary>Opens a group; the Idempotency-Key makes a retry return the same group and order.</summary>
    [CalledBy(Caller.Customer)]
    [Accepts(typeof(OpenGroupRequest))]
    [Answers(201, typeof(GroupOrderResult))]
    [Refuses(ErrorCode.AlreadyInGroup, ErrorCode.CampaignNotActive, ErrorCode.CampaignSoldOut, ErrorCode.GroupClosed, ErrorCode.GroupFull, ErrorCode.IdempotencyKeyRequired, ErrorCode.NotFound)]
    [PlacesOrder]
    [Idempotent]
    [Function("GroupBuy_Open")]
    public Task<IActionResult> Open([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "group-buys")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Created(await groupBuys.OpenAsync(customerId, Api.IdempotencyKey(request, "open a second group"), await api.BodyAsync<OpenGroupRequest>(request), request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Customer)]
    [Accepts(typeof(GroupOrderRequest))]
    [Answers(201, typeof(GroupOrderResult))]
    [Refuses(ErrorCode.AlreadyInGroup, ErrorCode.CampaignNotActive, ErrorCode.CampaignSoldOut, ErrorCode.GroupClosed, ErrorCode.GroupFull, ErrorCode.NotFound)]
    [PlacesOrder]
    [Function("GroupBuy_Join")]
    public Task<IActionResult> Join([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "group-buys/{groupId}/join")] HttpRequest request, string groupId) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Created(await groupBuys.JoinAsync(customerId, groupId, await api.BodyAsync<GroupOrderRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>Anyone with the link sees the group (members are anonymised; the caller sees themselves as "you").</summary>
    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(GroupView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("GroupBuy_Get")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "group-buys/{groupId}")] HttpRequest request, string groupId) =>
        api.RunAsync(request, async () => ApiResults.Ok(await groupBuys.GetAsync(groupId, api.TryCustomer(request), request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(GroupBuyCampaign))]
    [Refuses(ErrorCode.NotFound)]
    [Function("GroupBuy_GetCampaign")]
    public Task<IActionResult> GetCampaign([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "group-buy-campaigns/{campaignId}")] HttpRequest request, string campaignId) =>
        api.RunAsync(request, async () => ApiResults.Ok(await groupBuys.GetCampaignAsync(campaignId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Accepts(typeof(GroupBuyCampaignRequest))]
    [Answers(201, typeof(GroupBuyCampaign))]
    [Refuses(ErrorCode.ComplianceRefused)]
    [Function("Manage_CreateGroupBuyCampaign")]
    public Task<IActionResult> CreateCampaign([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/group-buy-campaigns")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<GroupBuyCampaignRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, () => groupBuys.CreateCampaignAsync(body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });
}
