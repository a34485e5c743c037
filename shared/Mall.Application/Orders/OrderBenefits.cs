using Mall.Application.Coupons;
using Mall.Application.Membership;
using Mall.Application.Platform;
using Mall.Domain.Orders;

namespace Mall.Application.Orders;

/// <summary>
/// What an order took from its customer besides money — a coupon, points, the one-order segment
/// offer — comes back when the order is cancelled or closes unpaid; once it was paid, each refund
/// gives back the points that paid for its units, and the coupon comes back when the order is
/// refunded in full (the offer only when the order never counted). Each return is idempotent: the
/// cancel does it at once (so the customer can check out again with them right away) and the
/// order's events do it again as a backstop, e.g. after a crash between the two.
/// </summary>
public sealed class OrderBenefits(CouponService coupons, MembershipService membership)
    : IEventHandler<OrderCancelled>, IEventHandler<OrderClosed>, IEventHandler<OrderRefunded>, IEventHandler<RefundSucceeded>
{
    public async Task ReturnAsync(OrderFacts order, bool releaseOffer, CancellationToken cancellationToken)
    {
        await ReturnCouponAsync(order, cancellationToken);
        if (order.PointsUsed > 0)
        {
            await membership.ReturnPointsAsync(order.CustomerId, order.OrderId, order.PointsUsed, cancellationToken);
        }

        if (releaseOffer && order.SegmentOffer)
        {
            await membership.ReleaseSegmentOfferAsync(order.CustomerId, order.OrderId, cancellationToken);
        }
    }

    public Task HandleAsync(OrderCancelled cancelled, EventContext context, CancellationToken cancellationToken) => ReturnAsync(cancelled.Order, releaseOffer: true, cancellationToken);

    public Task HandleAsync(OrderClosed closed, EventContext context, CancellationToken cancellationToken) => ReturnAsync(closed.Order, releaseOffer: true, cancellationToken);

    /// <summary>The points came back with each refund; the coupon comes back with the last.</summary>
    public Task HandleAsync(OrderRefunded refunded, EventContext context, CancellationToken cancellationToken) => ReturnCouponAsync(refunded.Order, cancellationToken);

    public Task HandleAsync(RefundSucceeded succeeded, EventContext context, CancellationToken cancellationToken) =>
        succeeded.Refund.PointsReturned > 0
            ? membership.ReturnRefundedPointsAsync(succeeded.Refund.CustomerId, succeeded.Refund.RefundId, succeeded.Refund.OrderId, succeeded.Refund.PointsReturned, cancellationToken)
            : Task.CompletedTask;

    private Task ReturnCouponAsync(OrderFacts order, CancellationToken cancellationToken) =>
        order.CouponId is { } couponId ? coupons.ReturnAsync(order.CustomerId, couponId, order.OrderId, cancellationToken) : Task.CompletedTask;
}
