using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mall.Application.Cart;
using Mall.Application.Catalog;
using Mall.Application.Coupons;
using Mall.Application.Customers;
using Mall.Application.Inventory;
using Mall.Application.Membership;
using Mall.Application.Platform;
using Mall.Application.Promotions;
using Mall.Domain.Catalog;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Mall.Domain.Promotions;
using Mall.Domain.Segmentation;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Orders;

/// <summary>The outcome of POST /api/orders: the order, and whether this call created it or replayed an earlier one.</summary>
public sealed record CheckoutResult(OrderView Order, bool Created);

/// <param name="OrderId">Deterministic per campaign step (e.g. derived from the group and the customer).</param>
/// <param name="HoldsStock">False when another order already holds the goods (a presale balance).</param>
/// <param name="ExpiresAt">An earlier payment deadline than the usual unpaid timeout (e.g. a window's end).</param>
public sealed record CampaignOrderRequest(
    string OrderId,
    OrderSource Source,
    string SkuId,
    int Quantity,
    long UnitPriceFen,
    AddressRequest Address,
    bool HoldsStock = true,
    bool ChargeShipping = true,
    DateTimeOffset? ExpiresAt = null,
    string? ShippingHold = null);

/// <summary>
/// Preview and order creation. Prices come only from the catalog. Creation is idempotent per
/// (customer, Idempotency-Key): the key determines the order id, so a retry lands on the same order.
/// Stock is reserved with guarded counters; the order's expiry is scheduled before the order exists,
/// so no order can be left without its closing.
/// </summary>
public sealed partial class CheckoutService(
    OrderStore orders,
    IDocumentCollection<CustomerOrderEntry> customerOrders,
    CatalogQueryService catalog,
    StockService stock,
    CartService cart,
    CustomerService customers,
    CouponService coupons,
    MembershipService membership,
    PromotionService promotions,
    MembershipOptions membershipOptions,
    IDueWorkScheduler scheduler,
    OrderViews views,
    OrderOptions options,
    TimeProvider time,
    ILogger<CheckoutService> logger)
{
    public async Task<OrderPreview> PreviewAsync(string customerId, CheckoutRequest request, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        var quote = await QuoteAsync(customer, request, options.ToPolicy(), orderId: null, cancellationToken);
        return new OrderPreview(quote.Lines, quote.Pricing)
        {
            PointsUsed = quote.Points.Points,
            PointsBalance = customer.PointsBalance,
            Gift = quote.Gift,
            PriorityShipping = MemberBenefits.Has(customer.Member.Tier, MemberBenefits.PriorityShipping),
        };
    }

    public async Task<CheckoutResult> CreateAsync(string customerId, string? idempotencyKey, CheckoutRequest request, CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(idempotencyKey))
        {
            throw new DomainException(ErrorCode.IdempotencyKeyRequired, "Send an Idempotency-Key header (e.g. a UUID) so a retried request cannot create a second order.");
        }

        if (!IdempotencyKeyPattern().IsMatch(idempotencyKey))
        {
            throw DomainException.Validation("Idempotency-Key", "Use 8–64 characters: letters, digits, '-', '_', ':' or '.'.");
        }

        var orderId = Ids.Derive("O", customerId, idempotencyKey);
        return await PlaceAsync(
            new Placement(orderId, customerId, Fingerprint(request), request.Address, request.Remark, request.FromCart == true, Source: null, HoldsStock: true, ExpiresAt: null, ShippingHold: null, request.CouponId),
            customer => QuoteAsync(customer, request, options.ToPolicy(), orderId, cancellationToken),
            cancellationToken);
    }

    /// <summary>
    /// An order a campaign prices: one SKU at the campaign's unit price, under the campaign's
    /// deterministic order id (so the same step can never create two orders), linked to its source.
    /// Stock, purchase limits, expiry and payment work as for any order.
    /// </summary>
    public Task<CheckoutResult> CreateCampaignOrderAsync(string customerId, CampaignOrderRequest request, CancellationToken cancellationToken)
    {
        var fingerprint = Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(request, MallJson.Options))));
        return PlaceAsync(
            new Placement(request.OrderId, customerId, fingerprint, request.Address, Remark: null, FromCart: false, request.Source, request.HoldsStock, request.ExpiresAt, request.ShippingHold, CouponId: null),
            async _ =>
            {
                // The campaign's price is the promotion: no price rules, coupon, points or gift option on top.
                var (product, sku) = await catalog.GetSellableSkuAsync(request.SkuId, cancellationToken);
                var policy = request.ChargeShipping ? options.ToPolicy() : options.ToPolicy() with { ShippingFeeFen = 0 };
                var (lines, pricing) = OrderPricing.Price([new PricedItem(sku.Id, product.Id, product.Title, sku.Name, request.UnitPriceFen, request.Quantity)], policy);
                return new Quote(lines, pricing, PointsRedemption.None, Gift: null, SegmentOffer: false);
            },
            cancellationToken);
    }

    private async Task<CheckoutResult> PlaceAsync(Placement placement, Func<Customer, Task<Quote>> quoteFor, CancellationToken cancellationToken)
    {
        if (placement.Address is null)
        {
            throw DomainException.Validation("address", "A shipping address is required to place an order.");
        }

        var existing = await orders.FindAsync(placement.OrderId, cancellationToken);
        if (existing is not null)
        {
            if (existing.RequestFingerprint != placement.Fingerprint)
            {
                throw new DomainException(ErrorCode.IdempotencyKeyReused, "This Idempotency-Key was already used for a different order request.");
            }

            return existing.Status == OrderStatus.Reserving
                ? new CheckoutResult(await CompleteReservationAsync(existing, placement.FromCart, cancellationToken), Created: false)
                : new CheckoutResult(views.ForOwner(existing), Created: false);
        }

        var policy = options.ToPolicy();
        var customer = await customers.GetAsync(placement.CustomerId, cancellationToken);
        var quote = await quoteFor(customer);
        var address = placement.Address;
        var now = time.GetUtcNow();
        var order = Order.Create(
            placement.OrderId,
            placement.CustomerId,
            customer.OpenId,
            quote.Lines,
            quote.Pricing,
            views.ProtectAddress(new ShippingAddress(address.Recipient!, address.Phone!, address.Province!, address.City!, address.District!, address.Detail!, address.PostalCode)),
            placement.Remark,
            placement.Fingerprint,
            now,
            policy) with
        {
            Source = placement.Source,
            HoldsStock = placement.HoldsStock,
            ShippingHold = placement.ShippingHold,
            CouponId = placement.CouponId,
            PointsUsed = quote.Points.Points,
            Gift = quote.Gift,
            PriorityShipping = MemberBenefits.Has(customer.Member.Tier, MemberBenefits.PriorityShipping),
            SegmentOffer = quote.SegmentOffer,
        };
        if (placement.ExpiresAt is { } expiresAt && expiresAt < order.ExpiresAt)
        {
            order = order with { ExpiresAt = expiresAt > now ? expiresAt : throw new DomainException(ErrorCode.OrderExpired, "The window for this order has closed.") };
        }

        // Written first: the expiry (which also finalises stock) and the customer's list entry.
        await scheduler.ScheduleAsync(new DueWork(OrderWork.Expiry, order.Id, order.ExpiresAt), cancellationToken);
        await customerOrders.UpsertAsync(new DocumentKey(order.CustomerId, InvertedTime(order.CreatedAt) + order.Id), new CustomerOrderEntry(order.Id, order.CreatedAt), cancellationToken);
        try
        {
            await orders.InsertAsync(order, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // The same key raced us; continue with whichever order won.
            return await PlaceAsync(placement, quoteFor, cancellationToken);
        }

        return new CheckoutResult(await CompleteReservationAsync(order, placement.FromCart, cancellationToken), Created: true);
    }

    /// <summary>Reserves stock and opens the order for payment; on shortage the order is withdrawn entirely.</summary>
    private async Task<OrderView> CompleteReservationAsync(Order order, bool fromCart, CancellationToken cancellationToken)
    {
        var limits = new Dictionary<string, int?>();
        foreach (var productId in order.Lines.Select(l => l.ProductId).Distinct())
        {
            var (product, _) = await catalog.GetSellableSkuAsync(order.Lines.First(l => l.ProductId == productId).SkuId, cancellationToken);
            limits[productId] = product.PurchaseLimit;
        }

        try
        {
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

            await stock.ReserveAsync(order, limits, cancellationToken);
        }
        catch (DomainException)
        {
            if (order.CouponId is not null)
            {
                await coupons.ReturnAsync(order.CustomerId, order.CouponId, order.Id, CancellationToken.None);
            }

            if (order.PointsUsed > 0)
            {
                await membership.ReturnPointsAsync(order.CustomerId, order.Id, order.PointsUsed, CancellationToken.None);
            }

            if (order.SegmentOffer)
            {
                await membership.ReleaseSegmentOfferAsync(order.CustomerId, order.Id, CancellationToken.None);
            }

            await orders.DeleteAsync(order.Id, CancellationToken.None);
            await customerOrders.DeleteAsync(new DocumentKey(order.CustomerId, InvertedTime(order.CreatedAt) + order.Id), null, CancellationToken.None);
            await scheduler.CancelAsync(new DueWork(OrderWork.Expiry, order.Id, order.ExpiresAt), CancellationToken.None);
            throw;
        }

        var opened = await orders.ChangeAsync(order.Id, o => o.ConfirmReserved(time.GetUtcNow()), cancellationToken);
        LogCreated(logger, order.Id, order.CustomerId, order.Pricing.PayableFen);
        if (fromCart)
        {
            await cart.RemoveLinesAsync(order.CustomerId, order.Lines.Select(l => l.SkuId), cancellationToken);
        }

        return views.ForOwner(opened);
    }

    /// <summary>
    /// The stacking rules in order (see <see cref="PromotionRules"/>): best price rule per line, one
    /// coupon, points within their cap, then the gift option. No side effects: the preview uses it too.
    /// The new-user price (rules for Potential customers) is priced only while no other order holds it.
    /// </summary>
    private async Task<Quote> QuoteAsync(Customer customer, CheckoutRequest request, OrderPolicy policy, string? orderId, CancellationToken cancellationToken)
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
        return membershipOptions.ToPointsRules().Redeem(requested, customer.PointsBalance, pricing.GoodsFen - pricing.DiscountFen, OrderPricing.DiscountableFen(pricing));
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

    private sealed record Placement(
        string OrderId,
        string CustomerId,
        string Fingerprint,
        AddressRequest? Address,
        string? Remark,
        bool FromCart,
        OrderSource? Source,
        bool HoldsStock,
        DateTimeOffset? ExpiresAt,
        string? ShippingHold,
        string? CouponId);

    private sealed record Quote(IReadOnlyList<OrderLine> Lines, PriceBreakdown Pricing, PointsRedemption Points, GiftChoice? Gift, bool SegmentOffer);

    private async Task<PriceBreakdown> ApplyCouponAsync(string customerId, string? couponId, PriceBreakdown pricing, CancellationToken cancellationToken)
    {
        if (couponId is null)
        {
            return pricing;
        }

        var discount = await coupons.QuoteAsync(customerId, couponId, pricing.GoodsFen - pricing.DiscountFen, pricing.ShippingFen, cancellationToken);
        return OrderPricing.WithDiscount(pricing, discount.GoodsFen, discount.ShippingFen);
    }

    private static string Fingerprint(CheckoutRequest request)
    {
        var canonical = request with { Items = request.Items?.OrderBy(i => i.SkuId, StringComparer.Ordinal).ToList() };
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(canonical, MallJson.Options))));
    }

    private static string InvertedTime(DateTimeOffset at) => $"{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}-";

    [GeneratedRegex("^[A-Za-z0-9_:.-]{8,64}$")]
    private static partial Regex IdempotencyKeyPattern();

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} created for {CustomerId}: {PayableFen} fen")]
    private static partial void LogCreated(ILogger logger, string orderId, string customerId, long payableFen);
}
