using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.Domain.Orders;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Payments;

public sealed class PaymentOptions
{
    public const string SectionName = "Payments";

    /// <summary>Query WeChat (查单) for an order still unpaid this long after its prepay, in case a notification was lost.</summary>
    public int ReconcileAfterMinutes { get; set; } = 5;

    public TimeSpan ReconcileAfter => TimeSpan.FromMinutes(ReconcileAfterMinutes);

    /// <summary>
    /// Longest wait between automatic resubmissions of a refund WeChat refused for a reason it means
    /// to be retried (1, 2, 4… minutes up to this); the refund is retried for as long as it takes.
    /// </summary>
    public int RefundRetryMaxMinutes { get; set; } = 60;

    public TimeSpan RefundRetryMax => TimeSpan.FromMinutes(RefundRetryMaxMinutes);
}

public sealed record PayResponse(string OrderId, long PayableFen, DateTimeOffset ExpiresAt, RequestPaymentParameters Payment);

/// <summary>Kinds of due work payments schedule.</summary>
public static class PaymentWork
{
    public const string Check = "PaymentCheck";
}

/// <summary>
/// JSAPI prepay for the mini-program, and the one path by which an order becomes paid: a verified
/// notification or a query result, applied as a guarded, idempotent transition.
/// </summary>
public sealed partial class PaymentService(
    OrderStore orders,
    IWeChatPay weChatPay,
    StockService stock,
    RefundService refunds,
    IDueWorkScheduler scheduler,
    PaymentOptions options,
    MallMetrics metrics,
    TimeProvider time,
    ILogger<PaymentService> logger)
{
    /// <summary>WeChat keeps a prepay_id valid for two hours; reuse it well within that.</summary>
    private static readonly TimeSpan PrepayReuse = TimeSpan.FromMinutes(100);

    public async Task<PayResponse> PayAsync(string customerId, string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.GetOwnedAsync(customerId, orderId, cancellationToken);
        var now = time.GetUtcNow();
        order.EnsurePayable(now);
        var prepayId = order.PrepayId;
        if (prepayId is null || order.PrepayCreatedAt < now - PrepayReuse)
        {
            // The check is scheduled before asking WeChat, so even a lost notification gets reconciled.
            await scheduler.ScheduleAsync(new DueWork(PaymentWork.Check, orderId, now + options.ReconcileAfter), cancellationToken);
            try
            {
                prepayId = await WeChatCall(() => weChatPay.CreateJsapiPrepayAsync(
                    new JsapiPrepayRequest(order.Id, Describe(order), order.Pricing.PayableFen, order.PayerOpenId, order.ExpiresAt, Attach: order.CustomerId),
                    cancellationToken));
            }
            catch (DomainException refused)
            {
                // No prepay, no payment: the customer cannot pay this time.
                metrics.PaymentFailed(refused.Code.ToWire());
                throw;
            }

            order = await orders.ChangeAsync(orderId, o => o.RecordPrepay(prepayId, now), cancellationToken);
        }

        return new PayResponse(order.Id, order.Pricing.PayableFen, order.ExpiresAt, weChatPay.SignRequestPayment(prepayId));
    }

    /// <summary>Handles a TRANSACTION.* notification. Returns only once the resulting state is durable.</summary>
    /// <exception cref="WebhookRejectedException">The notification is not genuine.</exception>
    public async Task HandleNotificationAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var transaction = weChatPay.ReadPaymentNotification(request);
        MallTelemetry.TagOrder(transaction.OutTradeNo);
        LogNotification(logger, transaction.OutTradeNo, transaction.TradeState, transaction.NotificationId);
        if (transaction.TradeState == TradeState.Success)
        {
            var receivedAt = time.GetUtcNow();
            var (_, recordedHere) = await RecordSuccessAsync(transaction, cancellationToken);
            if (recordedHere && transaction.SuccessTime is { } paidAt)
            {
                // The notification that brought the payment: WeChat's redeliveries of it would skew the delay.
                metrics.PaymentNotified(receivedAt - paidAt);
            }
        }
        else if (transaction.TradeState == TradeState.PayError)
        {
            metrics.PaymentFailed("PAYERROR");
        }
    }

    /// <summary>
    /// Marks the order paid exactly once. A payment for an order that closed meanwhile is recorded and
    /// refunded automatically; the refund submission is scheduled before the write that needs it.
    /// </summary>
    public async Task<Order> ApplySuccessAsync(PaymentTransaction transaction, CancellationToken cancellationToken) =>
        (await RecordSuccessAsync(transaction, cancellationToken)).Order;

    /// <returns>The order, and whether this call is the one that recorded the payment.</returns>
    private async Task<(Order Order, bool RecordedHere)> RecordSuccessAsync(PaymentTransaction transaction, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var current = await orders.GetAsync(transaction.OutTradeNo, cancellationToken);
        var payment = new PaymentRecord(
            transaction.TransactionId ?? throw new WebhookRejectedException(WebhookRejection.MalformedBody, "A successful transaction has no transaction_id."),
            transaction.TotalFen,
            transaction.Currency,
            transaction.SuccessTime ?? now,
            transaction.PayerOpenId)
        {
            RecordedBy = Guid.NewGuid().ToString("N"),
        };
        var lateRefundDue = current.Status is OrderStatus.Closed or OrderStatus.Cancelled && current.LatePayment is null;
        if (lateRefundDue)
        {
            await refunds.ScheduleSubmissionAsync(current.Id, cancellationToken);
        }

        var order = await orders.ChangeAsync(current.Id, o => o.ApplyPayment(payment, now), cancellationToken);
        var recordedHere = CountIfRecordedHere(order, payment);
        if (order.Status == OrderStatus.Paid && order.Payment?.TransactionId == payment.TransactionId)
        {
            await stock.SettleAsync(order, cancellationToken);
        }

        if (lateRefundDue && order.LatePayment?.TransactionId == payment.TransactionId)
        {
            LogLatePayment(logger, order.Id, payment.TransactionId);
            await refunds.SubmitApprovedAsync(order.Id, cancellationToken);
        }

        return (order, recordedHere);
    }

    /// <summary>
    /// payments.succeeded once per transaction, by the call whose record of it is stored (a notification, its
    /// redeliveries and a reconciliation may all bring it at once). GMV only when it made the order paid, not for a
    /// late payment refunded at once.
    /// </summary>
    private bool CountIfRecordedHere(Order after, PaymentRecord payment)
    {
        var stored = after.Payment?.TransactionId == payment.TransactionId ? after.Payment : after.LatePayment;
        if (stored?.TransactionId != payment.TransactionId || stored.RecordedBy != payment.RecordedBy)
        {
            return false;
        }

        metrics.PaymentSucceeded(ReferenceEquals(stored, after.Payment) ? stored.AmountFen : null);
        return true;
    }

    /// <summary>Reconciliation (查单): an order still unpaid some minutes after its prepay is checked with WeChat.</summary>
    public async Task<DueWorkResult> ReconcileAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderId, cancellationToken);
        if (order is null || !order.IsAwaitingPayment)
        {
            return DueWorkResult.Done;
        }

        var transaction = await weChatPay.QueryTransactionAsync(order.Id, cancellationToken);
        if (transaction?.TradeState == TradeState.Success)
        {
            LogReconciled(logger, order.Id);
            await ApplySuccessAsync(transaction, cancellationToken);
            return DueWorkResult.Done;
        }

        // Still unpaid: look again later, until the expiry handler (which queries once more) takes over.
        var next = time.GetUtcNow() + options.ReconcileAfter;
        return next < order.ExpiresAt ? DueWorkResult.Later(next) : DueWorkResult.Done;
    }

    public static async Task<T> WeChatCall<T>(Func<Task<T>> call)
    {
        try
        {
            return await call();
        }
        catch (WeChatException exception) when (exception.Failure == WeChatFailure.Rejected)
        {
            throw new DomainException(ErrorCode.WeChatRejected, "WeChat Pay refused the request: " + exception.Message, null, exception);
        }
        catch (WeChatException exception)
        {
            throw new DomainException(ErrorCode.WeChatUnavailable, "WeChat Pay is unavailable; please retry shortly.", null, exception);
        }
    }

    private static string Describe(Order order)
    {
        var first = order.Lines[0].Title;
        var description = order.Lines.Count == 1 ? first : $"{first} 等{order.Lines.Count}件商品";
        return description.Length <= 40 ? description : description[..40];
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Payment notification for {OrderId}: {TradeState} (notification {NotificationId})")]
    private static partial void LogNotification(ILogger logger, string orderId, TradeState tradeState, string? notificationId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} was paid after it closed (transaction {TransactionId}); refunding automatically")]
    private static partial void LogLatePayment(ILogger logger, string orderId, string transactionId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Order {OrderId} found paid by reconciliation: its notification was lost or late")]
    private static partial void LogReconciled(ILogger logger, string orderId);
}
