using Mall.Application.Recommendations;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Recommendations;

/// <summary>Related products, the personal feed, and their daily recomputation.</summary>
public sealed class RecommendationFunctions(Api api, RecommendationService recommendations, RecommendationBuilder builder)
{
    /// <summary>Daily at 03:00 CST (19:00 UTC), after segmentation: recompute related and popular lists; resumes a crashed run, ignores a finished one.</summary>
    [Function("Recommendations_Daily")]
    public Task Daily([TimerTrigger("0 0 19 * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        builder.RunAsync(cancellationToken);

    /// <summary>Products bought or viewed together with this one (on sale, in stock, member-only trials only for members who may buy them).</summary>
    [CalledBy(Caller.Visitor)]
    [Answers(200, typeof(RecommendationList))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Recommendations_Related")]
    public Task<IActionResult> Related([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{productId}/related")] HttpRequest request, string productId) =>
        api.ForVisitorAsync(request, async customerId => ApiResults.Ok(await recommendations.RelatedAsync(productId, customerId, request.HttpContext.RequestAborted)));

    /// <summary>The signed-in customer's feed from their recent views and orders; popular in their segment when they are new.</summary>
    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(RecommendationList))]
    [Function("Recommendations_Feed")]
    public Task<IActionResult> Feed([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "me/recommendations")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await recommendations.FeedAsync(customerId, request.HttpContext.RequestAborted)));

    /// <summary>The daily runs of the last days (?days=): orders and customers read, lists written.</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(IReadOnlyList<RecommendationRun>))]
    [Query("days", typeof(int), "1–366 days, 30 by default.")]
    [Function("Manage_RecommendationRuns")]
    public Task<IActionResult> Runs([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/recommendations/runs")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok((await builder.RecentAsync(Api.DaysParameter(request), request.HttpContext.RequestAborted)).Select(RecommendationBuilder.WithoutCounts).ToList()));
}
