using Mall.Application.Catalog;
using Mall.Application.Coupons;
using Mall.Application.FlashSale;
using Mall.Application.Inventory;
using Mall.Application.Membership;
using Mall.Domain.Orders;

namespace Mall.Application.Orders;

/// <summary>
/// What placing an order takes, step by step — its coupon, its points, the one-order segment offer, its
/// stock and purchase-limit quota (or its flash-sale unit), one of the customer's unpaid-order slots — and the compensation that gives
/// all of it back. Every step and every give-back is idempotent per order, so requests sharing one
/// Idempotency-Key can take the same steps, and a give-back can run after any of them, or again as a backstop.
/// </summary>
public sealed class OrderPlacement(
    CouponService coupons,
    MembershipService membership,
    StockService stock,
    UnpaidOrderSlots unpaidSlots,
    OrderBenefits benefits,
    CatalogQueryService catalog,
    FlashSales flashSales,
    FlashStock flashStock,
    OrderStore orders)
{
    /// <summary>Takes every step in order.</summary>
    /// <exception cref="Domain.Common.DomainException">A step refused (out of stock, coupon gone, …) or was busy.</exception>
    public async Task TakeAsync(Order order, CancellationToken cancellationToken)
    {
        var purchaseLimits = new Dictionary<string, int?>();
        foreach (var productId in order.HoldsStock ? order.Lines.Select(l => l.ProductId).Distinct() : [])
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
        if (order.IsFlashSale)
        {
            await flashStock.TakeAsync(await flashSales.GetRecentAsync(order.Source!.CampaignId, cancellationToken), order.CustomerId, order.Id, cancellationToken);
        }

        await unpaidSlots.TakeAsync(order, cancellationToken);
        await GiveBackLateStepsAsync(order.Id, cancellationToken);
    }

    /// <summary>
    /// Gives back every step, whichever of them were taken and by whichever request: for a placement that was
    /// withdrawn, and for an order that ends unpaid (cancelled, closed at expiry).
    /// </summary>
    public async Task GiveBackAsync(Order order, CancellationToken cancellationToken)
    {
        await unpaidSlots.ReleaseAsync(order.CustomerId, order.Id, cancellationToken);
        await stock.ReleaseAsync(order, cancellationToken);
        if (order.IsFlashSale)
        {
            await flashStock.ReleaseAsync(await flashSales.GetRecentAsync(order.Source!.CampaignId, cancellationToken), order.CustomerId, order.Id, cancellationToken);
        }

        await benefits.ReturnAsync(order.Facts, releaseOffer: true, cancellationToken);
    }

    /// <summary>
    /// A slower request sharing the Idempotency-Key may take its steps after the order moved on and gave them
    /// back (paid: its unpaid-order slot; cancelled, closed or withdrawn: everything), and a given-back step
    /// can be taken again. Read after this request's last step, the order says what to give back again.
    /// </summary>
    private async Task GiveBackLateStepsAsync(string orderId, CancellationToken cancellationToken)
    {
        var current = await orders.FindAsync(orderId, cancellationToken);
        if (current is null || current.IsAwaitingPayment)
        {
            return;
        }

        if (current.Status is OrderStatus.Cancelled or OrderStatus.Closed or OrderStatus.Withdrawn)
        {
            await GiveBackAsync(current, CancellationToken.None);
        }
        else
        {
            await unpaidSlots.ReleaseAsync(current.CustomerId, current.Id, CancellationToken.None);
        }
    }
}
