using Mall.Application.Customers;
using Mall.Application.Inventory;
using Mall.Application.Payments;
using Mall.Application.Platform;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.Domain.Orders;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Orders;

/// <summary>
/// The order lifecycle after checkout: reads, cancel, ship (with WeChat's shipping-info upload),
/// receipt confirmation, and the timed steps (expiry, auto-confirm, end of the after-sale window).
/// </summary>
public sealed partial class OrderService(
    OrderStore orders,
    IDocumentCollection<CustomerOrderEntry> customerOrders,
    OrderViews views,
    StockService stock,
    OrderPlacement placement,
    PaymentService payments,
    IWeChatPay weChatPay,
    IWeChatMiniProgram miniProgram,
    IDueWorkScheduler scheduler,
    PersonalDataAudit audit,
    ErasedCustomers erased,
    OrderOptions options,
    TimeProvider time,
    ILogger<OrderService> logger)
{
    /// <summary>When the due-work retry of a shipping upload first runs, should the attempt in the request fail.</summary>
    private static readonly TimeSpan ShippingUploadRetryDelay = TimeSpan.FromMinutes(1);
    private static readonly TimeSpan PaymentPendingRecheckDelay = TimeSpan.FromMinutes(1);

    public async Task<OrderView> GetMineAsync(string customerId, string orderId, CancellationToken cancellationToken) =>
        views.ForOwner(await orders.GetOwnedAsync(customerId, orderId, cancellationToken));

    public async Task<OrderPage> ListMineAsync(string customerId, OrderStatus? status, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await customerOrders.QueryAsync(new DocumentQuery { PartitionKey = customerId }, continuationToken, pageSize, cancellationToken);
        var found = await Task.WhenAll(page.Items.Select(entry => orders.FindAsync(entry.Value.OrderId, cancellationToken)));
        var visible = found.OfType<Order>().Where(o => o.Status is not (OrderStatus.Reserving or OrderStatus.Withdrawn) && (status is null || o.Status == status));
        return new OrderPage(visible.Select(views.ForOwner).ToList(), page.ContinuationToken);
    }

    public async Task<OperatorOrderView> GetAsync(string orderId, CancellationToken cancellationToken) =>
        views.ForOperator(await orders.GetAsync(orderId, cancellationToken));

    /// <summary>
    /// Operators, to fulfil the order: its recipient, phone and address unmasked, audited before they are returned.
    /// An erased customer's address is kept only as the transaction record the law requires, so it is read only to
    /// ship an order they had paid for.
    /// </summary>
    public async Task<OrderRecipient> RecipientForOperatorAsync(string orderId, string operatorId, string? reason, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(orderId, cancellationToken);
        if (order.Status != OrderStatus.Paid && await erased.IsErasedAsync(order.CustomerId, cancellationToken))
        {
            throw new DomainException(ErrorCode.CustomerErased, $"The customer of order {orderId} erased their account: its address is kept as the law requires and read only to ship a paid order.");
        }

        await audit.RecordAsync(operatorId, "order recipient", order.Id, order.CustomerId, ["recipient", "phone", "address"], reason, cancellationToken);
        return new OrderRecipient(order.Id, order.CustomerId, views.Address(order));
    }

    public async Task<OperatorOrderPage> ListAsync(OrderStatus? status, bool priorityOnly, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await orders.QueryAsync(status, priorityOnly, continuationToken, pageSize, cancellationToken);
        return new OperatorOrderPage(page.Items.Select(views.ForOperator).ToList(), page.ContinuationToken);
    }

    /// <summary>
    /// Cancels an unpaid order. If a prepay exists, WeChat's transaction is closed first so the
    /// customer cannot pay a cancelled order; if it turns out to be paid already, the payment wins.
    /// </summary>
    public async Task<OrderView> CancelAsync(string customerId, string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.GetOwnedAsync(customerId, orderId, cancellationToken);
        if (order.IsAwaitingPayment && order.PrepayId is not null && !await TryCloseAtWeChatAsync(order, cancellationToken))
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Order {orderId} has just been paid and cannot be cancelled; request a refund instead.");
        }

        order = await orders.ChangeAsync(orderId, o => o.Cancel(time.GetUtcNow(), "cancelled by customer"), cancellationToken);
        await placement.GiveBackAsync(order, cancellationToken);
        return views.ForOwner(order);
    }

    /// <summary>
    /// Ships a paid order and uploads its shipping info to WeChat at once; the due-work retry scheduled first
    /// takes over if WeChat is unavailable.
    /// </summary>
    public async Task<OperatorOrderView> ShipAsync(string orderId, ShipRequest request, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        await scheduler.ScheduleAsync(new DueWork(OrderWork.ShippingUpload, orderId, now + ShippingUploadRetryDelay), cancellationToken);
        await scheduler.ScheduleAsync(new DueWork(OrderWork.AutoConfirm, orderId, now + options.ToPolicy().AutoConfirmAfter), cancellationToken);
        var order = await orders.ChangeAsync(orderId, o => o.Ship(request.Carrier!, request.TrackingNumber!, now), cancellationToken);

        // Only the request that shipped the order may upload without asking WeChat first: a repeated request
        // comes after an attempt whose outcome it cannot know.
        await TryUploadNowAsync(orderId, askWeChatFirst: order.Shipment!.ShippedAt != now, cancellationToken);
        return views.ForOperator(await orders.GetAsync(order.Id, cancellationToken));
    }

    /// <summary>Operators: orders whose shipping info WeChat has not taken, with the latest reason (given up or still retried).</summary>
    public async Task<ResultPage<ShippingUploadFailureView>> ListShippingUploadFailuresAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await orders.QueryShippingUploadFailuresAsync(continuationToken, pageSize, cancellationToken);
        return new ResultPage<ShippingUploadFailureView>(
            page.Items.Select(o => new ShippingUploadFailureView(o.Id, o.Status, o.Payment!.TransactionId, o.Shipment!.Carrier, o.Shipment.TrackingNumber, o.Shipment.ShippedAt, o.Shipment.UploadFailure!)).ToList(),
            page.ContinuationToken);
    }

    /// <summary>
    /// Operators, once the cause is fixed (say, the shipping API authorised for the mini-program): tries the
    /// upload again now, asking WeChat first, and keeps retrying if WeChat is unavailable.
    /// </summary>
    public async Task<OperatorOrderView> RetryShippingUploadAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.GetAsync(orderId, cancellationToken);
        if (order.Shipment is not { UploadedToWeChatAt: null, UploadFailure: not null })
        {
            throw new DomainException(ErrorCode.InvalidOrderState, $"Order {orderId} has no failed shipping upload to retry.");
        }

        await scheduler.ScheduleAsync(new DueWork(OrderWork.ShippingUpload, orderId, time.GetUtcNow() + ShippingUploadRetryDelay), cancellationToken);
        await orders.ChangeAsync(orderId, o => o.RetryShippingUpload(), cancellationToken);
        await TryUploadNowAsync(orderId, askWeChatFirst: true, cancellationToken);
        return views.ForOperator(await orders.GetAsync(orderId, cancellationToken));
    }

    public async Task<OrderView> ConfirmReceiptAsync(string customerId, string orderId, CancellationToken cancellationToken)
    {
        await orders.GetOwnedAsync(customerId, orderId, cancellationToken);
        return views.ForOwner(await CompleteAsync(orderId, automatic: false, cancellationToken));
    }

    /// <summary>Due work: close an unpaid order at expiry, after one last query to WeChat; finalise stock marks either way.</summary>
    public async Task<DueWorkResult> HandleExpiryAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderId, cancellationToken);
        if (order?.Status == OrderStatus.Withdrawn)
        {
            // The backstop of a withdrawal that crashed before it gave back what the placement took.
            await placement.GiveBackAsync(order, cancellationToken);
            await customerOrders.DeleteAsync(CustomerOrderEntry.KeyOf(order), null, cancellationToken);
            return DueWorkResult.Done;
        }

        if (order is null)
        {
            return DueWorkResult.Done;
        }

        if (order.IsAwaitingPayment)
        {
            if (time.GetUtcNow() < order.ExpiresAt)
            {
                return DueWorkResult.Later(order.ExpiresAt);
            }

            if (order.PrepayId is not null && !await TryCloseAtWeChatAsync(order, cancellationToken))
            {
                order = await orders.GetAsync(orderId, cancellationToken);
                if (order.IsAwaitingPayment)
                {
                    // WeChat holds a payment it does not yet report as SUCCESS: the units stay reserved until it does.
                    return DueWorkResult.Later(time.GetUtcNow() + PaymentPendingRecheckDelay);
                }
            }
            else
            {
                order = await orders.ChangeAsync(orderId, o => o.CloseIfExpired(time.GetUtcNow()), cancellationToken);
                LogClosed(logger, orderId);
            }
        }

        // Finalise the stock marks: a sale stays sold, anything else goes back on the shelf.
        if (order.Payment is not null)
        {
            await stock.SettleAsync(order, cancellationToken);
        }
        else if (order.Status is OrderStatus.Closed or OrderStatus.Cancelled)
        {
            // For a cancelled order, the backstop of a cancellation that stopped before it gave everything back.
            await placement.GiveBackAsync(order, cancellationToken);
        }
        else
        {
            await stock.ReleaseAsync(order, cancellationToken);
        }

        return DueWorkResult.Done;
    }

    /// <summary>Due work: auto-confirm receipt once the configured days after shipping have passed.</summary>
    public async Task<DueWorkResult> HandleAutoConfirmAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderId, cancellationToken);
        if (order?.Status != OrderStatus.Shipped)
        {
            return DueWorkResult.Done;
        }

        var due = order.Shipment!.ShippedAt + options.ToPolicy().AutoConfirmAfter;
        if (time.GetUtcNow() < due)
        {
            return DueWorkResult.Later(due);
        }

        await CompleteAsync(orderId, automatic: true, cancellationToken);
        return DueWorkResult.Done;
    }

    /// <summary>Due work: the after-sale window has ended (waits while a refund is still in progress).</summary>
    public async Task<DueWorkResult> HandleAfterSaleCloseAsync(string orderId, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderId, cancellationToken);
        if (order?.Status != OrderStatus.Completed || order.AfterSaleClosed)
        {
            return DueWorkResult.Done;
        }

        var now = time.GetUtcNow();
        if (now < order.AfterSaleEndsAt || order.ActiveRefund is not null)
        {
            return DueWorkResult.Later(order.ActiveRefund is null ? order.AfterSaleEndsAt!.Value : now + TimeSpan.FromHours(1));
        }

        await orders.ChangeAsync(orderId, o => o.CloseAfterSale(now), cancellationToken);
        return DueWorkResult.Done;
    }

    /// <summary>
    /// Due work: tell WeChat the order shipped (trading mini-programs must, or the merchant's funds stay
    /// frozen). A due run always follows an earlier attempt, so it asks WeChat what it holds before uploading.
    /// </summary>
    public Task<DueWorkResult> UploadShippingInfoAsync(string orderId, CancellationToken cancellationToken) =>
        UploadShippingInfoAsync(orderId, askWeChatFirst: true, cancellationToken);

    /// <summary>
    /// One upload attempt. WeChat accepts the first upload and one correction, then refuses every other
    /// (10060003), so a retry after an attempt whose answer may have been lost first asks get_order whether
    /// WeChat holds the shipping already. A refusal that a retry cannot change is final and stays on the order
    /// for operators; a passing one is recorded and left to the due-work backoff.
    /// </summary>
    private async Task<DueWorkResult> UploadShippingInfoAsync(string orderId, bool askWeChatFirst, CancellationToken cancellationToken)
    {
        var order = await orders.FindAsync(orderId, cancellationToken);
        if (order?.Shipment is not { UploadedToWeChatAt: null } shipment || shipment.UploadFailure is { GaveUp: true } || order.Payment is not { } payment)
        {
            return DueWorkResult.Done;
        }

        try
        {
            if (!askWeChatFirst || !await HeldByWeChatAsync(payment.TransactionId, refusal: null, cancellationToken))
            {
                await UploadAsync(order, shipment, payment, cancellationToken);
            }

            await orders.ChangeAsync(orderId, o => o.MarkShippingUploaded(time.GetUtcNow()), cancellationToken);
            return DueWorkResult.Done;
        }
        catch (WeChatException exception) when (exception.Failure == WeChatFailure.Unavailable)
        {
            await orders.ChangeAsync(orderId, o => o.RecordShippingUploadFailure(exception.ErrorCode, exception.Message, gaveUp: false, time.GetUtcNow()), CancellationToken.None);
            throw;
        }
        catch (WeChatException exception)
        {
            await orders.ChangeAsync(orderId, o => o.RecordShippingUploadFailure(exception.ErrorCode, exception.Message, gaveUp: true, time.GetUtcNow()), CancellationToken.None);
            LogUploadGaveUp(logger, exception, orderId, exception.ErrorCode);
            return DueWorkResult.Done;
        }
    }

    private async Task UploadAsync(Order order, Shipment shipment, PaymentRecord payment, CancellationToken cancellationToken)
    {
        var address = views.Address(order);
        var description = string.Join("; ", order.Lines.Select(l => $"{l.Title} {l.SkuName} x{l.Quantity}"));
        try
        {
            await miniProgram.UploadShippingInfoAsync(
                new ShippingInfoUpload(
                    payment.TransactionId,
                    order.PayerOpenId,
                    shipment.Carrier,
                    shipment.TrackingNumber,
                    description.Length <= 120 ? description : description[..120],
                    // SF Express requires the receiver's masked phone to be stated.
                    PersonalData.MaskPhone(address.Phone),
                    time.GetUtcNow()),
                cancellationToken);
        }
        catch (WeChatException exception) when (exception.Failure == WeChatFailure.AlreadyDone)
        {
            // 10060002 / 10060003: WeChat holds shipping info for the payment and takes no further update.
            LogUploadAlreadyDone(logger, order.Id, exception.ErrorCode);
        }
        catch (WeChatException exception) when (exception.Failure == WeChatFailure.NotAllowedNow)
        {
            // 10060004 answers both a payment past shipping (then WeChat holds it) and a refunded one: ask which.
            await HeldByWeChatAsync(payment.TransactionId, exception, cancellationToken);
        }
    }

    /// <summary>
    /// Whether WeChat holds shipping info for the payment already (get_order). A payment WeChat will not ship
    /// (refunded, or refused as not shippable while it holds none) is a final refusal.
    /// </summary>
    /// <param name="refusal">The 10060004 an upload was just answered with, if that is why WeChat is asked.</param>
    private async Task<bool> HeldByWeChatAsync(string transactionId, WeChatException? refusal, CancellationToken cancellationToken)
    {
        var state = await miniProgram.GetShippingStateAsync(transactionId, cancellationToken);
        return ShippingUploadRules.Decide(state, refusedAsNotShippable: refusal is not null) switch
        {
            ShippingUploadStep.AlreadyAtWeChat => true,
            ShippingUploadStep.Upload => false,
            _ => throw new WeChatException(
                WeChatFailure.Rejected,
                $"WeChat takes no shipping info for payment {transactionId}: it shows the payment {(state == WeChatShippingState.Refunded ? "refunded" : "not shippable")}" + (refusal is null ? "." : $" ({refusal.Message})."),
                refusal)
            {
                ErrorCode = refusal?.ErrorCode,
            },
        };
    }

    /// <summary>An upload attempt inside a request: a passing failure is left to the due-work retry, never to the caller.</summary>
    private async Task TryUploadNowAsync(string orderId, bool askWeChatFirst, CancellationToken cancellationToken)
    {
        try
        {
            await UploadShippingInfoAsync(orderId, askWeChatFirst, cancellationToken);
        }
        catch (WeChatException exception)
        {
            LogUploadDeferred(logger, exception, orderId);
        }
    }

    private async Task<Order> CompleteAsync(string orderId, bool automatic, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var policy = options.ToPolicy();
        await scheduler.ScheduleAsync(new DueWork(OrderWork.AfterSaleClose, orderId, now + policy.AfterSaleWindow), cancellationToken);
        return await orders.ChangeAsync(orderId, o => o.ConfirmReceipt(now, policy, automatic), cancellationToken);
    }

    /// <summary>Closes WeChat's transaction for the order. Returns false (after applying the payment) if it was paid.</summary>
    private async Task<bool> TryCloseAtWeChatAsync(Order order, CancellationToken cancellationToken)
    {
        try
        {
            await weChatPay.CloseTransactionAsync(order.Id, cancellationToken);
            return true;
        }
        catch (WeChatException exception) when (exception.Failure == WeChatFailure.Rejected)
        {
            // WeChat refuses to close what it does not hold (no such transaction): nothing can be paid there.
            LogCloseRejected(logger, exception, order.Id);
            return true;
        }
        catch (WeChatException exception) when (exception.Failure == WeChatFailure.AlreadyPaid)
        {
            var transaction = await weChatPay.QueryTransactionAsync(order.Id, cancellationToken);
            if (transaction?.TradeState == TradeState.Success)
            {
                await payments.ApplySuccessAsync(transaction, cancellationToken);
            }

            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "WeChat refused to close the transaction of order {OrderId}; closing locally")]
    private static partial void LogCloseRejected(ILogger logger, Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} closed unpaid at expiry")]
    private static partial void LogClosed(ILogger logger, string orderId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Shipping info upload for order {OrderId} deferred to the retry timer")]
    private static partial void LogUploadDeferred(ILogger logger, Exception exception, string orderId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Shipping info upload for order {OrderId} gave up (errcode {ErrCode}); listed under manage/shipping-uploads/failed for an operator")]
    private static partial void LogUploadGaveUp(ILogger logger, Exception exception, string orderId, string? errCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Shipping info of order {OrderId} was already at WeChat (errcode {ErrCode}); recorded as uploaded")]
    private static partial void LogUploadAlreadyDone(ILogger logger, string orderId, string? errCode);
}
