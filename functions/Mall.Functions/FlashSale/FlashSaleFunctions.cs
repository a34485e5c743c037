using Mall.Application.Compliance;
using Mall.Application.FlashSale;
using Mall.Application.Orders;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.FlashSale;

/// <summary>Flash sales 秒杀: the storefront's list and reservations, and the operator's schedule.</summary>
public sealed class FlashSaleFunctions(Api api, FlashSaleService flashSales, CampaignCompliance compliance)
{
    /// <summary>Current and upcoming sales; remaining quantities are about a second old.</summary>
    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(ItemList<FlashSaleView>))]
    [Refuses(ErrorCode.NotFound, ErrorCode.ProductNotOnSale)]
    [Function("FlashSale_List")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "flash-sales")] HttpRequest request) =>
        api.RunAsync(request, async () => ApiResults.Items(await flashSales.ListAsync(request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Anyone)]
    [Answers(200, typeof(FlashSaleView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("FlashSale_Get")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "flash-sales/{saleId}")] HttpRequest request, string saleId) =>
        api.RunAsync(request, async () => ApiResults.Ok(await flashSales.GetAsync(saleId, request.HttpContext.RequestAborted)));

    /// <summary>Reserves one unit as a flash order, payable for 5 minutes; the Idempotency-Key makes a retry land on the same order.</summary>
    [CalledBy(Caller.Customer)]
    [Accepts(typeof(FlashReservationRequest))]
    [Answers(201, typeof(OrderView))]
    [Answers(200, typeof(OrderView))]
    [Refuses(ErrorCode.FlashSaleEnded, ErrorCode.FlashSaleLimitReached, ErrorCode.FlashSaleNotStarted, ErrorCode.FlashSaleSoldOut, ErrorCode.IdempotencyKeyRequired, ErrorCode.NotFound)]
    [PlacesOrder]
    [Idempotent]
    [Function("FlashSale_Reserve")]
    public Task<IActionResult> Reserve([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "flash-sales/{saleId}/reservations")] HttpRequest request, string saleId) =>
        api.ForCustomerAsync(request, async customerId =>
        {
            var body = await api.BodyAsync<FlashReservationRequest>(request);
            var result = await flashSales.ReserveAsync(customerId, Api.IdempotencyKey(request, "reserve twice"), body, saleId, request.HttpContext.RequestAborted);
            return result.Created ? ApiResults.Created(result.Order) : ApiResults.Ok(result.Order);
        });

    [CalledBy(Caller.Operator)]
    [Accepts(typeof(FlashSaleRequest))]
    [Answers(201, typeof(FlashSaleAdminView))]
    [Refuses(ErrorCode.ComplianceRefused, ErrorCode.Conflict, ErrorCode.IdempotencyKeyRequired, ErrorCode.IdempotencyKeyReused, ErrorCode.OutOfStock)]
    [Idempotent]
    [Function("Manage_CreateFlashSale")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/flash-sales")] HttpRequest request) =>
        api.ForAdminAsync(request, async operatorId =>
        {
            var body = await api.BodyAsync<FlashSaleRequest>(request);
            var key = Api.IdempotencyKey(request, "schedule the sale twice");
            var saved = await compliance.SaveAsync(body.ComplianceTerms(), operatorId, Ids.Derive("CC", "flash-sale", key), () => flashSales.CreateAsync(key, body, request.HttpContext.RequestAborted), request.HttpContext.RequestAborted);
            return ApiResults.Created(saved.Value).WithComplianceWarnings(saved.Warnings);
        });

    /// <summary>The sales starting in ?days= CST days (default 7) from ?from= (a CST date, default today).</summary>
    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(ItemList<FlashSaleAdminView>))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Query("from", typeof(DateOnly), "The first CST day (yyyy-MM-dd); today by default.")]
    [Query("days", typeof(int), "1–31 days, 7 by default.")]
    [Function("Manage_ListFlashSales")]
    public Task<IActionResult> ListForAdmin([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/flash-sales")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var from = Api.DateParameter(request, "from") ?? ChinaTime.DateOf(DateTimeOffset.UtcNow);
            var days = int.TryParse(request.Query["days"], out var requested) ? Math.Clamp(requested, 1, 31) : 7;
            return ApiResults.Items(await flashSales.ListForAdminAsync(from, days, request.HttpContext.RequestAborted));
        });

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(FlashSaleAdminView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_GetFlashSale")]
    public Task<IActionResult> GetForAdmin([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/flash-sales/{saleId}")] HttpRequest request, string saleId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await flashSales.GetForAdminAsync(saleId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(FlashSaleAdminView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_CancelFlashSale")]
    public Task<IActionResult> Cancel([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/flash-sales/{saleId}/cancel")] HttpRequest request, string saleId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await flashSales.CancelAsync(saleId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.Operator)]
    [Answers(200, typeof(FlashSaleAdminView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_EndFlashSale")]
    public Task<IActionResult> End([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/flash-sales/{saleId}/end")] HttpRequest request, string saleId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await flashSales.EndEarlyAsync(saleId, request.HttpContext.RequestAborted)));
}
