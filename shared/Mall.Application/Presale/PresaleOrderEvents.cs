using Mall.Application.Platform;
using Mall.Domain.Orders;

namespace Mall.Application.Presale;

/// <summary>Order events of presale deposit and balance orders: payments move the reservation on, lapses release it, a refunded balance undoes it.</summary>
public sealed class PresaleOrderEvents(PresaleService presales)
    : IEventHandler<OrderPaid>, IEventHandler<OrderClosed>, IEventHandler<OrderCancelled>, IEventHandler<OrderRefunded>
{
    public Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken) =>
        PresaleKind(paid.Order) is { } kind
            ? presales.RecordPaymentAsync(kind, paid.Order.Source!.ReferenceId, paid.Order.OrderId, paid.PaidAt, context.Workflows, cancellationToken)
            : Task.CompletedTask;

    public Task HandleAsync(OrderClosed closed, EventContext context, CancellationToken cancellationToken) => LapseAsync(closed.Order, cancellationToken);

    public Task HandleAsync(OrderCancelled cancelled, EventContext context, CancellationToken cancellationToken) => LapseAsync(cancelled.Order, cancellationToken);

    public Task HandleAsync(OrderRefunded refunded, EventContext context, CancellationToken cancellationToken) =>
        PresaleKind(refunded.Order) is { } kind
            ? presales.RecordRefundAsync(kind, refunded.Order.Source!.ReferenceId, refunded.Order.OrderId, cancellationToken)
            : Task.CompletedTask;

    private Task LapseAsync(OrderFacts order, CancellationToken cancellationToken) =>
        PresaleKind(order) is { } kind ? presales.RecordLapseAsync(kind, order.Source!.ReferenceId, order.OrderId, cancellationToken) : Task.CompletedTask;

    private static string? PresaleKind(OrderFacts order) =>
        order.Source?.Kind is PresaleService.DepositKind or PresaleService.BalanceKind ? order.Source.Kind : null;
}
