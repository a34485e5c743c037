using System.Globalization;
using Mall.Application.Coupons;
using Mall.Application.Customers;
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

/// <summary>What an operator sees of a customer's lifecycle (no personal data).</summary>
public sealed record CustomerLifecycleView(string CustomerId, DateTimeOffset RegisteredAt, DateTimeOffset LastInteractionAt, string? Segment, DateTimeOffset? SegmentSince, MemberTier Tier, long Points, int PaidOrders, long LifetimePaidFen);

/// <param name="ExclusiveService">A dedicated service channel: Silver and up, and Active customers (the segment's action).</param>
public sealed record MembershipView(MemberTier Tier, DateTimeOffset? Since, TierProgress Progress, long Points, IReadOnlyList<string> Benefits, bool ExclusiveService);

/// <summary>A points ledger line (earned on payment, reversed on refund); its key makes it idempotent per order or refund.</summary>
public sealed record PointsEntry(string CustomerId, string Key, string OrderId, long Points, DateTimeOffset At);

/// <summary>Membership tiers and points: kept on the customer as orders are paid and refunded.</summary>
public sealed class MembershipService(
    IDocumentCollection<Customer> customers,
    CustomerService customerService,
    CouponService coupons,
    TierRules tiers,
    SegmentationOptions segmentation,
    MembershipOptions options,
    TimeProvider time)
    : IEventHandler<OrderPaid>, IEventHandler<RefundSucceeded>
{
    public async Task<MembershipView> GetAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customerService.GetAsync(customerId, cancellationToken);
        var tier = customer.Member.Tier;
        return new MembershipView(
            tier,
            tier == MemberTier.None ? null : customer.Member.Since,
            tiers.ProgressFrom(customer.Activity, tier, time.GetUtcNow()),
            customer.PointsBalance,
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
        ChangeCustomerAsync(customerId, c => c.RedeemPoints(orderId, points, time.GetUtcNow()), cancellationToken);

    /// <summary>An order's points come back when it is withdrawn or lapses unpaid; once.</summary>
    public Task ReturnPointsAsync(string customerId, string orderId, long points, CancellationToken cancellationToken) =>
        ChangeCustomerAsync(customerId, c => c.ReturnPoints(orderId, points, time.GetUtcNow()), cancellationToken);

    /// <summary>A refund gives back the points that paid for its units; once per refund.</summary>
    public Task ReturnRefundedPointsAsync(string customerId, string refundId, string orderId, long points, CancellationToken cancellationToken) =>
        ChangeCustomerAsync(customerId, c => c.ReturnRefundedPoints(refundId, orderId, points, time.GetUtcNow()), cancellationToken);

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

    /// <summary>A paid order adds spend, points and maybe a tier. A repeat changes nothing.</summary>
    public Task HandleAsync(OrderPaid paid, EventContext context, CancellationToken cancellationToken) =>
        ChangeCustomerAsync(
            paid.Order.CustomerId,
            c => c.RecordPayment(paid.Order.OrderId, paid.AmountFen, paid.PaidAt, segmentation.ToRules(), tiers, options.PointsPerYuan, time.GetUtcNow()),
            cancellationToken);

    /// <summary>A refund takes spend and points back; a payment that never counted (it came after the order closed) is not taken back either.</summary>
    public Task HandleAsync(RefundSucceeded succeeded, EventContext context, CancellationToken cancellationToken) =>
        succeeded.Refund.OrderPaidAt is { } orderPaidAt
            ? ChangeCustomerAsync(
                succeeded.Refund.CustomerId,
                c => c.RecordRefund(succeeded.Refund.RefundId, succeeded.Refund.OrderId, succeeded.Refund.AmountFen, orderPaidAt, options.PointsPerYuan, time.GetUtcNow()),
                cancellationToken)
            : Task.CompletedTask;

    private Task<bool> ChangeCustomerAsync(string customerId, Func<Customer, (Customer Customer, IReadOnlyList<IntegrationEvent> Events)> change, CancellationToken cancellationToken) =>
        customers.TransitionAsync(
            DocumentKey.Single(customerId),
            current =>
            {
                var (changed, events) = change((current ?? throw DomainException.NotFound($"Customer {customerId}")).Value);
                return events.Count == 0 ? Decision.Keep<Customer, bool>(false) : Decision.Write(changed, true, events);
            },
            cancellationToken);
}
