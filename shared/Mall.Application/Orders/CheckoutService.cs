using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mall.Application.Cart;
using Mall.Application.Customers;
using Mall.Application.Platform;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Orders;

/// <summary>The outcome of POST /api/orders: the order, and whether this call created it or replayed an earlier one.</summary>
public sealed record CheckoutResult(OrderView Order, bool Created);

/// <param name="OrderId">Deterministic per campaign step (e.g. derived from the group and the customer).</param>
/// <param name="HoldsStock">False when another order already holds the goods (a presale balance).</param>
/// <param name="ExpiresAt">An earlier payment deadline than the usual unpaid timeout (e.g. a window's end).</param>
/// <param name="PayWithin">A shorter unpaid timeout, counted from the order's creation (a flash order's 5 minutes); part of the request as sent, so a retry matches it.</param>
/// <param name="OneAttempt">
/// The id is good for one attempt: a placement refused before its order was written is still recorded, withdrawn,
/// so the campaign may move on to its next id knowing no racing request can open this one afterwards.
/// </param>
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
    string? ShippingHold = null,
    TimeSpan? PayWithin = null,
    bool OneAttempt = false);

/// <summary>
/// Order creation. Prices come from a <see cref="Quote"/>; what the order takes comes from
/// <see cref="OrderPlacement"/>. Creation is idempotent per (customer, Idempotency-Key): the key determines
/// the order id, so a retry lands on the same order and resumes it. The order's expiry is scheduled before
/// the order exists, so no order can be left without its closing. A refused step withdraws the placement
/// through one guarded write on the version whose steps ran, and only the request that wins it compensates:
/// a request that merely failed (busy) or lost that race never takes back what another request opened.
/// </summary>
public sealed partial class CheckoutService(
    OrderStore orders,
    IDocumentCollection<CustomerOrderEntry> customerOrders,
    CheckoutQuotes quotes,
    OrderPlacement placement,
    CartService cart,
    CustomerService customers,
    IDueWorkScheduler scheduler,
    OrderViews views,
    OrderOptions options,
    Limiter limiter,
    LimitsOptions limits,
    TimeProvider time,
    CustomerPseudonyms pseudonyms,
    ILogger<CheckoutService> logger)
{
    public async Task<OrderPreview> PreviewAsync(string customerId, CheckoutRequest request, CancellationToken cancellationToken)
    {
        var customer = await customers.GetAsync(customerId, cancellationToken);
        var quote = await quotes.ForCheckoutAsync(customer, request, options.ToPolicy(), orderId: null, cancellationToken);
        return new OrderPreview(quote.Lines, quote.Pricing)
        {
            PointsUsed = quote.Points.Points,
            PointsBalance = customer.PointsBalance,
            Gift = quote.Gift,
            PriorityShipping = MemberBenefits.Has(customer.Member.Tier, MemberBenefits.PriorityShipping),
        };
    }

    /// <param name="idempotencyKey">Checked at the edge (Api.IdempotencyKey): the same key lands on the same order.</param>
    public async Task<CheckoutResult> CreateAsync(string customerId, string idempotencyKey, CheckoutRequest request, CancellationToken cancellationToken)
    {
        var orderId = Ids.Derive("O", customerId, idempotencyKey);
        return await PlaceAsync(
            new Placement(orderId, customerId, Fingerprint(request), request.Address, request.Remark, request.FromCart == true, Source: null, HoldsStock: true, ExpiresAt: null, PayWithin: null, ShippingHold: null, request.CouponId, OneAttempt: false),
            customer => quotes.ForCheckoutAsync(customer, request, options.ToPolicy(), orderId, cancellationToken),
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
        var policy = request.ChargeShipping ? options.ToPolicy() : options.ToPolicy() with { ShippingFeeFen = 0 };
        return PlaceAsync(
            new Placement(request.OrderId, customerId, fingerprint, request.Address, Remark: null, FromCart: false, request.Source, request.HoldsStock, request.ExpiresAt, request.PayWithin, request.ShippingHold, CouponId: null, request.OneAttempt),
            _ => quotes.ForCampaignAsync(request, policy, cancellationToken),
            cancellationToken);
    }

    private async Task<CheckoutResult> PlaceAsync(Placement request, Func<Customer, Task<Quote>> quoteFor, CancellationToken cancellationToken)
    {
        if (request.Address is null)
        {
            throw DomainException.Validation("address", "A shipping address is required to place an order.");
        }

        var existing = await orders.FindVersionAsync(request.OrderId, cancellationToken);
        if (existing is not null)
        {
            var order = existing.Value;
            if (order.RequestFingerprint != request.Fingerprint)
            {
                throw new DomainException(ErrorCode.IdempotencyKeyReused, "This Idempotency-Key was already used for a different order request.");
            }

            return order.Status switch
            {
                OrderStatus.Reserving => new CheckoutResult(await CompleteReservationAsync(existing, request.FromCart, cancellationToken), Created: false),
                OrderStatus.Withdrawn => throw order.Withdrawal!.ToException(),
                _ => new CheckoutResult(views.ForOwner(order), Created: false),
            };
        }

        Order created;
        try
        {
            created = await DraftAsync(request, quoteFor, cancellationToken);
        }
        catch (DomainException refusal) when (request.OneAttempt && refusal.Code != ErrorCode.Busy)
        {
            return await WithdrawUnwrittenAsync(request, refusal, quoteFor, cancellationToken);
        }

        // Written first: the expiry (which also gives back whatever a stuck placement took) and the customer's list entry.
        await scheduler.ScheduleAsync(new DueWork(OrderWork.Expiry, created.Id, created.ExpiresAt), cancellationToken);
        await customerOrders.UpsertAsync(CustomerOrderEntry.KeyOf(created), new CustomerOrderEntry(created.Id, created.CreatedAt), cancellationToken);
        Versioned<Order> inserted;
        try
        {
            inserted = await orders.InsertAsync(created, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // The same key raced us; continue with whichever order won.
            return await PlaceAsync(request, quoteFor, cancellationToken);
        }

        return new CheckoutResult(await CompleteReservationAsync(inserted, request.FromCart, cancellationToken), Created: true);
    }

    /// <summary>The order a new placement would write, or its refusal (rate, customer, price, window).</summary>
    private async Task<Order> DraftAsync(Placement request, Func<Customer, Task<Quote>> quoteFor, CancellationToken cancellationToken)
    {
        // Only a new order counts against the rate: a retry of one already placed is answered above.
        await limiter.AdmitAsync("order-create", request.CustomerId, limits.OrderCreation, "Too many orders in a minute", cancellationToken);
        var policy = options.ToPolicy();
        var customer = await customers.GetAsync(request.CustomerId, cancellationToken);
        var quote = await quoteFor(customer);
        var now = time.GetUtcNow();
        var created = Order.Create(
            request.OrderId,
            request.CustomerId,
            customer.OpenId,
            quote.Lines,
            quote.Pricing,
            views.ProtectAddress(request.Address!.ToShippingAddress()),
            request.Remark,
            request.Fingerprint,
            now,
            policy) with
        {
            Source = request.Source,
            HoldsStock = request.HoldsStock,
            ShippingHold = request.ShippingHold,
            CouponId = request.CouponId,
            PointsUsed = quote.Points.Points,
            Gift = quote.Gift,
            PriorityShipping = MemberBenefits.Has(customer.Member.Tier, MemberBenefits.PriorityShipping),
            SegmentOffer = quote.SegmentOffer,
        };
        if (request.PayWithin is { } within && now + within < created.ExpiresAt)
        {
            created = created with { ExpiresAt = now + within };
        }

        if (request.ExpiresAt is { } expiresAt && expiresAt < created.ExpiresAt)
        {
            created = created with { ExpiresAt = expiresAt > now ? expiresAt : throw new DomainException(ErrorCode.OrderExpired, "The window for this order has closed.") };
        }

        return created;
    }

    /// <summary>
    /// A one-attempt placement refused before its order was written: records the id as withdrawn, so a racing request
    /// with the same id cannot open it later. If a racing request wrote its order first, that order's outcome is the answer.
    /// </summary>
    private async Task<CheckoutResult> WithdrawUnwrittenAsync(Placement request, DomainException refusal, Func<Customer, Task<Quote>> quoteFor, CancellationToken cancellationToken)
    {
        try
        {
            var unwritten = Order.Unwritten(
                request.OrderId,
                request.CustomerId,
                views.ProtectAddress(request.Address!.ToShippingAddress()),
                request.Fingerprint,
                new PlacementRefusal(refusal.Code, refusal.Message),
                time.GetUtcNow());
            await orders.InsertAsync(unwritten, cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            return await PlaceAsync(request, quoteFor, cancellationToken);
        }

        throw refusal;
    }

    /// <summary>
    /// Takes the placement's steps for the Reserving version <paramref name="read"/> and opens the order
    /// for payment. A refusal withdraws the placement — guarded on <paramref name="read"/>, so it never
    /// withdraws an order another request has opened — and the request that withdraws it gives everything
    /// back. Any other failure (busy, storage) leaves the order reserving: a retry with the same key resumes
    /// it, and otherwise its expiry gives back what was taken.
    /// </summary>
    private async Task<OrderView> CompleteReservationAsync(Versioned<Order> read, bool fromCart, CancellationToken cancellationToken)
    {
        var order = read.Value;
        try
        {
            await placement.TakeAsync(order, cancellationToken);
        }
        catch (DomainException refusal) when (refusal.Code != ErrorCode.Busy)
        {
            if (await orders.TryChangeFromAsync(read, o => o.Withdraw(refusal.Code, refusal.Message, time.GetUtcNow()), cancellationToken) is not null)
            {
                await placement.GiveBackAsync(order, CancellationToken.None);
                await customerOrders.DeleteAsync(CustomerOrderEntry.KeyOf(order), null, CancellationToken.None);
                throw;
            }

            return await AfterLostRaceAsync(order, cancellationToken);
        }

        var opened = await orders.TryChangeFromAsync(read, o => o.ConfirmReserved(time.GetUtcNow()), cancellationToken);
        if (opened is null)
        {
            return await AfterLostRaceAsync(order, cancellationToken);
        }

        LogCreated(logger, order.Id, pseudonyms.Of(order.CustomerId), order.Pricing.PayableFen);
        if (fromCart)
        {
            await cart.RemoveLinesAsync(order.CustomerId, order.Lines.Select(l => l.SkuId), cancellationToken);
        }

        return views.ForOwner(opened);
    }

    /// <summary>
    /// Another request with the same key moved the order first. Opened: this request answers with it.
    /// Withdrawn (or closed at its expiry): it never opens, so what this request took since is given back
    /// (safe: a withdrawn order id is never placed again, so nothing newer shares its steps) and the refusal stands.
    /// </summary>
    private async Task<OrderView> AfterLostRaceAsync(Order order, CancellationToken cancellationToken)
    {
        var current = await orders.FindAsync(order.Id, cancellationToken);
        switch (current?.Status)
        {
            case OrderStatus.Reserving:
                throw new DomainException(ErrorCode.RequestInProgress, "Another request with this Idempotency-Key is placing the order; retry with the same key.");
            case OrderStatus.Withdrawn or OrderStatus.Closed or null:
                await placement.GiveBackAsync(order, CancellationToken.None);
                throw current?.Withdrawal?.ToException() ?? new DomainException(ErrorCode.OrderExpired, $"Order {order.Id} closed before it could be placed.");
            default:
                return views.ForOwner(current);
        }
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
        TimeSpan? PayWithin,
        string? ShippingHold,
        string? CouponId,
        bool OneAttempt);

    private static string Fingerprint(CheckoutRequest request)
    {
        var canonical = request with { Items = request.Items?.OrderBy(i => i.SkuId, StringComparer.Ordinal).ToList() };
        return Convert.ToHexString(SHA256.HashData(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(canonical, MallJson.Options))));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Order {OrderId} created for customer {Customer}: {PayableFen} fen")]
    private static partial void LogCreated(ILogger logger, string orderId, string customer, long payableFen);
}
