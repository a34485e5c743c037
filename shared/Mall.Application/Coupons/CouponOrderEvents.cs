using Mall.Application.Platform;
using Mall.Domain.Orders;

namespace Mall.Application.Coupons;

/// <summary>A coupon comes back when its order is cancelled, closes unpaid or is refunded in full (if still valid).</summary>
public sealed class CouponOrderEvents(CouponService coupons) : IEventHandler<OrderCancelled>, IEventHandler<OrderClosed>, IEventHandler<OrderRefunded>
{
    public Task HandleAsync(OrderCancelled cancelled, EventContext context, CancellationToken cancellationToken) => ReturnAsync(cancelled.Order, cancellationToken);

    public Task HandleAsync(OrderClosed closed, EventContext context, CancellationToken cancellationToken) => ReturnAsync(closed.Order, cancellationToken);

    public Task HandleAsync(OrderRefunded refunded, EventContext context, CancellationToken cancellationToken) => ReturnAsync(refunded.Order, cancellationToken);

    private Task ReturnAsync(OrderFacts order, CancellationToken cancellationToken) =>
        order.CouponId is { } couponId ? coupons.ReturnAsync(order.CustomerId, couponId, order.OrderId, cancellationToken) : Task.CompletedTask;
}
