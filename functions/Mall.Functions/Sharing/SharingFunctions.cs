using Mall.Application.Compliance;
using Mall.Application.Sharing;
using Mall.Domain.Common;
using Mall.Domain.Sharing;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Sharing;

/// <summary>Share links, the share-domain pool and tiered share rewards 阶梯奖励.</summary>
public sealed class SharingFunctions(Api api, ShareLinks links, ShareRewardsService rewards, CampaignCompliance compliance)
{
    /// <summary>A signed, expiring link to a product, bargain, card campaign or the home page, on the active share domain.</summary>
    [CalledBy(Caller.Customer)]
    [Accepts(typeof(ShareLinkRequest))]
    [Answers(201, typeof(ShareLinkView))]
    [Refuses(ErrorCode.MechanicSwitchedOff)]
    [Function("Sharing_CreateLink")]
    public Task<IActionResult> CreateLink([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "shares")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Created(await links.CreateAsync(customerId, await api.BodyAsync<ShareLinkRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>Where a share link leads (?token=): for the landing page; the token itself goes to login to credit the sharer.</summary>
    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(ShareTargetView))]
    [Refuses(ErrorCode.ShareLinkExpired, ErrorCode.ValidationFailed)]
    [Query("token", typeof(string), "The share token of the link.")]
    [Function("Sharing_ResolveLink")]
    public Task<IActionResult> Resolve([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "shares/resolve")] HttpRequest request) =>
        api.RunAsync(request, () => Task.FromResult<IActionResult>(ApiResults.Ok(links.Resolve(request.Query["token"]))));

    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(MyShareRewardsView))]
    [Function("Sharing_MyRewards")]
    public Task<IActionResult> MyRewards([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/share-rewards")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await rewards.MineAsync(customerId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(ShareDomainsView))]
    [Function("Manage_ShareDomains")]
    public Task<IActionResult> Domains([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/share-domains")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await links.DomainsAsync(request.HttpContext.RequestAborted)));

    /// <summary>The pool's hosts in order of preference (hosts kept keep their status; new ones start healthy).</summary>
    [CalledBy(Caller.Operator)]
    [Accepts(typeof(ShareDomainsRequest))]
    [Answers(200, typeof(ShareDomainsView))]
    [Function("Manage_SetShareDomains")]
    public Task<IActionResult> SetDomains([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "manage/share-domains")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
            ApiResults.Ok(await links.SetDomainsAsync(await api.BodyAsync<ShareDomainsRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>Marks a domain blocked, unreachable or healthy; new links move to the first healthy one.</summary>
    [CalledBy(Caller.Operator)]
    [Accepts(typeof(ShareDomainMarkRequest))]
    [Answers(200, typeof(ShareDomainsView))]
    [Function("Manage_MarkShareDomain")]
    public Task<IActionResult> MarkDomain([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/share-domains/mark")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
            ApiResults.Ok(await links.MarkAsync(await api.BodyAsync<ShareDomainMarkRequest>(request), operatorId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Accepts(typeof(ShareRewardProgramRequest))]
    [Answers(201, typeof(ShareRewardProgram))]
    [Refuses(ErrorCode.ComplianceRefused, ErrorCode.Conflict, ErrorCode.NotFound)]
    [Function("Manage_CreateShareRewardProgram")]
    public Task<IActionResult> CreateProgram([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/share-reward-programs")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<ShareRewardProgramRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, () => rewards.CreateProgramAsync(body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(IReadOnlyList<ShareRewardProgram>))]
    [Function("Manage_ShareRewardPrograms")]
    public Task<IActionResult> Programs([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/share-reward-programs")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await rewards.ProgramsAsync(request.HttpContext.RequestAborted)));
}
