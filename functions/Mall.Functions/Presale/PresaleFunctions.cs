using Mall.Application.Compliance;
using Mall.Application.Presale;
using Mall.Domain.Common;
using Mall.Domain.Presale;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Presale;

/// <summary>Presale 定金膨胀 for customers: reserve with a deposit, later pay the balance.</summary>
public sealed class PresaleFunctions(Api api, PresaleService presales, CampaignCompliance compliance)
{
    /// <summary>Reserves with a deposit order; the Idempotency-Key makes a retry return the same reservation and order.</summary>
    [CalledBy(Caller.Customer)]
    [Accepts(typeof(ReservePresaleRequest))]
    [Answers(201, typeof(PresaleOrderResult))]
    [Refuses(ErrorCode.CampaignNotActive, ErrorCode.CampaignSoldOut, ErrorCode.IdempotencyKeyRequired, ErrorCode.NotFound, ErrorCode.OutsideWindow)]
    [PlacesOrder]
    [Idempotent]
    [Function("Presale_Reserve")]
    public Task<IActionResult> Reserve([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "presales")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Created(await presales.ReserveAsync(customerId, Api.IdempotencyKey(request, "reserve twice"), await api.BodyAsync<ReservePresaleRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>The balance order (final price minus the deposit's value), in the balance window; asking again returns the open one.</summary>
    [CalledBy(Caller.Customer)]
    [Accepts(typeof(BalanceRequest))]
    [Answers(201, typeof(PresaleOrderResult))]
    [Refuses(ErrorCode.NotFound, ErrorCode.OutsideWindow)]
    [PlacesOrder]
    [Function("Presale_OrderBalance")]
    public Task<IActionResult> OrderBalance([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "presales/{reservationId}/balance")] HttpRequest request, string reservationId) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Created(await presales.OrderBalanceAsync(customerId, reservationId, await api.BodyAsync<BalanceRequest>(request), request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(PresaleView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Presale_Get")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "presales/{reservationId}")] HttpRequest request, string reservationId) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await presales.GetAsync(customerId, reservationId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(PresaleCampaign))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Presale_GetCampaign")]
    public Task<IActionResult> GetCampaign([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "presale-campaigns/{campaignId}")] HttpRequest request, string campaignId) =>
        api.RunAsync(request, async () => ApiResults.Ok(await presales.GetCampaignAsync(campaignId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Accepts(typeof(PresaleCampaignRequest))]
    [Answers(201, typeof(PresaleCampaign))]
    [Refuses(ErrorCode.ComplianceRefused)]
    [Function("Manage_CreatePresaleCampaign")]
    public Task<IActionResult> CreateCampaign([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/presale-campaigns")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<PresaleCampaignRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, () => presales.CreateCampaignAsync(body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });
}
