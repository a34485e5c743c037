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

/// <summary>Operators: order lists and detail (personal data masked), shipping and refund decisions.</summary>
[CalledBy(Caller.Operator)]
public sealed class OrderAdminFunctions(Api api, OrderService orders, RefundService refunds)
{
    /// <summary>Orders; ?status= filters by status, ?priority=true keeps members' priority-shipping orders (ship those first).</summary>
    [Answers(200, typeof(OperatorOrderPage))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Query("status", typeof(OrderStatus), "Only those in this status.")]
    [Query("priority", typeof(bool), "true for the orders of members with priority shipping only.")]
    [Function("Manage_ListOrders")]
    public Task<IActionResult> List([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/orders")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await orders.ListAsync(Api.EnumQuery<OrderStatus>(request, "status"), request.Query["priority"] == "true", continuationToken, pageSize, request.HttpContext.RequestAborted));
        });

    [Answers(200, typeof(OperatorOrderView))]
    [Refuses(ErrorCode.NotFound)]
    [Function("Manage_GetOrder")]
    public Task<IActionResult> Get([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/orders/{orderId}")] HttpRequest request, string orderId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await orders.GetAsync(orderId, request.HttpContext.RequestAborted)));

    /// <summary>Who the order ships to, unmasked, for fulfilment; each read is audited (?reason= says why), see manage/audit/personal-data.</summary>
    [Answers(200, typeof(OrderRecipient))]
    [Refuses(ErrorCode.CustomerErased, ErrorCode.NotFound)]
    [Query("reason", typeof(string), "Why the operator reads it (recorded in the personal-data audit).")]
    [Function("Manage_GetOrderRecipient")]
    public Task<IActionResult> GetRecipient([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/orders/{orderId}/recipient")] HttpRequest request, string orderId) =>
        api.ForAdminAsync(request, async operatorId =>
            ApiResults.Ok(await orders.RecipientForOperatorAsync(orderId, operatorId, request.Query["reason"].ToString(), request.HttpContext.RequestAborted)));

    [Accepts(typeof(ShipRequest))]
    [Answers(200, typeof(OperatorOrderView))]
    [Refuses(ErrorCode.InvalidOrderState, ErrorCode.NotFound)]
    [Function("Manage_ShipOrder")]
    public Task<IActionResult> Ship([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/orders/{orderId}/ship")] HttpRequest request, string orderId) =>
        api.ForAdminAsync(request, async _ =>
            ApiResults.Ok(await orders.ShipAsync(orderId, await api.BodyAsync<ShipRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>Orders whose shipping info WeChat has not taken, with WeChat's errcode and reason; given-up ones wait for a retry.</summary>
    [Answers(200, typeof(ResultPage<ShippingUploadFailureView>))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Function("Manage_ListShippingUploadFailures")]
    public Task<IActionResult> ListShippingUploadFailures([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/shipping-uploads/failed")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await orders.ListShippingUploadFailuresAsync(continuationToken, pageSize, request.HttpContext.RequestAborted));
        });

    [Answers(200, typeof(OperatorOrderView))]
    [Refuses(ErrorCode.InvalidOrderState, ErrorCode.NotFound)]
    [Function("Manage_RetryShippingUpload")]
    public Task<IActionResult> RetryShippingUpload([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/orders/{orderId}/shipping-upload/retry")] HttpRequest request, string orderId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await orders.RetryShippingUploadAsync(orderId, request.HttpContext.RequestAborted)));

    [Accepts(typeof(ApproveRefundRequest))]
    [Answers(200, typeof(OperatorOrderView))]
    [Refuses(ErrorCode.InvalidOrderState, ErrorCode.NotFound, ErrorCode.RefundAmountExceeded, ErrorCode.RefundInProgress, ErrorCode.RefundNotAllowed, ErrorCode.WeChatRejected, ErrorCode.WeChatUnavailable)]
    [Function("Manage_ApproveRefund")]
    public Task<IActionResult> ApproveRefund([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/orders/{orderId}/refunds/{refundId}/approve")] HttpRequest request, string orderId, string refundId) =>
        api.ForAdminAsync(request, async _ =>
            ApiResults.Ok(await refunds.ApproveAsync(orderId, refundId, await api.BodyAsync<ApproveRefundRequest>(request), request.HttpContext.RequestAborted)));

    /// <summary>Every refund not settled for good (asked for, retrying, at WeChat, abnormal, failed); ?status= narrows it.</summary>
    [Answers(200, typeof(OpenRefundPage))]
    [Refuses(ErrorCode.ValidationFailed)]
    [Paged]
    [Query("status", typeof(RefundStatus), "Only those in this status.")]
    [Function("Manage_ListOpenRefunds")]
    public Task<IActionResult> ListOpenRefunds([HttpTrigger(AuthorizationLevel.Anonymous, "get", Route = "manage/refunds")] HttpRequest request) =>
        api.ForAdminAsync(request, async _ =>
        {
            var (continuationToken, pageSize) = Api.Paging(request);
            return ApiResults.Ok(await refunds.ListOpenAsync(Api.EnumQuery<RefundStatus>(request, "status"), continuationToken, pageSize, request.HttpContext.RequestAborted));
        });

    /// <summary>Sends a refused, failed or retrying refund to WeChat again (same out_refund_no), or checks one WeChat is processing.</summary>
    [Answers(200, typeof(OperatorOrderView))]
    [Refuses(ErrorCode.InvalidOrderState, ErrorCode.NotFound, ErrorCode.RefundAmountExceeded, ErrorCode.RefundInProgress, ErrorCode.RefundNotAllowed, ErrorCode.WeChatRejected, ErrorCode.WeChatUnavailable)]
    [Function("Manage_ResubmitRefund")]
    public Task<IActionResult> ResubmitRefund([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/orders/{orderId}/refunds/{refundId}/resubmit")] HttpRequest request, string orderId, string refundId) =>
        api.ForAdminAsync(request, async _ => ApiResults.Ok(await refunds.ResubmitAsync(orderId, refundId, request.HttpContext.RequestAborted)));

    /// <summary>Sends a refund WeChat reported abnormal to the buyer's debit card or the merchant's bank account.</summary>
    [Accepts(typeof(AbnormalRefundBody))]
    [Answers(200, typeof(OperatorOrderView))]
    [Refuses(ErrorCode.InvalidOrderState, ErrorCode.NotFound, ErrorCode.RefundAmountExceeded, ErrorCode.RefundInProgress, ErrorCode.RefundNotAllowed, ErrorCode.WeChatRejected, ErrorCode.WeChatUnavailable)]
    [Function("Manage_ApplyAbnormalRefund")]
    public Task<IActionResult> ApplyAbnormalRefund([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/orders/{orderId}/refunds/{refundId}/apply-abnormal-refund")] HttpRequest request, string orderId, string refundId) =>
        api.ForAdminAsync(request, async _ =>
            ApiResults.Ok(await refunds.ApplyAbnormalRefundAsync(orderId, refundId, await api.BodyAsync<AbnormalRefundBody>(request), request.HttpContext.RequestAborted)));

    [Accepts(typeof(RejectRefundRequest))]
    [Answers(200, typeof(OperatorOrderView))]
    [Refuses(ErrorCode.InvalidOrderState, ErrorCode.NotFound, ErrorCode.RefundAmountExceeded, ErrorCode.RefundInProgress, ErrorCode.RefundNotAllowed, ErrorCode.WeChatRejected, ErrorCode.WeChatUnavailable)]
    [Function("Manage_RejectRefund")]
    public Task<IActionResult> RejectRefund([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "manage/orders/{orderId}/refunds/{refundId}/reject")] HttpRequest request, string orderId, string refundId) =>
        api.ForAdminAsync(request, async _ =>
            ApiResults.Ok(await refunds.RejectAsync(orderId, refundId, await api.BodyAsync<RejectRefundRequest>(request), request.HttpContext.RequestAborted)));
}
