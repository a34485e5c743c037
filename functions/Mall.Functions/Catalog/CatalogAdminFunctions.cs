using Mall.Application.Catalog;
using Mall.Application.Inventory;
using Mall.Application.Platform;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Catalog;

[CalledBy(Caller.Operator)]
public sealed class CatalogAdminFunctions(Api api, CatalogAdminService catalog, StockService stock)
{
    [Accepts(typeof(CategoryRequest))]
    [Answers(200, typeof(Category))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_SaveCategory")]
    public Task<IActionResult> SaveCategory([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "manage/categories/{categoryId}")] HttpRequest request, string categoryId) =>
        api.ForAdminAsync(request, async _ =>
            ApiResults.Ok(await catalog.SaveCategoryAsync(categoryId, await api.BodyAsync<CategoryRequest>(request), request.HttpContext.RequestAborted)));

    [Answers(200, typeof(ResultPage<Product>))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Function("Manage_ListProducts")]
    public Task<IActionResult> ListProducts([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/products")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await catalog.ListProductsAsync(continuationToken, pageSize, request.HttpContext.RequestAborted));
        });

    [Accepts(typeof(ProductRequest))]
    [Answers(201, typeof(AdminProductView))]
    [Refuses(ErrorCode.ComplianceRefused, ErrorCode.NotFound, ErrorCode.PreconditionFailed)]
    [Function("Manage_CreateProduct")]
    public Task<IActionResult> CreateProduct([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/products")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
            Versioned(await catalog.CreateProductAsync(await api.BodyAsync<ProductRequest>(request), request.HttpContext.RequestAborted, operatorId), created: true));

    /// <summary>Creates or replaces a product; send If-Match with the ETag you read to refuse overwriting someone else's edit.</summary>
    [Accepts(typeof(ProductRequest))]
    [Answers(200, typeof(AdminProductView))]
    [Refuses(ErrorCode.ComplianceRefused, ErrorCode.NotFound, ErrorCode.PreconditionFailed)]
    [Function("Manage_SaveProduct")]
    public Task<IActionResult> SaveProduct([HttpTrigger(AuthorizationLevel.Anonymous, "put", Route = "manage/products/{productId}")] HttpRequest request, string productId) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var ifMatch = request.Headers.IfMatch.ToString();
            var body = await api.BodyAsync<ProductRequest>(request);
            return Versioned(await catalog.SaveProductAsync(productId, body, string.IsNullOrEmpty(ifMatch) ? null : ifMatch, request.HttpContext.RequestAborted, operatorId), created: false);
        });

    [Answers(200, typeof(AdminProductView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_GetProduct")]
    public Task<IActionResult> GetProduct([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/products/{productId}")] HttpRequest request, string productId) =>
        api.ForAdminAsync(request, async _ => Versioned(await catalog.GetProductAsync(productId, request.HttpContext.RequestAborted), created: false));

    [Accepts(typeof(StockAdjustmentRequest))]
    [Answers(200, typeof(StockLevel))]
    [Refuses(ErrorCode.IdempotencyKeyRequired, ErrorCode.IdempotencyKeyReused, ErrorCode.NotFound)]
    [Idempotent]
    [Function("Manage_AdjustStock")]
    public Task<IActionResult> AdjustStock([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/skus/{skuId}/stock-adjustments")] HttpRequest request, string skuId) =>
        api.ForAdminAsync(request, async _ =>
        {
            var available = await stock.AdjustAsync(skuId, Api.IdempotencyKey(request, "apply the adjustment twice"), await api.BodyAsync<StockAdjustmentRequest>(request), request.HttpContext.RequestAborted);
            return ApiResults.Ok(new StockLevel(skuId, available));
        });

    private static JsonResponse Versioned(AdminProductView view, bool created)
    {
        var response = created ? ApiResults.Created(view) : ApiResults.Ok(view);
        response.Headers["ETag"] = view.Version;
        return response;
    }
}

/// <summary>A SKU's available stock after an adjustment.</summary>
public sealed record StockLevel(string SkuId, long Available);
