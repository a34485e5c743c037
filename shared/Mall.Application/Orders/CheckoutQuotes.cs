using Mall.Application.Cart;
using Mall.Application.Catalog;
using Mall.Application.Coupons;
using Mall.Application.Inventory;
using Mall.Application.Membership;
using Mall.Application.Promotions;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Mall.Domain.Promotions;
using Mall.Domain.Segmentation;

namespace Mall.Application.Orders;

/// <summary>An order priced, before anything is taken for it.</summary>
/// <param name="SegmentOffer">Priced with the new-user price, which the order will hold.</param>
public sealed record Quote(IReadOnlyList<OrderLine> Lines, PriceBreakdown Pricing, PointsRedemption Points, GiftChoice? Gift, bool SegmentOffer);

/// <summary>
/// The pure half of checkout: prices from the catalog and the promotion rules, stock looked at but not
/// reserved, coupons and points checked but not spent. The preview is a quote; placing an order starts with one.
/// </summary>
public sealed class CheckoutQuotes(
    CatalogQueryService catalog,
    StockService stock,
    CartService cart,
    CouponService coupons,
    PromotionService promotions,
    MembershipOptions membershipOptions,
    TimeProvider time)
{
    /// <summary>
    /// The stacking rules in order (see <see cref="PromotionRules"/>): best price rule per line, one
    /// coupon, points within their cap, then the gift option. No side effects: the preview uses it too.
    /// The new-user price (rules for Potential customers) is priced only while no other order holds it.
    /// </summary>
    public async Task<Quote> ForCheckoutAsync(Customer customer, CheckoutRequest request, OrderPolicy policy, string? orderId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var rules = await promotions.ActiveAsync(cancellationToken);
        if (customer.SegmentOfferOrderId is not null && customer.SegmentOfferOrderId != orderId)
        {
            rules = rules.Where(r => r.Segment != CustomerSegment.Potential).ToList();
        }

        var segment = customer.CurrentSegment;
        var listed = await PriceItemsAsync(customer, request, cancellationToken);
        var items = PromotionRules.ApplyPriceRules(listed, rules, customer.Member.Tier, segment, now);
        if (items.Count > policy.MaxLinesPerOrder)
        {
            throw DomainException.Validation("items", $"At most {policy.MaxLinesPerOrder} items per order.");
        }

        var (lines, pricing) = OrderPricing.Price(items, policy);
        pricing = await ApplyCouponAsync(customer.Id, request.CouponId, pricing, cancellationToken);
        var points = RedeemPoints(customer, request.Points ?? 0, pricing);
        pricing = OrderPricing.WithPoints(pricing, points.ValueFen);
        var covering = rules.Where(r => listed.Any(i => r.Covers(i.ProductId, customer.Member.Tier, segment, now))).ToList();
        var gift = PromotionRules.Choose(PromotionRules.GiftFor(covering, promotions.DefaultGift), request.Gift);
        if (gift is { Selected: true })
        {
            pricing = OrderPricing.WithAddOn(pricing, gift.PriceFen);
        }

        var segmentOffer = items.Any(i => rules.Any(r => r.Id == i.PriceRuleId && r.Segment == CustomerSegment.Potential));
        return new Quote(lines, pricing, points, gift, segmentOffer);
    }

    private PointsRedemption RedeemPoints(Customer customer, long requested, PriceBreakdown pricing)
    {
        if (requested == 0)
        {
            return PointsRedemption.None;
        }

        if (!MemberBenefits.Has(customer.Member.Tier, MemberBenefits.PointsToCash))
        {
            throw new DomainException(ErrorCode.MembersOnly, "Paying with points is a member benefit (Bronze and up).");
        }

        customer.EnsurePointsAvailable(requested);
        return membershipOptions.ToPointsRules().Redeem(requested, customer.PointsAvailable, pricing.GoodsFen - pricing.DiscountFen, OrderPricing.DiscountableFen(pricing));
    }

    /// <summary>The requested items priced from the catalog, with stock and member-only products checked (no reservation).</summary>
    private async Task<IReadOnlyList<PricedItem>> PriceItemsAsync(Customer customer, CheckoutRequest request, CancellationToken cancellationToken)
    {
        var wanted = request.FromCart == true
            ? (await cart.LinesAsync(customer.Id, cancellationToken)).Select(l => (l.SkuId, l.Quantity)).ToList()
            : request.Items!.Select(i => (i.SkuId!, i.Quantity!.Value)).ToList();
        if (wanted.Count == 0)
        {
            throw DomainException.Validation("fromCart", "The cart is empty.");
        }

        var items = new List<PricedItem>(wanted.Count);
        foreach (var (skuId, quantity) in wanted)
        {
            var (product, sku) = await catalog.GetSellableSkuAsync(skuId, cancellationToken);
            if (product.Tags.Contains(Product.MemberTrialTag) && !MemberBenefits.Has(customer.Member.Tier, MemberBenefits.NewProductTrials))
            {
                throw new DomainException(ErrorCode.MembersOnly, $"{product.Title} is a new-product trial for Gold members.");
            }

            var available = (await stock.AvailableAsync(product.Id, cancellationToken)).GetValueOrDefault(sku.Id);
            if (available < quantity)
            {
                throw new DomainException(ErrorCode.OutOfStock, available == 0 ? $"{product.Title} ({sku.Name}) is out of stock." : $"Only {available} of {product.Title} ({sku.Name}) left.", new Dictionary<string, string[]>
                {
                    [skuId] = [$"Available: {available}."],
                });
            }

            items.Add(new PricedItem(sku.Id, product.Id, product.Title, sku.Name, sku.PriceFen, quantity));
        }

        return items;
    }

    /// <summary>One SKU at a campaign's unit price: the campaign's price is the promotion, so no price rules, coupon, points or gift option on top.</summary>
    public async Task<Quote> ForCampaignAsync(CampaignOrderRequest request, OrderPolicy policy, CancellationToken cancellationToken)
    {
        var (product, sku) = await catalog.GetSellableSkuAsync(request.SkuId, cancellationToken);
        var (lines, pricing) = OrderPricing.Price([new PricedItem(sku.Id, product.Id, product.Title, sku.Name, request.UnitPriceFen, request.Quantity)], policy);
        return new Quote(lines, pricing, PointsRedemption.None, Gift: null, SegmentOffer: false);
    }

    private async Task<PriceBreakdown> ApplyCouponAsync(string customerId, string? couponId, PriceBreakdown pricing, CancellationToken cancellationToken)
    {
        if (couponId is null)
        {
            return pricing;
        }

        var discount = await coupons.QuoteAsync(customerId, couponId, pricing.GoodsFen - pricing.DiscountFen, pricing.ShippingFen, cancellationToken);
        return OrderPricing.WithDiscount(pricing, discount.GoodsFen, discount.ShippingFen);
    }
}
