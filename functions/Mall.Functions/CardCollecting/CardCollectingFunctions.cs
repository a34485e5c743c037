using Mall.Application.CardCollecting;
using Mall.Application.Compliance;
using Mall.Application.Orders;
using Mall.Domain.CardCollecting;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.CardCollecting;

/// <summary>
/// Card collecting 集卡: operators save campaigns and ship gifts; customers earn cards from paid orders and a
/// daily check-in (never from a share), see their cards and redeem a full set once.
/// </summary>
public sealed class CardCollectingFunctions(Api api, CardCampaignService campaigns, CardCollectingService cards, CampaignCompliance compliance)
{
    [CalledBy(Caller.Operator)]
    [Accepts(typeof(CardCampaignRequest))]
    [Answers(201, typeof(CardCampaignView))]
    [Refuses(ErrorCode.ComplianceRefused, ErrorCode.NotFound)]
    [Function("Manage_CreateCardCampaign")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/card-campaigns")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<CardCampaignRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, () => campaigns.CreateAsync(body, operatorId, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });

    /// <summary>Campaigns to come, running, or ended in the last 92 days.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(ItemList<CardCampaignView>))]
    [Function("Manage_ListCardCampaigns")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/card-campaigns")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Items(await campaigns.ListAsync(request.HttpContext.RequestAborted)));

    /// <summary>A campaign's gifts to ship (?status=pending|shipped|cancelled), masked personal data, a page at a time.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(CardFulfilmentPage))]
    [Refuses(ErrorCode.NotFound)]
    [Paged]
    [Query("status", typeof(FulfilmentStatus), "Only those in this status.")]
    [Function("Manage_ListCardFulfilments")]
    public Task<IActionResult> Fulfilments([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/card-campaigns/{campaignId}/fulfilments")] HttpRequest request, string campaignId) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (token, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await cards.FulfilmentsAsync(campaignId, Api.EnumQuery<FulfilmentStatus>(request, "status"), token, pageSize, request.HttpContext.RequestAborted));
        });

    /// <summary>A gift's recipient unmasked, to ship it; ?reason= is kept in the personal-data audit trail with the read.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(GiftRecipient))]
    [Refuses(ErrorCode.NotFound)]
    [Query("reason", typeof(string), "Why the operator reads it (recorded in the personal-data audit).")]
    [Function("Manage_GetCardFulfilmentRecipient")]
    public Task<IActionResult> Recipient([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/card-campaigns/{campaignId}/fulfilments/{fulfilmentId}/recipient")] HttpRequest request, string campaignId, string fulfilmentId) =>
        api.ForAdminAsync(request, async operatorId =>
            ApiResults.Ok(await cards.RecipientForOperatorAsync(campaignId, fulfilmentId, operatorId, request.Query["reason"].ToString(), request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Accepts(typeof(ShipRequest))]
    [Answers(200, typeof(CardFulfilmentView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_ShipCardFulfilment")]
    public Task<IActionResult> Ship([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/card-campaigns/{campaignId}/fulfilments/{fulfilmentId}/ship")] HttpRequest request, string campaignId, string fulfilmentId) =>
        api.ForAdminAsync(request, async operatorId =>
            ApiResults.Ok(await cards.ShipAsync(campaignId, fulfilmentId, await api.BodyAsync<ShipRequest>(request), operatorId, request.HttpContext.RequestAborted)));

    /// <summary>The campaigns collecting cards now, with each card's odds and the most tasks a full set takes.</summary>
    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(ItemList<CardCampaignView>))]
    [Function("CardCollecting_ListCampaigns")]
    public Task<IActionResult> Running([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "card-campaigns")] HttpRequest request) =>
        api.RunAsync(request, async () => ApiResults.Items(await campaigns.RunningAsync(request.HttpContext.RequestAborted)));

    /// <summary>A campaign, and the signed-in customer's cards and redemption in it.</summary>
    [CalledBy(Caller.Visitor)]
    [Answers(200, typeof(MyCardCampaignView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("CardCollecting_GetCampaign")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "card-campaigns/{campaignId}")] HttpRequest request, string campaignId) =>
        api.ForVisitorAsync(request, async customerId => ApiResults.Ok(await cards.GetAsync(customerId, campaignId, request.HttpContext.RequestAborted)));

    /// <summary>Today's check-in (CST): one card a day; a retry answers the same card with "repeated":true.</summary>
    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(CheckInView))]
    [Refuses(ErrorCode.CampaignNotActive, ErrorCode.CardLimitReached, ErrorCode.CardTaskNotOffered, ErrorCode.MechanicSwitchedOff, ErrorCode.NotFound)]
    [Function("CardCollecting_CheckIn")]
    public Task<IActionResult> CheckIn([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "card-campaigns/{campaignId}/check-in")] HttpRequest request, string campaignId) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await cards.CheckInAsync(customerId, campaignId, request.HttpContext.RequestAborted)));

    /// <summary>Redeems the full set, once; a gift needs {"address":{…}}, a coupon no body.</summary>
    [CalledBy(Caller.Customer)]
    [Accepts(typeof(CardRedeemRequest))]
    [Answers(200, typeof(RedemptionView))]
    [Refuses(ErrorCode.CampaignNotActive, ErrorCode.CardRewardUnavailable, ErrorCode.CardSetAlreadyRedeemed, ErrorCode.CardSetIncomplete, ErrorCode.MechanicSwitchedOff, ErrorCode.NotFound)]
    [Function("CardCollecting_Redeem")]
    public Task<IActionResult> Redeem([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "card-campaigns/{campaignId}/redeem")] HttpRequest request, string campaignId) =>
        api.ForCustomerAsync(request, async customerId =>
        {
            var body = request.ContentLength > 0 || request.Headers.ContentType.Count > 0 ? await api.BodyAsync<CardRedeemRequest>(request) : null;
            return ApiResults.Ok(await cards.RedeemAsync(customerId, campaignId, body?.Address, request.HttpContext.RequestAborted));
        });
}
