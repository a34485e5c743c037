using Mall.Application.Inventory;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.Domain.Orders;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Payments;

/// <summary>Kinds of due work refunds schedule; the subject is the order id.</summary>
public static class RefundWork
{
    public const string Submit = "RefundSubmit";
    public const string Check = "RefundCheck";
    public const string Restock = "RefundRestock";
}

/// <summary>
/// Refunds: the customer asks, an operator approves (or the system does, for a payment after close),
/// WeChat pays back, a verified notification (or a query) completes it, and refunded units return to
/// stock. Every step after approval is also scheduled as due work before it is attempted, so a crash
/// or an outage delays a refund but never loses it.
/// </summary>
public sealed partial class RefundService(
    OrderStore orders,
    OrderViews views,
    IWeChatPay weChatPay,
    StockService stock,
    IDueWorkScheduler scheduler,
    TimeProvider time,
    ILogger<RefundService> logger)
{
    private static readonly TimeSpan SubmitGrace = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan CheckAfter = TimeSpan.FromMinutes(10);

    public async Task<OrderView> RequestAsync(string customerId, string orderId, RefundRequestBody request, CancellationToken cancellationToken)
    {
        await orders.GetOwnedAsync(customerId, orderId, cancellationToken);
        var lines = (request.Items ?? []).Select(i => new RefundLine(i.SkuId!, i.Quantity!.Value)).ToList();
        var order = await orders.ChangeAsync(orderId, o => o.RequestRefund(lines, request.AmountFen, request.Reason!, time.GetUtcNow()), cancellationToken);
        return views.ForOwner(order);
    }

    public async Task<OrderView> ApproveAsync(string orderId, string refundId, ApproveRefundRequest request, CancellationToken cancellationToken)
    {
        await ScheduleSubmissionAsync(orderId, cancellationToken);
        await orders.ChangeAsync(orderId, o => o.ApproveRefund(refundId, request.Restock, request.Note, time.GetUtcNow()), cancellationToken);
        await TrySubmitNowAsync(orderId, cancellationToken);
        return views.ForOperator(await orders.GetAsync(orderId, cancellationToken));
    }

    /// <summary>
    /// The system returns everything paid for an order (a failed group, a returned deposit): an
    /// automatic refund, approved at once and submitted to WeChat. Safe to repeat.
    /// </summary>
    public async Task RefundEverythingAsync(string orderId, string reason, bool restock, CancellationToken cancellationToken)
    {
        await ScheduleSubmissionAsync(orderId, cancellationToken);
        await orders.ChangeAsync(orderId, o => o.RefundEverything(reason, restock, time.GetUtcNow()), cancellationToken);
        await TrySubmitNowAsync(orderId, cancellationToken);
    }

    public async Task<OrderView> RejectAsync(string orderId, string refundId, RejectRefundRequest request, CancellationToken cancellationToken) =>
        views.ForOperator(await orders.ChangeAsync(orderId, o => o.RejectRefund(refundId, request.Note!, time.GetUtcNow()), cancellationToken));

    public Task ScheduleSubmissionAsync(string orderId, CancellationToken cancellationToken) =>
        scheduler.ScheduleAsync(new DueWork(RefundWork.Submit, orderId, time.GetUtcNow() + SubmitGrace), cancellationToken);

    /// <summary>Sends every approved refund of the order to WeChat (idempotent per out_refund_no there).</summary>
    public async Task<DueWorkResult> SubmitApprovedAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(orderId, cancellationToken);
        foreach (var refund in order.Refunds.Where(r => r.Status == RefundStatus.Approved))
        {
            await scheduler.ScheduleAsync(new DueWork(RefundWork.Check, orderId, time.GetUtcNow() + CheckAfter), cancellationToken);
            var paid = (order.Payment ?? order.LatePayment)!.AmountFen;
            RefundStatusReport report;
            try
            {
                report = await weChatPay.CreateRefundAsync(new RefundSubmission(orderId, refund.Id, refund.AmountFen, paid, refund.Reason), cancellationToken);
            }
            catch (WeChatException exception) when (exception.Failure == WeChatFailure.Rejected)
            {
                LogRefundRejected(logger, exception, refund.Id);
                await orders.ChangeAsync(orderId, o => o.CompleteRefund(refund.Id, succeeded: false, 0, null, time.GetUtcNow()), cancellationToken);
                continue;
            }

            await orders.ChangeAsync(orderId, o => o.MarkRefundSubmitted(refund.Id, report.RefundId), cancellationToken);
            await ApplyReportAsync(report, cancellationToken);
        }

        return DueWorkResult.Done;
    }

    /// <summary>Handles a REFUND.* notification. Returns only once the resulting state is durable.</summary>
    /// <exception cref="WebhookRejectedException">The notification is not genuine.</exception>
    public Task HandleNotificationAsync(WebhookRequest request, CancellationToken cancellationToken) =>
        ApplyReportAsync(weChatPay.ReadRefundNotification(request), cancellationToken);

    /// <summary>Applies WeChat's word on a refund: success completes it (and restocks), CLOSED/ABNORMAL fails it.</summary>
    public async Task ApplyReportAsync(RefundStatusReport report, CancellationToken cancellationToken)
    {
        if (report.State == RefundState.Processing)
        {
            return;
        }

        var orderId = Order.OrderIdOfRefund(report.OutRefundNo) ?? throw DomainException.NotFound($"Refund {report.OutRefundNo}");
        var current = await orders.GetAsync(orderId, cancellationToken);
        var restock = report.State == RefundState.Success && current.GetRefund(report.OutRefundNo).Restock;
        if (restock)
        {
            await scheduler.ScheduleAsync(new DueWork(RefundWork.Restock, orderId, time.GetUtcNow() + SubmitGrace), cancellationToken);
        }

        await orders.ChangeAsync(orderId, o => o.CompleteRefund(report.OutRefundNo, report.State == RefundState.Success, report.RefundFen, report.RefundId, time.GetUtcNow()), cancellationToken);
        LogRefundCompleted(logger, report.OutRefundNo, report.State);
        if (restock)
        {
            await RestockAsync(orderId, cancellationToken);
        }
    }

    /// <summary>Backstop for lost refund notifications: queries WeChat for refunds still processing.</summary>
    public async Task<DueWorkResult> CheckAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(orderId, cancellationToken);
        foreach (var refund in order.Refunds.Where(r => r.Status == RefundStatus.Processing))
        {
            if (await weChatPay.QueryRefundAsync(refund.Id, cancellationToken) is { } report)
            {
                await ApplyReportAsync(report, cancellationToken);
            }
        }

        var stillProcessing = (await orders.GetAsync(orderId, cancellationToken)).Refunds.Any(r => r.Status == RefundStatus.Processing);
        return stillProcessing ? DueWorkResult.Later(time.GetUtcNow() + CheckAfter) : DueWorkResult.Done;
    }

    /// <summary>
    /// Returns refunded units to stock in three idempotent steps: counters take the units (marked with
    /// the refund id), the order records it, the marks are settled.
    /// </summary>
    public async Task<DueWorkResult> RestockAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(orderId, cancellationToken);
        foreach (var refund in order.Refunds.Where(r => r.Status == RefundStatus.Succeeded && r.Restock))
        {
            if (!refund.StockReturned)
            {
                await stock.RestockAsync(order, refund, cancellationToken);
                await orders.ChangeAsync(orderId, o => o.MarkRefundStockReturned(refund.Id), cancellationToken);
            }

            await stock.SettleRestockAsync(order, refund, cancellationToken);
        }

        return DueWorkResult.Done;
    }

    /// <summary>Submits right away, best effort: the scheduled submission retries if WeChat is unavailable.</summary>
    public async Task TrySubmitNowAsync(string orderId, CancellationToken cancellationToken)
    {
        try
        {
            await SubmitApprovedAsync(orderId, cancellationToken);
        }
        catch (WeChatException exception)
        {
            LogSubmitDeferred(logger, exception, orderId);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "WeChat rejected refund {RefundId}; marked failed")]
    private static partial void LogRefundRejected(ILogger logger, Exception exception, string refundId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refund {RefundId} completed: {State}")]
    private static partial void LogRefundCompleted(ILogger logger, string refundId, RefundState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund submission for order {OrderId} deferred to the retry timer")]
    private static partial void LogSubmitDeferred(ILogger logger, Exception exception, string orderId);
}
