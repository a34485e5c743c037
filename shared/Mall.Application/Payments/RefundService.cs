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
/// or an outage delays a refund but never loses it. Money owed is never dropped: a refusal WeChat
/// means to be retried is resubmitted under the same out_refund_no with a growing delay, a final one
/// and an ABNORMAL one wait in the operators' list (<see cref="ListOpenAsync"/>) for a resubmit or an
/// abnormal-refund instruction.
/// </summary>
public sealed partial class RefundService(
    OrderStore orders,
    OrderViews views,
    IWeChatPay weChatPay,
    StockService stock,
    IDueWorkScheduler scheduler,
    PaymentOptions options,
    MallMetrics metrics,
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

    public async Task<OperatorOrderView> ApproveAsync(string orderId, string refundId, ApproveRefundRequest request, CancellationToken cancellationToken)
    {
        await ScheduleSubmissionAsync(orderId, cancellationToken);
        await orders.ChangeAsync(orderId, o => o.ApproveRefund(refundId, request.Restock, request.Note, time.GetUtcNow()), cancellationToken);
        await SubmitApprovedAsync(orderId, cancellationToken);
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
        await SubmitApprovedAsync(orderId, cancellationToken);
    }

    public async Task<OperatorOrderView> RejectAsync(string orderId, string refundId, RejectRefundRequest request, CancellationToken cancellationToken) =>
        views.ForOperator(await orders.ChangeAsync(orderId, o => o.RejectRefund(refundId, request.Note!, time.GetUtcNow()), cancellationToken));

    /// <summary>
    /// An operator's resubmit: a refund WeChat refused (or closed) goes to WeChat again, one waiting
    /// for its automatic retry goes now, and for one WeChat is processing, WeChat is asked now.
    /// </summary>
    public async Task<OperatorOrderView> ResubmitAsync(string orderId, string refundId, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(orderId, cancellationToken);
        if (order.GetRefund(refundId).Status == RefundStatus.Processing)
        {
            await CheckAsync(orderId, cancellationToken);
        }
        else
        {
            await ScheduleSubmissionAsync(orderId, cancellationToken);
            await orders.ChangeAsync(orderId, o => o.ResubmitRefund(refundId, time.GetUtcNow()), cancellationToken);
            await SubmitApprovedAsync(orderId, cancellationToken);
        }

        return views.ForOperator(await orders.GetAsync(orderId, cancellationToken));
    }

    /// <summary>
    /// An operator tells WeChat where an ABNORMAL refund goes instead (the buyer's debit card or the
    /// merchant's account); WeChat's SUCCESS for the same out_refund_no then completes it.
    /// </summary>
    public async Task<OperatorOrderView> ApplyAbnormalRefundAsync(string orderId, string refundId, AbnormalRefundBody request, CancellationToken cancellationToken)
    {
        var refund = (await orders.GetAsync(orderId, cancellationToken)).GetRefund(refundId);
        var destination = request.Type!.Value;
        if (refund.AbnormalRefundTo != destination)
        {
            if (refund.Status != RefundStatus.Abnormal || refund.WeChatRefundId is not { } weChatRefundId)
            {
                throw new DomainException(ErrorCode.InvalidOrderState, $"Refund {refundId} is {refund.Status}; only a refund WeChat reported abnormal can be sent to another account.");
            }

            await scheduler.ScheduleAsync(new DueWork(RefundWork.Check, orderId, time.GetUtcNow() + CheckAfter), cancellationToken);
            var report = await PaymentService.WeChatCall(() => weChatPay.ApplyAbnormalRefundAsync(
                new AbnormalRefundInstruction(weChatRefundId, refundId, destination, request.BankType, request.BankAccount, request.RealName), cancellationToken));
            await orders.ChangeAsync(orderId, o => o.ApplyAbnormalRefund(refundId, destination), cancellationToken);
            LogAbnormalRefundApplied(logger, refundId, destination);
            await ApplyReportAsync(report, cancellationToken);
        }

        return views.ForOperator(await orders.GetAsync(orderId, cancellationToken));
    }

    /// <summary>Every refund not settled for good, for operators: asked for, retrying, at WeChat, abnormal or failed.</summary>
    public async Task<OpenRefundPage> ListOpenAsync(RefundStatus? status, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await orders.QueryWithOpenRefundsAsync(continuationToken, pageSize, cancellationToken);
        var open = page.Items
            .SelectMany(order => order.Refunds.Where(r => r.IsOpen && (status is null || r.Status == status)).Select(refund => new OpenRefundView(
                order.Id,
                order.CustomerId,
                order.Status,
                (order.Payment ?? order.LatePayment)?.AmountFen ?? 0,
                refund,
                ActionsFor(refund))))
            .ToList();
        return new OpenRefundPage(open, page.ContinuationToken);
    }

    public Task ScheduleSubmissionAsync(string orderId, CancellationToken cancellationToken) =>
        scheduler.ScheduleAsync(new DueWork(RefundWork.Submit, orderId, time.GetUtcNow() + SubmitGrace), cancellationToken);

    /// <summary>
    /// Sends every approved refund of the order that is due to WeChat (idempotent per out_refund_no
    /// there). A refusal WeChat means to be retried keeps the refund approved for a later attempt (the
    /// due work comes back then); a final one fails it, for an operator to resubmit.
    /// </summary>
    public async Task<DueWorkResult> SubmitApprovedAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(orderId, cancellationToken);
        var now = time.GetUtcNow();
        foreach (var refund in order.Refunds.Where(r => r.Status == RefundStatus.Approved && !(r.RetryAt > now)))
        {
            await scheduler.ScheduleAsync(new DueWork(RefundWork.Check, orderId, now + CheckAfter), cancellationToken);
            var paid = (order.Payment ?? order.LatePayment)!.AmountFen;
            RefundStatusReport report;
            try
            {
                report = await weChatPay.CreateRefundAsync(new RefundSubmission(orderId, refund.Id, refund.AmountFen, paid, refund.Reason), cancellationToken);
            }
            catch (WeChatException exception)
            {
                var final = exception.Failure == WeChatFailure.Rejected;
                LogRefundRefused(logger, exception, refund.Id, exception.ErrorCode, final);
                CountIfNotSucceeded(await orders.TransitionAsync(orderId, o => o.RecordRefundRefused(refund.Id, $"{exception.ErrorCode ?? "UNAVAILABLE"}: {exception.Message}", final, time.GetUtcNow(), options.RefundRetryMax), cancellationToken), refund.Id, "GIVEN_UP");
                continue;
            }

            await orders.ChangeAsync(orderId, o => o.MarkRefundSubmitted(refund.Id, report.RefundId), cancellationToken);
            await ApplyReportAsync(report, cancellationToken);
        }

        var nextRetry = (await orders.GetAsync(orderId, cancellationToken)).Refunds.Where(r => r.Status == RefundStatus.Approved).Min(r => r.RetryAt);
        return nextRetry is { } retryAt ? DueWorkResult.Later(retryAt) : DueWorkResult.Done;
    }

    /// <summary>Handles a REFUND.* notification. Returns only once the resulting state is durable.</summary>
    /// <exception cref="WebhookRejectedException">The notification is not genuine.</exception>
    public Task HandleNotificationAsync(WebhookRequest request, CancellationToken cancellationToken)
    {
        var report = weChatPay.ReadRefundNotification(request);
        if (Order.OrderIdOfRefund(report.OutRefundNo) is { } orderId)
        {
            MallTelemetry.TagOrder(orderId);
        }

        return ApplyReportAsync(report, cancellationToken);
    }

    /// <summary>
    /// Applies WeChat's word on a refund: SUCCESS completes it (and restocks), CLOSED fails it, ABNORMAL
    /// holds it for an operator's abnormal-refund instruction (a later SUCCESS still completes it).
    /// </summary>
    public async Task ApplyReportAsync(RefundStatusReport report, CancellationToken cancellationToken)
    {
        if (report.State == RefundState.Processing)
        {
            return;
        }

        var orderId = Order.OrderIdOfRefund(report.OutRefundNo) ?? throw DomainException.NotFound($"Refund {report.OutRefundNo}");
        var current = await orders.GetAsync(orderId, cancellationToken);
        if (report.State == RefundState.Abnormal)
        {
            CountIfNotSucceeded(await orders.TransitionAsync(orderId, o => o.MarkRefundAbnormal(report.OutRefundNo, report.RefundId), cancellationToken), report.OutRefundNo, "ABNORMAL");
            LogRefundAbnormal(logger, report.OutRefundNo);
            return;
        }

        var restock = report.State == RefundState.Success && current.GetRefund(report.OutRefundNo).Restock;
        if (restock)
        {
            await scheduler.ScheduleAsync(new DueWork(RefundWork.Restock, orderId, time.GetUtcNow() + SubmitGrace), cancellationToken);
        }

        CountIfNotSucceeded(await orders.TransitionAsync(orderId, o => o.CompleteRefund(report.OutRefundNo, report.State == RefundState.Success, report.RefundFen, report.RefundId, time.GetUtcNow()), cancellationToken), report.OutRefundNo, "CLOSED");
        LogRefundCompleted(logger, report.OutRefundNo, report.State);
        if (restock)
        {
            await RestockAsync(orderId, cancellationToken);
        }
    }

    /// <summary>
    /// Backstop for lost refund notifications: queries WeChat for refunds it is processing or holds as
    /// abnormal (the operator may have resolved it in WeChat's merchant platform).
    /// </summary>
    public async Task<DueWorkResult> CheckAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(orderId, cancellationToken);
        foreach (var refund in order.Refunds.Where(AtWeChat))
        {
            if (await weChatPay.QueryRefundAsync(refund.Id, cancellationToken) is { } report)
            {
                await ApplyReportAsync(report, cancellationToken);
            }
        }

        var stillAtWeChat = (await orders.GetAsync(orderId, cancellationToken)).Refunds.Any(AtWeChat);
        return stillAtWeChat ? DueWorkResult.Later(time.GetUtcNow() + CheckAfter) : DueWorkResult.Done;
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

    /// <summary>
    /// refunds.not_succeeded counts a refund once, when it first stops short of success: WeChat holds it as
    /// abnormal or closed it, or its submission was given up. One closed after being abnormal was counted already,
    /// also once an operator's abnormal refund put it back on its way; of racing reports (a notification, its
    /// redelivery, a check) only the transition that stuck starts from a refund still on its way.
    /// </summary>
    private void CountIfNotSucceeded(OrderTransition transition, string refundId, string reason)
    {
        static bool NotSucceeded(RefundStatus status) => status is RefundStatus.Failed or RefundStatus.Abnormal;
        var before = transition.Before.GetRefund(refundId);
        var countedBefore = NotSucceeded(before.Status) || before.AbnormalRefundTo is not null;
        if (!countedBefore && NotSucceeded(transition.After.GetRefund(refundId).Status))
        {
            metrics.RefundNotSucceeded(reason);
        }
    }

    private static bool AtWeChat(Refund refund) => refund.Status is RefundStatus.Processing or RefundStatus.Abnormal;

    private static List<string> ActionsFor(Refund refund) => refund.Status switch
    {
        RefundStatus.Requested => ["approve", "reject"],
        RefundStatus.Abnormal => ["applyAbnormalRefund"],
        _ => ["resubmit"],
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "WeChat refused refund {RefundId} ({Code}); final: {Final}")]
    private static partial void LogRefundRefused(ILogger logger, Exception exception, string refundId, string? code, bool final);

    [LoggerMessage(Level = LogLevel.Information, Message = "Refund {RefundId} completed: {State}")]
    private static partial void LogRefundCompleted(ILogger logger, string refundId, RefundState state);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Refund {RefundId} is abnormal at WeChat; it waits for an operator's abnormal refund")]
    private static partial void LogRefundAbnormal(ILogger logger, string refundId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Abnormal refund {RefundId} sent to {Destination}")]
    private static partial void LogAbnormalRefundApplied(ILogger logger, string refundId, AbnormalRefundDestination destination);
}
