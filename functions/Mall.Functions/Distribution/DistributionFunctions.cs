using Mall.Application.Compliance;
using Mall.Application.Distribution;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Distribution;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Distribution;

/// <summary>Three-tier distribution for promoters: apply, see the team and the commission, withdraw.</summary>
public sealed class DistributionFunctions(Api api, DistributionService distribution, CampaignCompliance compliance)
{
    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(Promoter))]
    [Function("Distribution_Apply")]
    public Task<IActionResult> Apply([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "me/distribution/apply")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await distribution.ApplyAsync(customerId, request.HttpContext.RequestAborted)));

    /// <summary>Invite code, team size per level, pending / settled / withdrawn / withdrawable commission, withdrawals.</summary>
    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(DistributionSummary))]
    [Function("Distribution_Summary")]
    public Task<IActionResult> Summary([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/distribution")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await distribution.SummaryAsync(customerId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(ResultPage<LedgerEntry>))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Function("Distribution_Commissions")]
    public Task<IActionResult> Commissions([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/commissions")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await distribution.LedgerAsync(customerId, continuationToken, pageSize, request.HttpContext.RequestAborted));
        });

    [CalledBy(Caller.Customer)]
    [Accepts(typeof(WithdrawalRequest))]
    [Answers(201, typeof(WithdrawalView))]
    [Refuses(ErrorCode.IdempotencyKeyRequired, ErrorCode.NotAPromoter, ErrorCode.WithdrawalExceedsBalance, ErrorCode.WithdrawalLimitReached)]
    [Idempotent]
    [Function("Distribution_Withdraw")]
    public Task<IActionResult> Withdraw([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "me/withdrawals")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Created(await distribution.RequestWithdrawalAsync(customerId, Api.IdempotencyKey(request, "withdraw twice"), await api.BodyAsync<WithdrawalRequest>(request), request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(CommissionPolicy))]
    [Function("Manage_GetCommissionPolicy")]
    public Task<IActionResult> GetPolicy([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/distribution/policy")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await distribution.GetPolicyAsync(request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Accepts(typeof(CommissionPolicyRequest))]
    [Answers(200, typeof(SavedCommissionPolicy))]
    [Refuses(ErrorCode.ComplianceRefused)]
    [Function("Manage_SaveCommissionPolicy")]
    public Task<IActionResult> SavePolicy([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "manage/distribution/policy")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<CommissionPolicyRequest>(request);
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, () => distribution.SavePolicyAsync(body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Ok(new SavedCommissionPolicy(saved.Value, saved.Warnings)).WithComplianceWarnings(saved.Warnings);
        });

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(Promoter))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_ApprovePromoter")]
    public Task<IActionResult> ApprovePromoter([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/promoters/{customerId}/approve")] HttpRequest request, string customerId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await distribution.DecidePromoterAsync(customerId, approve: true, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(Promoter))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_RejectPromoter")]
    public Task<IActionResult> RejectPromoter([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/promoters/{customerId}/reject")] HttpRequest request, string customerId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await distribution.DecidePromoterAsync(customerId, approve: false, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(WithdrawalView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_PayWithdrawal")]
    public Task<IActionResult> PayWithdrawal([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/promoters/{customerId}/withdrawals/{withdrawalId}/pay")] HttpRequest request, string customerId, string withdrawalId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await distribution.DecideWithdrawalAsync(customerId, withdrawalId, pay: true, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(WithdrawalView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_RejectWithdrawal")]
    public Task<IActionResult> RejectWithdrawal([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/promoters/{customerId}/withdrawals/{withdrawalId}/reject")] HttpRequest request, string customerId, string withdrawalId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await distribution.DecideWithdrawalAsync(customerId, withdrawalId, pay: false, request.HttpContext.RequestAborted)));

    /// <summary>Proves the books add up: each promoter's ledger equals the current commission of their orders.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(ReconciliationReport))]
    [Function("Manage_ReconcileCommissions")]
    public Task<IActionResult> Reconcile([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/distribution/reconciliation")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await distribution.ReconcileAsync(request.HttpContext.RequestAborted)));
}
