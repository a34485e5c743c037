using Mall.Application.Payments;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.Functions.Http;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Mvc;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.Logging;

namespace Mall.Functions.Payments;

/// <summary>
/// Prepay for the mini-program, and WeChat Pay's webhooks. Webhooks are authenticated by their
/// signature only; they answer 204 once the outcome is durable, and 4xx/5xx with {code,message}
/// otherwise, so WeChat retries.
/// </summary>
public sealed partial class PaymentFunctions(Api api, PaymentService payments, RefundService refunds, ILogger<PaymentFunctions> logger)
{
    [CalledBy(Caller.Customer)]
    [Answers(200, typeof(PayResponse))]
    [Refuses(ErrorCode.NotFound, ErrorCode.WeChatRejected, ErrorCode.WeChatUnavailable)]
    [Function("Payments_Pay")]
    public Task<IActionResult> Pay([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "orders/{orderId}/pay")] HttpRequest request, string orderId) =>
        api.ForCustomerAsync(request, async customerId => ApiResults.Ok(await payments.PayAsync(customerId, orderId, request.HttpContext.RequestAborted)));

    [CalledBy(Caller.WeChatPay)]
    [Answers(204)]
    [Refuses(ErrorCode.AmountMismatch, ErrorCode.Conflict, ErrorCode.InvalidOrderState, ErrorCode.NotFound)]
    [Function("Payments_WeChatNotify")]
    public Task<IActionResult> PaymentNotify([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "payments/wechat/notify")] HttpRequest request) =>
        WebhookAsync(request, payments.HandleNotificationAsync);

    [CalledBy(Caller.WeChatPay)]
    [Answers(204)]
    [Refuses(ErrorCode.AmountMismatch, ErrorCode.Conflict, ErrorCode.InvalidOrderState, ErrorCode.NotFound)]
    [Function("Payments_WeChatRefundNotify")]
    public Task<IActionResult> RefundNotify([HttpTrigger(AuthorizationLevel.Anonymous, "post", Route = "payments/wechat/refund-notify")] HttpRequest request) =>
        WebhookAsync(request, refunds.HandleNotificationAsync);

    private async Task<IActionResult> WebhookAsync(HttpRequest request, Func<WebhookRequest, CancellationToken, Task> handle)
    {
        try
        {
            Api.EnsureIdsAreWellFormed(request);

            // The signature covers the exact bytes sent: read the body verbatim.
            var body = System.Text.Encoding.UTF8.GetString(await Api.ReadBodyAsync(request));
            var headers = request.Headers.ToDictionary(h => h.Key, h => h.Value.ToString(), StringComparer.OrdinalIgnoreCase);
            await handle(new WebhookRequest(body, headers), request.HttpContext.RequestAborted);
            return ApiResults.NoContent();
        }
        catch (WebhookRejectedException exception)
        {
            LogRejected(logger, request.Path, exception.Reason, exception.Message);
            var status = exception.Reason is WebhookRejection.InvalidSignature or WebhookRejection.StaleTimestamp or WebhookRejection.UnknownSerial
                ? StatusCodes.Status401Unauthorized
                : StatusCodes.Status400BadRequest;
            return new JsonResponse(status, new WebhookFailure(exception.Reason.ToString().ToUpperInvariant(), exception.Message));
        }
        catch (DomainException exception)
        {
            LogFailed(logger, exception, request.Path);
            return new JsonResponse(ProblemStatus.For(exception.Code), new WebhookFailure(exception.Code.ToWire(), exception.Message) { Errors = exception.FieldErrors });
        }
        catch (Exception exception) when (exception is not OperationCanceledException)
        {
            LogFailed(logger, exception, request.Path);
            return new JsonResponse(StatusCodes.Status500InternalServerError, new WebhookFailure("INTERNAL_ERROR", "Not processed; please retry."));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Rejected WeChat webhook at {Path}: {Reason} ({Detail})")]
    private static partial void LogRejected(ILogger logger, string path, WebhookRejection reason, string detail);

    [LoggerMessage(Level = LogLevel.Error, Message = "WeChat webhook at {Path} failed; WeChat will retry")]
    private static partial void LogFailed(ILogger logger, Exception exception, string path);
}
