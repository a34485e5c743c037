using Mall.Application.Compliance;
using Mall.Application.Promotions;
using Mall.Domain.Promotions;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Promotions;

/// <summary>Limited-time discounts: operators define price rules with a window; checkout applies the best one per line.</summary>
public sealed class PromotionFunctions(Api api, PromotionService promotions, CampaignCompliance compliance)
{
    [CalledBy(Caller.Operator)]
    [Accepts(typeof(PriceRuleRequest))]
    [Answers(201, typeof(PriceRule))]
    [Refuses(ErrorCode.ComplianceRefused)]
    [Function("Manage_CreatePriceRule")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/price-rules")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<PriceRuleRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, () => promotions.CreateRuleAsync(body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });

    /// <summary>Rules running or ended within ?days= (30 by default).</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(ItemList<PriceRule>))]
    [Query("days", typeof(int), "1–366 days, 30 by default.")]
    [Function("Manage_ListPriceRules")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/price-rules")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Items(await promotions.ListAsync(Api.DaysParameter(request), request.HttpContext.RequestAborted)));

    /// <summary>What runs now (the member day included), for the storefront's banners.</summary>
    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(ActivePromotions))]
    [Function("Promotions_Active")]
    public Task<IActionResult> Active([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "promotions")] HttpRequest request) =>
        api.RunAsync(request, async () => ApiResults.Ok(new ActivePromotions(await promotions.ActiveAsync(request.HttpContext.RequestAborted), promotions.DefaultGift)));
}

/// <summary>The promotions running now and the gift offered by default, if any.</summary>
public sealed record ActivePromotions(IReadOnlyList<PriceRule> Items, GiftOption? Gift);
