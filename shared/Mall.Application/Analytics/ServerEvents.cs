using Mall.Application.Platform;
using Mall.Domain.Analytics;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Orders;

namespace Mall.Application.Analytics;

/// <summary>
/// Feeds the ledger from the mall's own integration events, so paid orders, GMV, refunds and new
/// customers are what the mall recorded, not what a client claims. Each is keyed by its event's id, so
/// a redelivered event counts once; it is counted in the hour it happened, even when delivered late.
/// </summary>
public sealed class ServerEvents(IEventLedger ledger, AnalyticsFigures figures, ExperimentService experiments, TimeProvider time)
    : IEventHandler<OrderPaid>, IEventHandler<RefundSucceeded>, IEventHandler<CustomerRegistered>
{
    public async Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken)
    {
        var recorded = await RecordAsync(paid.Order.CustomerId, new LedgerEvent(paid.Id, TrackedEvent.OrderPaid, paid.PaidAt, paid.AmountFen), cancellationToken);
        await experiments.TrackAsync(await experiments.RecentAsync(cancellationToken), LedgerKeys.CustomerVisitor(paid.Order.CustomerId), [recorded], cancellationToken);
    }

    public Task HandleAsync(RefundSucceeded refunded, EventContext context, CancellationToken cancellationToken) =>
        RecordAsync(refunded.Refund.CustomerId, new LedgerEvent(refunded.Id, TrackedEvent.RefundSucceeded, refunded.OccurredAt, refunded.Refund.AmountFen), cancellationToken);

    public Task HandleAsync(CustomerRegistered registered, EventContext context, CancellationToken cancellationToken) =>
        RecordAsync(registered.CustomerId, new LedgerEvent(registered.Id, TrackedEvent.CustomerRegistered, registered.OccurredAt), cancellationToken);

    private async Task<LedgerEvent> RecordAsync(string customerId, LedgerEvent recorded, CancellationToken cancellationToken)
    {
        var outcome = await ledger.RecordAsync(LedgerKeys.CustomerVisitor(customerId), ChinaTime.DateOf(recorded.OccurredAt), [recorded], isVisit: false, time.GetUtcNow(), cancellationToken);
        await figures.MarkLateAsync(outcome, cancellationToken);
        return recorded;
    }
}
