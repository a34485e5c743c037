using Mall.Application.Coupons;
using Mall.Application.Membership;
using Mall.Application.Platform;
using Mall.Domain.Orders;

namespace Mall.Application.Orders;

/// <summary>
/// What an order took from its customer besides money — a coupon, points, the one-order segment
/// offer — comes back when the order is cancelled, closes unpaid or is refunded in full (the offer
/// only when the order never counted). Each return is idempotent: the cancel does it at once (so the
/// customer can check out again with them right away) and the order's events do it again as a
/// backstop, e.g. after a crash between the two.
/// </summary>
public sealed class OrderBenefits(CouponService coupons, MembershipService membership)
    : IEventHandler<OrderCancelled>, IEventHandler<OrderClosed>, IEventHandler<OrderRefunded>
{
    public async Task ReturnAsync(OrderFacts order, bool releaseOffer, CancellationToken cancellationToken)
    {
        if (order.CouponId is { } couponId)
        {
            await coupons.ReturnAsync(order.CustomerId, couponId, order.OrderId, cancellationToken);
        }

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

    public Task HandleAsync(OrderRefunded refunded, EventContext context, CancellationToken cancellationToken) => ReturnAsync(refunded.Order, releaseOffer: false, cancellationToken);
}
