using Mall.Application.Membership;
using Mall.Application.Segmentation;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Mall.Domain.Membership;
using Mall.Domain.Segmentation;

namespace Mall.UnitTests.Membership;

public sealed class TierAndPointsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
    private static readonly TierRules Rules = new MembershipOptions().ToRules();
    private static readonly SegmentRules Segments = new SegmentationOptions().ToRules();

    private static Customer NewCustomer() => new()
    {
        Id = "C1",
        OpenId = "o1",
        InviteCode = "ABCDEFGHJK",
        RegisteredAt = Now.AddYears(-2),
        LastLoginAt = Now,
    };

    private static Customer Pay(Customer customer, string orderId, long fen, DateTimeOffset at) =>
        customer.RecordPayment(orderId, fen, at, Segments, Rules, at).Customer;

    [Fact]
    public void Bronze_from_exactly_500_yuan_paid_in_total()
    {
        var almost = Pay(NewCustomer(), "O1", 49_999, Now);

        Assert.Equal(MemberTier.None, almost.Member.Tier);
        Assert.Equal(new TierProgress(MemberTier.Bronze, 1, 0), Rules.ProgressFrom(almost.Activity, MemberTier.None, Now));
        Assert.Equal(MemberTier.Bronze, Pay(almost, "O2", 1, Now).Member.Tier);
    }

    [Fact]
    public void Silver_from_8000_yuan_in_the_last_twelve_months_upgraded_right_after_the_payment()
    {
        var customer = Pay(NewCustomer(), "O1", 400_000, Now.AddMonths(-11));

        var (silver, events) = customer.RecordPayment("O2", 400_000, Now, Segments, Rules, Now);

        Assert.Equal(MemberTier.Silver, silver.Member.Tier);
        Assert.Contains(events, e => e is MemberTierChanged { To: MemberTier.Silver });
        Assert.Equal(MemberTier.Bronze, Pay(NewCustomer(), "O1", 400_000, Now.AddMonths(-12)).RecordPayment("O2", 400_000, Now, Segments, Rules, Now).Customer.Member.Tier);
    }

    [Fact]
    public void Gold_needs_a_paid_order_in_each_of_the_last_twelve_china_months_and_more_than_5000_yuan()
    {
        var customer = NewCustomer();
        for (var i = 11; i >= 0; i--)
        {
            customer = Pay(customer, $"O{i}", 41_667, Now.AddMonths(-i));
        }

        Assert.Equal(MemberTier.Gold, customer.Member.Tier);
        // A new month without an order yet costs nothing (the twelve complete months still qualify)…
        Assert.Equal(MemberTier.Gold, Rules.Evaluate(customer.Activity, Now.AddMonths(1)));
        // …but a whole month without one does.
        Assert.Equal(MemberTier.Bronze, Rules.Evaluate(customer.Activity, Now.AddMonths(2)));
    }

    [Fact]
    public void A_tier_kept_at_its_anniversary_is_kept_for_another_year_however_spend_moves_in_between()
    {
        var segments = new SegmentationOptions().ToRules();
        var silver = Pay(Pay(NewCustomer(), "O1", 800_000, Now), "O2", 800_000, Now.AddMonths(6));

        var (renewed, renewal) = silver.Review(segments, Rules, Now.AddYears(1));
        var midYear = renewed.Review(segments, Rules, Now.AddYears(1).AddMonths(7)).Customer;
        var (downgraded, downgrade) = midYear.Review(segments, Rules, Now.AddYears(2));

        Assert.Equal(new MemberStatus(MemberTier.Silver, Now.AddYears(1)), renewed.Member);
        Assert.DoesNotContain(renewal, e => e is MemberTierChanged);
        Assert.Equal(MemberTier.Silver, midYear.Member.Tier);
        Assert.Equal(MemberTier.Bronze, downgraded.Member.Tier);
        Assert.Contains(downgrade, e => e is MemberTierChanged { To: MemberTier.Bronze });
    }

    [Fact]
    public void A_first_paid_order_makes_a_first_order_customer_at_once()
    {
        var (paid, events) = NewCustomer().RecordPayment("O1", 1000, Now, Segments, Rules, Now);

        Assert.Equal(CustomerSegment.FirstOrder, paid.Segment!.Segment);
        Assert.Contains(events, e => e is CustomerSegmentChanged { To: CustomerSegment.FirstOrder });
    }

    [Fact]
    public void A_payment_and_a_refund_count_once_each()
    {
        var paid = Pay(NewCustomer(), "O1", 12_345, Now);
        var refunded = paid.RecordRefund("O1R1", 12_345, Now);

        Assert.Same(paid, paid.RecordPayment("O1", 12_345, Now, Segments, Rules, Now).Customer);
        Assert.Equal(0, refunded.Activity.LifetimePaidFen);
        Assert.Same(refunded, refunded.RecordRefund("O1R1", 12_345, Now));
    }

    [Fact]
    public void Points_follow_the_changes_of_orders_once_each_and_reversed_points_already_spent_are_owed()
    {
        var earned = NewCustomer().ApplyPoints("O1|earned", "O1", 1_000, Now).Customer;
        var spent = earned.RedeemPoints("O2", 1_000, Now).Customer;

        var (owing, events) = spent.ApplyPoints("O1|reversed-100000", "O1", -1_000, Now);

        Assert.Same(earned, earned.ApplyPoints("O1|earned", "O1", 1_000, Now).Customer);
        Assert.Equal(-1_000, owing.PointsBalance);
        Assert.Equal(new PointsChanged("C1", "O1|reversed-100000", "O1", -1_000) { OccurredAt = Now }, Assert.Single(events));
        Assert.Equal(ErrorCode.InsufficientPoints, Assert.Throws<DomainException>(() => owing.RedeemPoints("O3", 1, Now)).Code);
        // The order that spent them is withdrawn: its points come back and settle the debt (earned points do not count as a redemption).
        Assert.Equal(0, owing.ApplyPoints("O2|earned", "O2", 90, Now).Customer.ApplyPoints("O2|reversed-9000", "O2", -90, Now).Customer.ReturnPoints("O2", 1_000, Now).Customer.PointsBalance);
    }

    [Fact]
    public void A_refund_that_drops_below_the_threshold_downgrades_only_at_the_anniversary()
    {
        var bronze = Pay(NewCustomer(), "O1", 60_000, Now);
        var refunded = bronze.RecordRefund("O1R1", 20_000, Now);
        var segments = new SegmentationOptions().ToRules();

        Assert.Equal(MemberTier.Bronze, refunded.Review(segments, Rules, Now.AddMonths(6)).Customer.Member.Tier);
        var (reviewed, events) = refunded.Review(segments, Rules, Now.AddYears(1));
        Assert.Equal(MemberTier.None, reviewed.Member.Tier);
        Assert.Contains(events, e => e is MemberTierChanged { From: MemberTier.Bronze });
    }

    [Fact]
    public void The_daily_review_of_an_unchanged_customer_is_the_same_instance_with_no_events()
    {
        var reviewed = NewCustomer().Review(new SegmentationOptions().ToRules(), Rules, Now).Customer;

        var again = reviewed.Review(new SegmentationOptions().ToRules(), Rules, Now.AddHours(1));

        Assert.Same(reviewed, again.Customer);
        Assert.Empty(again.Events);
    }
}
