using Mall.Application.Platform;
using Mall.Domain.GroupBuy;
using Mall.Domain.Orders;

namespace Mall.Application.GroupBuy;

/// <summary>
/// A new group starts its deadline process; its members' order events move its seats (payments
/// count them, lapsed orders free them).
/// </summary>
public sealed class GroupBuyEvents(GroupBuyService groupBuys)
    : IEventHandler<GroupBuyOpened>, IEventHandler<OrderPaid>, IEventHandler<OrderClosed>, IEventHandler<OrderCancelled>
{
    public Task HandleAsync(GroupBuyOpened opened, EventContext context, CancellationToken cancellationToken) =>
        context.Workflows.StartOnceAsync(GroupBuyOrchestrator.Name, opened.GroupId, new GroupBuyProcessInput(opened.GroupId, opened.Deadline), cancellationToken);

    public Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken) =>
        IsGroupOrder(paid.Order)
            ? groupBuys.RecordPaymentAsync(paid.Order.Source!.ReferenceId, paid.Order.OrderId, paid.PaidAt, context.Workflows, cancellationToken)
            : Task.CompletedTask;

    public Task HandleAsync(OrderClosed closed, EventContext context, CancellationToken cancellationToken) => ReleaseAsync(closed.Order, cancellationToken);

    public Task HandleAsync(OrderCancelled cancelled, EventContext context, CancellationToken cancellationToken) => ReleaseAsync(cancelled.Order, cancellationToken);

    private Task ReleaseAsync(OrderFacts order, CancellationToken cancellationToken) =>
        IsGroupOrder(order) ? groupBuys.ReleaseSeatAsync(order.Source!.ReferenceId, order.OrderId, cancellationToken) : Task.CompletedTask;

    private static bool IsGroupOrder(OrderFacts order) => order.Source?.Kind == GroupBuyService.SourceKind;
}
