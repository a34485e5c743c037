using Mall.Application.Platform;
using Mall.Domain.Customers;
using Mall.Domain.Distribution;
using Mall.Domain.Orders;

namespace Mall.Application.Distribution;

/// <summary>
/// Order and customer events that matter to distribution: a paid order starts its settlement
/// process; completion and every change of a refund update the commission (reversing it if already
/// settled) and wake the process, since any of them can block or unblock settlement (an open refund
/// request holds it back until it is rejected, fails or succeeds); a new customer joins their
/// referrers' teams.
/// </summary>
public sealed class DistributionEvents(DistributionService distribution)
    : IEventHandler<CustomerRegistered>,
        IEventHandler<OrderPaid>,
        IEventHandler<OrderCompleted>,
        IEventHandler<RefundRequested>,
        IEventHandler<RefundApproved>,
        IEventHandler<RefundRejected>,
        IEventHandler<RefundFailed>,
        IEventHandler<RefundSucceeded>
{
    public Task HandleAsync(CustomerRegistered registered, EventContext context, CancellationToken cancellationToken) =>
        distribution.IndexReferralsAsync(registered.CustomerId, cancellationToken);

    public async Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken)
    {
        if (await distribution.EarnsCommissionAsync(paid.Order.CustomerId, cancellationToken))
        {
            var orderId = paid.Order.OrderId;
            await context.Workflows.StartOnceAsync(CommissionSettlementOrchestrator.Name, CommissionSettlementOrchestrator.InstanceId(orderId), orderId, cancellationToken);
        }
    }

    public Task HandleAsync(OrderCompleted completed, EventContext context, CancellationToken cancellationToken) =>
        SyncAsync(completed.Order.OrderId, nameof(OrderCompleted), context, cancellationToken);

    public Task HandleAsync(RefundRequested requested, EventContext context, CancellationToken cancellationToken) => SyncAsync(requested.Refund.OrderId, requested.Name, context, cancellationToken);

    public Task HandleAsync(RefundApproved approved, EventContext context, CancellationToken cancellationToken) => SyncAsync(approved.Refund.OrderId, approved.Name, context, cancellationToken);

    public Task HandleAsync(RefundRejected rejected, EventContext context, CancellationToken cancellationToken) => SyncAsync(rejected.Refund.OrderId, rejected.Name, context, cancellationToken);

    public Task HandleAsync(RefundFailed failed, EventContext context, CancellationToken cancellationToken) => SyncAsync(failed.Refund.OrderId, failed.Name, context, cancellationToken);

    public Task HandleAsync(RefundSucceeded succeeded, EventContext context, CancellationToken cancellationToken) => SyncAsync(succeeded.Refund.OrderId, succeeded.Name, context, cancellationToken);

    /// <summary>Refunds after settlement are reversed here; the process (if still waiting) re-checks.</summary>
    private async Task SyncAsync(string orderId, string change, EventContext context, CancellationToken cancellationToken)
    {
        var progress = await distribution.SyncAsync(orderId, cancellationToken);
        if (progress.Status == CommissionStatus.Pending)
        {
            await context.Workflows.RaiseEventAsync(CommissionSettlementOrchestrator.InstanceId(orderId), CommissionSettlementOrchestrator.OrderChangedEvent, change, cancellationToken);
        }
    }
}
