using Mall.Application.Compliance;
using Mall.Application.Coupons;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Coupons;

/// <summary>Coupons: operators define templates; customers claim them, see theirs and pass one to checkout as couponId.</summary>
public sealed class CouponFunctions(Api api, CouponService coupons, CampaignCompliance compliance)
{
    [CalledBy(Caller.Operator)]
    [Accepts(typeof(CouponTemplateRequest))]
    [Answers(201, typeof(CouponTemplate))]
    [Refuses(ErrorCode.ComplianceRefused)]
    [Function("Manage_CreateCouponTemplate")]
    public Task<IActionResult> CreateTemplate([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/coupon-templates")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<CouponTemplateRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, () => coupons.CreateTemplateAsync(body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });

    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(TemplateView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Coupons_GetTemplate")]
    public Task<IActionResult> GetTemplate([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "coupon-templates/{templateId}")] HttpRequest request, string templateId) =>
        api.RunAsync(request, async () => ApiResults.Ok(await coupons.GetTemplateAsync(templateId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Customer)]
    [Answers(201, typeof(CouponView))]
    [Refuses(ErrorCode.CouponLimitReached, ErrorCode.CouponQuotaExhausted, ErrorCode.CouponUnavailable, ErrorCode.NotFound)]
    [Function("Coupons_Claim")]
    public Task<IActionResult> Claim([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "coupon-templates/{templateId}/claim")] HttpRequest request, string templateId) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Created(await coupons.ClaimAsync(customerId, templateId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(ItemList<CouponView>))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Coupons_Mine")]
    public Task<IActionResult> Mine([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/coupons")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Items(await coupons.MineAsync(customerId, request.HttpContext.RequestAborted)));
}
