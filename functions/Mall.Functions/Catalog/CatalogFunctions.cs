using Mall.Application.Catalog;
using Mall.Application.Recommendations;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Catalog;

/// <summary>The storefront catalog: public, no session needed.</summary>
[CalledBy(Caller.Anyone)]
public sealed class CatalogFunctions(Api api, CatalogQueryService catalog, CatalogAdminService categories, RecommendationService recommendations)
{
    /// <summary>The home feed; signed in as a FirstOrder customer, also products related to the first order next to the segment's coupon.</summary>
    [CalledBy(Caller.Visitor)]
    [Answers(200, typeof(HomeFeed))]
    [Function("Catalog_Home")]
    public Task<IActionResult> Home([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "home")] HttpRequest request) =>
        api.ForVisitorAsync(request, async customerId =>
        {
            var home = await catalog.HomeAsync(request.HttpContext.RequestAborted);
            return ApiResults.Ok(customerId is null ? home : home with { FirstOrder = await recommendations.FirstOrderAsync(customerId, request.HttpContext.RequestAborted) });
        });

    [Answers(200, typeof(IReadOnlyList<Category>))]
    [Function("Catalog_Categories")]
    public Task<IActionResult> Categories([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "categories")] HttpRequest request) =>
        api.RunAsync(request, async () => ApiResults.Ok(await categories.ListCategoriesAsync(request.HttpContext.RequestAborted)));

    [Answers(200, typeof(ProductPage))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Query("categoryId", typeof(string), "Only the products of this category.")]
    [Function("Catalog_ListProducts")]
    public Task<IActionResult> ListProducts([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products")] HttpRequest request) =>
        api.RunAsync(request, async () =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            var categoryId = request.Query["categoryId"].ToString();
            return ApiResults.Ok(await catalog.ListAsync(string.IsNullOrEmpty(categoryId) ? null : categoryId, continuationToken, pageSize, request.HttpContext.RequestAborted));
        });

    [Answers(200, typeof(ProductView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Catalog_GetProduct")]
    public Task<IActionResult> GetProduct([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "products/{productId}")] HttpRequest request, string productId) =>
        api.RunAsync(request, async () => ApiResults.Ok(await catalog.GetAsync(productId, request.HttpContext.RequestAborted)));
}
