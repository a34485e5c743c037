using System.Globalization;
using Mall.Application.Customers;
using Mall.Application.Platform;
using Mall.Application.Segmentation;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Membership;

namespace Mall.Application.Membership;

public sealed class MembershipOptions
{
    public const string SectionName = "Membership";

    public long BronzeLifetimeYuan { get; set; } = 500;

    public long SilverTwelveMonthYuan { get; set; } = 8_000;

    public long GoldTwelveMonthYuan { get; set; } = 5_000;

    public int GoldMonths { get; set; } = 12;

    public int PointsPerYuan { get; set; } = 1;

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

public sealed record MembershipView(MemberTier Tier, DateTimeOffset? Since, TierProgress Progress, long Points, IReadOnlyList<string> Benefits);

/// <summary>A points ledger line (earned on payment, reversed on refund); its key makes it idempotent per order or refund.</summary>
public sealed record PointsEntry(string CustomerId, string Key, string OrderId, long Points, DateTimeOffset At);

/// <summary>Membership tiers and points: kept on the customer as orders are paid and refunded.</summary>
public sealed class MembershipService(
    IDocumentCollection<Customer> customers,
    CustomerService customerService,
    TierRules tiers,
    SegmentationOptions segmentation,
    MembershipOptions options,
    TimeProvider time) : IIntegrationEventHandler
{
    private static readonly Dictionary<MemberTier, string[]> Benefits = new Dictionary<MemberTier, string[]>
    {
        [MemberTier.None] = [],
        [MemberTier.Bronze] = ["points-to-cash", "birthday-gift-pack"],
        [MemberTier.Silver] = ["points-to-cash", "birthday-gift-pack", "exclusive-service", "priority-shipping"],
        [MemberTier.Gold] = ["points-to-cash", "birthday-gift-pack", "exclusive-service", "priority-shipping", "new-product-trials", "offline-salons"],
    };

    public async Task<MembershipView> GetAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await customerService.GetAsync(customerId, cancellationToken);
        var tier = customer.Member.Tier;
        return new MembershipView(
            tier,
            tier == MemberTier.None ? null : customer.Member.Since,
            tiers.ProgressFrom(customer.Activity, tier, time.GetUtcNow()),
            customer.PointsBalance,
            Benefits[tier]);
    }

    public async Task<CustomerLifecycleView> LifecycleAsync(string customerId, CancellationToken cancellationToken)
    {
        var c = await customerService.GetAsync(customerId, cancellationToken);
        return new CustomerLifecycleView(c.Id, c.RegisteredAt, c.LastInteractionAt, c.Segment?.Segment.ToString(), c.Segment?.Since, c.Member.Tier, c.PointsBalance, c.Activity.PaidOrders, c.Activity.LifetimePaidFen);
    }

    public bool CanHandle(string eventType) => eventType is "OrderPaid" or "RefundSucceeded";

    /// <summary>Paid orders add spend, points and maybe a tier; refunds take spend and points back. Repeats change nothing.</summary>
    public Task HandleAsync(IntegrationEvent integrationEvent, CancellationToken cancellationToken)
    {
        var data = integrationEvent.Data;
        if (integrationEvent.Type == "RefundSucceeded" && !data.ContainsKey("orderPaidAt"))
        {
            // A payment that never counted (it arrived after the order closed) is not taken back either.
            return Task.CompletedTask;
        }

        var now = time.GetUtcNow();
        return customers.TransitionAsync(
            DocumentKey.Single(data["customerId"]),
            current =>
            {
                var customer = (current ?? throw DomainException.NotFound($"Customer {data["customerId"]}")).Value;
                var (changed, events) = integrationEvent.Type == "OrderPaid"
                    ? customer.RecordPayment(data["orderId"], Fen(data["amountFen"]), Time(data["paidAt"]), segmentation.ToRules(), tiers, options.PointsPerYuan, now)
                    : customer.RecordRefund(data["refundId"], data["orderId"], Fen(data["amountFen"]), Time(data["orderPaidAt"]), options.PointsPerYuan, now);
                return events.Count == 0 ? Decision.Keep<Customer, bool>(false) : Decision.Write(changed, true, events);
            },
            cancellationToken);
    }

    private static long Fen(string value) => long.Parse(value, CultureInfo.InvariantCulture);

    private static DateTimeOffset Time(string value) => DateTimeOffset.Parse(value, CultureInfo.InvariantCulture);
}
