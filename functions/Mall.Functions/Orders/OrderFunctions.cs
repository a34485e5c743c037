using Mall.Application.Orders;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Orders;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;

namespace Mall.Functions.Orders;

/// <summary>The customer's orders. Every call is scoped to the caller: someone else's order is a 404.</summary>
[CalledBy(Caller.Customer)]
public sealed class OrderFunctions(Api api, CheckoutService checkout, OrderService orders, RefundService refunds)
{
    [Accepts(typeof(CheckoutRequest))]
    [Answers(200, typeof(OrderPreview))]
    [Function("Orders_Preview")]
    public Task<IActionResult> Preview([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders/preview")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Ok(await checkout.PreviewAsync(customerId, await api.BodyAsync<CheckoutRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>Creates an order; the Idempotency-Key header makes retries return the same order (200) instead of a second one (201).</summary>
    [Accepts(typeof(CheckoutRequest))]
    [Answers(201, typeof(OrderView))]
    [Answers(200, typeof(OrderView))]
    [Refuses(ErrorCode.IdempotencyKeyRequired, ErrorCode.IdempotencyKeyReused, ErrorCode.OrderExpired, ErrorCode.RequestInProgress)]
    [PlacesOrder]
    [Idempotent]
    [Function("Orders_Create")]
    public Task<IActionResult> Create([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
        {
            var body = await api.BodyAsync<CheckoutRequest>(request);
            var result = await checkout.CreateAsync(customerId, Api.IdempotencyKey(request, "create a second order"), body, request.HttpContext.RequestAborted);
            MallTelemetry.TagOrder(result.Order.Id);
            return result.Created ? ApiResults.Created(result.Order) : ApiResults.Ok(result.Order);
        });

    [Answers(200, typeof(OrderPage))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Query("status", typeof(OrderStatus), "Only those in this status.")]
    [Function("Orders_List")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "orders")] HttpRequest request) =>
        api.ForCustomerAsync(request, async customerId =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await orders.ListMineAsync(customerId, Api.EnumQuery<OrderStatus>(request, "status"), continuationToken, pageSize, request.HttpContext.RequestAborted));
        });

    [Answers(200, typeof(OrderView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Orders_Get")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "orders/{orderId}")] HttpRequest request, string orderId) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await orders.GetMineAsync(customerId, orderId, request.HttpContext.RequestAborted)));

    [Answers(200, typeof(OrderView))]
    [Refuses(ErrorCode.InvalidOrderState, ErrorCode.NotFound)]
    [Function("Orders_Cancel")]
    public Task<IActionResult> Cancel([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders/{orderId}/cancel")] HttpRequest request, string orderId) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await orders.CancelAsync(customerId, orderId, request.HttpContext.RequestAborted)));

    [Answers(200, typeof(OrderView))]
    [Refuses(ErrorCode.InvalidOrderState, ErrorCode.NotFound)]
    [Function("Orders_ConfirmReceipt")]
    public Task<IActionResult> ConfirmReceipt([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders/{orderId}/confirm-receipt")] HttpRequest request, string orderId) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await orders.ConfirmReceiptAsync(customerId, orderId, request.HttpContext.RequestAborted)));

    [Accepts(typeof(RefundRequestBody))]
    [Answers(201, typeof(OrderView))]
    [Refuses(ErrorCode.InvalidOrderState, ErrorCode.NotFound, ErrorCode.RefundAmountExceeded, ErrorCode.RefundInProgress, ErrorCode.RefundNotAllowed)]
    [Function("Orders_RequestRefund")]
    public Task<IActionResult> RequestRefund([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders/{orderId}/refunds")] HttpRequest request, string orderId) =>
        api.ForCustomerAsync(request, async customerId =>
            ApiResults.Created(await refunds.RequestAsync(customerId, orderId, await api.BodyAsync<RefundRequestBody>(request), request.HttpContext.RequestAborted)));
}
