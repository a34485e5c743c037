using Mall.Application.Inventory;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Inventory;
using Mall.Domain.Orders;

namespace Mall.Application.Orders;

/// <summary>
/// Each open unpaid order holds one of its customer's slots (<see cref="LimitsOptions.UnpaidOrdersPerCustomer"/>),
/// so one account cannot tie up stock with orders it never pays: a guarded counter per customer, taken under
/// the order's id when the order opens (so a retry takes it once) and given back when the order is paid,
/// cancelled or closed, or its placement is withdrawn.
/// </summary>
public sealed class UnpaidOrderSlots(CounterStore counters, LimitsOptions limits)
    : IEventHandler<OrderPaid>, IEventHandler<OrderCancelled>, IEventHandler<OrderClosed>
{
    /// <exception cref="DomainException">TOO_MANY_UNPAID_ORDERS: every slot is taken.</exception>
    public async Task TakeAsync(Order order, CancellationToken cancellationToken)
    {
        if (await counters.ApplyAsync(CounterKeys.UnpaidOrders(order.CustomerId), Operation(order.Id), 1, 0, limits.UnpaidOrdersPerCustomer, cancellationToken) == CounterOutcome.Refused)
        {
            throw new DomainException(ErrorCode.TooManyUnpaidOrders, $"You already have {limits.UnpaidOrdersPerCustomer} unpaid orders: pay or cancel one first.");
        }
    }

    /// <summary>Gives the order's slot back; safe to repeat, and a no-op for an order that never took one.</summary>
    public Task ReleaseAsync(string customerId, string orderId, CancellationToken cancellationToken) =>
        counters.RevertAsync(CounterKeys.UnpaidOrders(customerId), Operation(orderId), cancellationToken);

    public Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken) => ReleaseAsync(paid.Order.CustomerId, paid.Order.OrderId, cancellationToken);

    public Task HandleAsync(OrderCancelled cancelled, EventContext context, CancellationToken cancellationToken) => ReleaseAsync(cancelled.Order.CustomerId, cancelled.Order.OrderId, cancellationToken);

    public Task HandleAsync(OrderClosed closed, EventContext context, CancellationToken cancellationToken) => ReleaseAsync(closed.Order.CustomerId, closed.Order.OrderId, cancellationToken);

    private static string Operation(string orderId) => $"unpaid:{orderId}";
}
