using System.Globalization;
using Mall.Application.Coupons;
using Mall.Application.Customers;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Application.Segmentation;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Membership;
using Mall.Domain.Orders;
using Mall.Domain.Segmentation;

namespace Mall.Application.Membership;

public sealed class MembershipOptions
{
    public const string SectionName = "Membership";

    public long BronzeLifetimeYuan { get; set; } = 500;

    public long SilverTwelveMonthYuan { get; set; } = 8_000;

    public long GoldTwelveMonthYuan { get; set; } = 5_000;

    public int GoldMonths { get; set; } = 12;

    public int PointsPerYuan { get; set; } = 1;

    /// <summary>Points worth one yuan at checkout.</summary>
    public int RedeemPointsPerYuan { get; set; } = 100;

    /// <summary>At most this share of the goods may be paid with points (basis points).</summary>
    public int RedeemMaxShareBps { get; set; } = 5_000;

    /// <summary>Coupon template of the birthday gift pack; empty: none.</summary>
    public string? BirthdayCouponTemplateId { get; set; }

    public PointsRules ToPointsRules() => new() { PointsPerYuan = RedeemPointsPerYuan, MaxShareBps = RedeemMaxShareBps };

    public TierRules ToRules() => new()
    {
        BronzeLifetimeFen = BronzeLifetimeYuan * 100,
        SilverTwelveMonthFen = SilverTwelveMonthYuan * 100,
        GoldTwelveMonthFen = GoldTwelveMonthYuan * 100,
        GoldMonths = GoldMonths,
    };
}

/// <summary>What an operator sees of a customer's lifecycle (no personal data); <c>Points</c> below zero are owed.</summary>
public sealed record CustomerLifecycleView(string CustomerId, DateTimeOffset RegisteredAt, DateTimeOffset LastInteractionAt, string? Segment, DateTimeOffset? SegmentSince, MemberTier Tier, long Points, int PaidOrders, long LifetimePaidFen);

/// <param name="Points">Points that can be spent.</param>
/// <param name="PointsOwed">Points refunds took back after they were spent; the next points earned or given back settle them first.</param>
/// <param name="ExclusiveService">A dedicated service channel: Silver and up, and Active customers (the segment's action).</param>
public sealed record MembershipView(MemberTier Tier, DateTimeOffset? Since, TierProgress Progress, long Points, long PointsOwed, IReadOnlyList<string> Benefits, bool ExclusiveService);

/// <summary>
/// Membership tiers and points: kept on the customer as orders are paid and refunded. The points an
/// order earns are kept on its own <see cref="OrderPoints"/> (earned once, reversed cumulatively by
/// its refunds) and reach the balance through its events.
/// </summary>
public sealed class MembershipService(
    IDocumentCollection<Customer> customers,
    IDocumentCollection<OrderPoints> orderPoints,
    PointsLedger ledger,
    OrderStore orders,
    CustomerService customerService,
    CouponService coupons,
    TierRules tiers,
    SegmentationOptions segmentation,
    MembershipOptions options,
    TimeProvider time)
    : IEventHandler<OrderPaid>, IEventHandler<RefundSucceeded>, IEventHandler<OrderRefunded>, IEventHandler<OrderPointsChanged>
{
    public async Task<MembershipView> GetAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customerService.GetAsync(customerId, cancellationToken);
        var tier = customer.Member.Tier;
        return new MembershipView(
            tier,
            tier == MemberTier.None ? null : customer.Member.Since,
            tiers.ProgressFrom(customer.Activity, tier, time.GetUtcNow()),
            customer.PointsAvailable,
            customer.PointsOwed,
            MemberBenefits.For(tier),
            MemberBenefits.Has(tier, MemberBenefits.ExclusiveService) || customer.Segment?.Segment == CustomerSegment.Active);
    }

    public async Task<CustomerLifecycleView> LifecycleAsync(string customerId, CancellationToken cancellationToken)
    {
        var c = await customerService.GetAsync(customerId, cancellationToken);
        return new CustomerLifecycleView(c.Id, c.RegisteredAt, c.LastInteractionAt, c.Segment?.Segment.ToString(), c.Segment?.Since, c.Member.Tier, c.PointsBalance, c.Activity.PaidOrders, c.Activity.LifetimePaidFen);
    }

    /// <summary>Points pay part of an order; taken once per order, before its stock is reserved.</summary>
    public Task UsePointsAsync(string customerId, string orderId, long points, CancellationToken cancellationToken) =>
        ChangePointsAsync(customerId, Customer.RedemptionKeysOf(orderId), (c, settled) => c.RedeemPoints(orderId, points, time.GetUtcNow(), settled), cancellationToken);

    /// <summary>An order's points come back when it is withdrawn or lapses unpaid; once.</summary>
    public Task ReturnPointsAsync(string customerId, string orderId, long points, CancellationToken cancellationToken) =>
        ChangePointsAsync(customerId, Customer.RedemptionKeysOf(orderId), (c, settled) => c.ReturnPoints(orderId, points, time.GetUtcNow(), settled), cancellationToken);

    /// <summary>A refund gives back the points that paid for its units; once per refund.</summary>
    public Task ReturnRefundedPointsAsync(string customerId, string refundId, string orderId, long points, CancellationToken cancellationToken) =>
        ChangePointsAsync(customerId, [Customer.RefundPointsKey(refundId)], (c, settled) => c.ReturnRefundedPoints(refundId, orderId, points, time.GetUtcNow(), settled), cancellationToken);

    /// <summary>
    /// The daily birthday run: members with the benefit whose birthday is today (CST; 29 February on
    /// the 28th in other years) get the gift pack, at most once a year (the grant key carries the year).
    /// Returns how many members hold this year's gift (a re-run finds the same ones and issues nothing).
    /// </summary>
    public async Task<int> IssueBirthdayGiftsAsync(CancellationToken cancellationToken)
    {
        if (string.IsNullOrEmpty(options.BirthdayCouponTemplateId))
        {
            return 0;
        }

        var today = ChinaTime.DateOf(time.GetUtcNow());
        var days = today is { Month: 2, Day: 28 } && !DateTime.IsLeapYear(today.Year) ? new[] { "02-28", "02-29" } : [today.ToString("MM-dd", CultureInfo.InvariantCulture)];
        var gifted = 0;
        foreach (var day in days)
        {
            await foreach (var entry in customers.ScanAsync(new DocumentQuery { ColumnEquals = new Dictionary<string, string> { ["BirthdayMonthDay"] = day } }, 500, cancellationToken))
            {
                if (MemberBenefits.Has(entry.Value.Member.Tier, MemberBenefits.BirthdayGiftPack))
                {
                    gifted += await coupons.GrantAsync(entry.Value.Id, options.BirthdayCouponTemplateId, $"birthday:{today.Year}", cancellationToken) is null ? 0 : 1;
                }
            }
        }

        return gifted;
    }

    /// <summary>An order priced with a segment offer holds it (one order at a time).</summary>
    public Task ClaimSegmentOfferAsync(string customerId, string orderId, CancellationToken cancellationToken) =>
        customers.UpdateAsync(DocumentKey.Single(customerId), $"Customer {customerId}", c => c.ClaimSegmentOffer(orderId), cancellationToken);

    public Task ReleaseSegmentOfferAsync(string customerId, string orderId, CancellationToken cancellationToken) =>
        customers.UpdateAsync(DocumentKey.Single(customerId), $"Customer {customerId}", c => c.ReleaseSegmentOffer(orderId), cancellationToken);

    /// <summary>A paid order adds spend and maybe a tier, and earns points (credited by its OrderPointsChanged). A repeat changes nothing.</summary>
    public async Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken)
    {
        var (orderId, customerId, now) = (paid.Order.OrderId, paid.Order.CustomerId, time.GetUtcNow());
        await ChangeCustomerAsync(customerId, c => c.RecordPayment(orderId, paid.AmountFen, paid.PaidAt, segmentation.ToRules(), tiers, now), cancellationToken);
        var (points, earned) = OrderPoints.Earn(orderId, customerId, paid.AmountFen, options.PointsPerYuan, now);
        await orderPoints.TransitionAsync(
            DocumentKey.Single(orderId),
            current => current is null ? Decision.Write(points, true, earned is null ? [] : [earned]) : Decision.Keep<OrderPoints, bool>(false),
            cancellationToken);
    }

    /// <summary>
    /// A refund takes spend back and reverses the order's points as far as its refunds now add up to; a
    /// payment that never counted (it came after the order closed) is not taken back either.
    /// </summary>
    public async Task HandleAsync(RefundSucceeded succeeded, EventContext context, CancellationToken cancellationToken)
    {
        if (succeeded.Refund.OrderPaidAt is not { } orderPaidAt)
        {
            return;
        }

        var refund = succeeded.Refund;
        await ChangeCustomerAsync(refund.CustomerId, c => (c.RecordRefund(refund.RefundId, refund.AmountFen, orderPaidAt), []), cancellationToken);
        var refundedFen = (await orders.GetAsync(refund.OrderId, cancellationToken)).RefundedFen;
        var now = time.GetUtcNow();
        await orderPoints.TransitionAsync(
            DocumentKey.Single(refund.OrderId),
            current =>
            {
                // Paid before order points were kept: nothing recorded to reverse.
                if (current is null)
                {
                    return Decision.Keep<OrderPoints, bool>(false);
                }

                var (after, reversed) = current.Value.RefundedTo(refundedFen, now);
                return ReferenceEquals(after, current.Value) ? Decision.Keep<OrderPoints, bool>(false) : Decision.Write(after, true, reversed is null ? [] : [reversed]);
            },
            cancellationToken);
    }

    /// <summary>An order refunded in full is no longer a paid order of its customer.</summary>
    public async Task HandleAsync(OrderRefunded refunded, EventContext context, CancellationToken cancellationToken)
    {
        var paidAt = (await orders.GetAsync(refunded.Order.OrderId, cancellationToken)).Payment!.PaidAt;
        await ChangeCustomerAsync(refunded.Order.CustomerId, c => (c.RecordFullRefund(refunded.Order.OrderId, paidAt), []), cancellationToken);
    }

    /// <summary>The points an order earned or lost reach the customer's balance, once per change.</summary>
    public Task HandleAsync(OrderPointsChanged changed, EventContext context, CancellationToken cancellationToken) =>
        ChangePointsAsync(changed.CustomerId, [changed.Key], (c, settled) => c.ApplyPoints(changed.Key, changed.OrderId, changed.Points, time.GetUtcNow(), settled), cancellationToken);

    /// <summary>
    /// A points change, idempotent for the life of its key: the customer is read, then the ledger for the
    /// keys the change must know about, and the change is one conditional write of the customer (so no
    /// settle can slip in between). Then everything pending on the customer is settled into the ledger.
    /// </summary>
    private async Task ChangePointsAsync(
        string customerId,
        IEnumerable<string> keysToKnow,
        Func<Customer, IReadOnlySet<string>, (Customer Customer, IReadOnlyList<IntegrationEvent> Events)> change,
        CancellationToken cancellationToken)
    {
        var pending = await customers.TransitionWithReadsAsync(
            DocumentKey.Single(customerId),
            async current =>
            {
                var existing = (current ?? throw DomainException.NotFound($"Customer {customerId}")).Value;
                var (changed, events) = change(existing, await ledger.SettledAsync(existing, keysToKnow, cancellationToken));
                return ReferenceEquals(changed, existing)
                    ? Decision.Keep<Customer, IReadOnlyList<PointsEntry>>(existing.PendingPoints)
                    : Decision.Write(changed, changed.PendingPoints, events);
            },
            cancellationToken);
        await SettlePointsAsync(customerId, pending, cancellationToken);
    }

    /// <summary>Each pending change goes into the ledger first, then leaves the customer; safe to repeat or cut short.</summary>
    private async Task SettlePointsAsync(string customerId, IReadOnlyList<PointsEntry> pending, CancellationToken cancellationToken)
    {
        if (pending.Count == 0)
        {
            return;
        }

        foreach (var entry in pending)
        {
            await ledger.RecordAsync(entry, cancellationToken);
        }

        var keys = pending.Select(p => p.Key).ToHashSet(StringComparer.Ordinal);
        await customers.TransitionAsync(
            DocumentKey.Single(customerId),
            current => current?.Value.SettlePoints(keys) is { } settled && !ReferenceEquals(settled, current.Value)
                ? Decision.Write(settled, true)
                : Decision.Keep<Customer, bool>(false),
            cancellationToken);
    }

    /// <summary>A guarded change of the customer; written only if it changed anything.</summary>
    private Task<bool> ChangeCustomerAsync(string customerId, Func<Customer, (Customer Customer, IReadOnlyList<IntegrationEvent> Events)> change, CancellationToken cancellationToken) =>
        customers.TransitionAsync(
            DocumentKey.Single(customerId),
            current =>
            {
                var existing = (current ?? throw DomainException.NotFound($"Customer {customerId}")).Value;
                var (changed, events) = change(existing);
                return ReferenceEquals(changed, existing) ? Decision.Keep<Customer, bool>(false) : Decision.Write(changed, true, events);
            },
            cancellationToken);
}
