using Mall.Application.Catalog;
using Mall.Application.Coupons;
using Mall.Application.Inventory;
using Mall.Application.Membership;
using Mall.Domain.Orders;

namespace Mall.Application.Orders;

/// <summary>
/// What placing an order takes, step by step — its coupon, its points, the one-order segment offer, its
/// stock and purchase-limit quota, one of the customer's unpaid-order slots — and the compensation that gives
/// all of it back. Every step and every give-back is idempotent per order, so requests sharing one
/// Idempotency-Key can take the same steps, and a give-back can run after any of them, or again as a backstop.
/// </summary>
public sealed class OrderPlacement(
    CouponService coupons,
    MembershipService membership,
    StockService stock,
    UnpaidOrderSlots unpaidSlots,
    OrderBenefits benefits,
    CatalogQueryService catalog)
{
    /// <summary>Takes every step in order.</summary>
    /// <exception cref="Domain.Common.DomainException">A step refused (out of stock, coupon gone, …) or was busy.</exception>
    public async Task TakeAsync(Order order, CancellationToken cancellationToken)
    {
        var purchaseLimits = new Dictionary<string, int?>();
        foreach (var productId in order.Lines.Select(l => l.ProductId).Distinct())
        {
            var (product, _) = await catalog.GetSellableSkuAsync(order.Lines.First(l => l.ProductId == productId).SkuId, cancellationToken);
            purchaseLimits[productId] = product.PurchaseLimit;
        }

        if (order.CouponId is not null)
        {
            await coupons.UseAsync(order.CustomerId, order.CouponId, order.Id, cancellationToken);
        }

        if (order.PointsUsed > 0)
        {
            await membership.UsePointsAsync(order.CustomerId, order.Id, order.PointsUsed, cancellationToken);
        }

        if (order.SegmentOffer)
        {
            await membership.ClaimSegmentOfferAsync(order.CustomerId, order.Id, cancellationToken);
        }

        await stock.ReserveAsync(order, purchaseLimits, cancellationToken);
        await unpaidSlots.TakeAsync(order, cancellationToken);
    }

    /// <summary>
    /// Gives back every step, whichever of them were taken and by whichever request: for a placement that was
    /// withdrawn, and for an order that ends unpaid (cancelled, closed at expiry).
    /// </summary>
    public async Task GiveBackAsync(Order order, CancellationToken cancellationToken)
    {
        await unpaidSlots.ReleaseAsync(order.CustomerId, order.Id, cancellationToken);
        await stock.ReleaseAsync(order, cancellationToken);
        await benefits.ReturnAsync(order.Facts, releaseOffer: true, cancellationToken);
    }
}
