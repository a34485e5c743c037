using Mall.Application.Platform;
using Mall.Domain.Orders;

namespace Mall.Application.Bargains;

/// <summary>A bargain's order moves its bargain: paid, the bargain is done (budget spent); ended unpaid, it may be ordered again.</summary>
public sealed class BargainOrderEvents(BargainService bargains)
    : IEventHandler<OrderPaid>, IEventHandler<OrderClosed>, IEventHandler<OrderCancelled>
{
    public Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken) =>
        IsBargainOrder(paid.Order) ? bargains.RecordPaymentAsync(paid.Order.Source!.ReferenceId, paid.Order.OrderId, cancellationToken) : Task.CompletedTask;

    public Task HandleAsync(OrderClosed closed, EventContext context, CancellationToken cancellationToken) => ReleaseAsync(closed.Order, cancellationToken);

    public Task HandleAsync(OrderCancelled cancelled, EventContext context, CancellationToken cancellationToken) => ReleaseAsync(cancelled.Order, cancellationToken);

    private Task ReleaseAsync(OrderFacts order, CancellationToken cancellationToken) =>
        IsBargainOrder(order) ? bargains.ReleaseLapsedOrderAsync(order.Source!.ReferenceId, order.OrderId, cancellationToken) : Task.CompletedTask;

    private static bool IsBargainOrder(OrderFacts order) => order.Source?.Kind == OrderSource.Bargain;
}
