using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Application.Coupons;

/// <summary>A coupon comes back when its order is cancelled, closes unpaid or is refunded in full (if still valid).</summary>
public sealed class CouponOrderEvents(CouponService coupons) : IIntegrationEventHandler
{
    public bool CanHandle(string eventType) => eventType is "OrderCancelled" or "OrderClosed" or "OrderRefunded";

    public Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken) =>
        integrationEvent.Data.TryGetValue("couponId", out var couponId)
            ? coupons.ReturnAsync(integrationEvent.Data["customerId"], couponId, integrationEvent.Data["orderId"], cancellationToken)
            : Task.CompletedTask;
}
