using Mall.Application.Segmentation;
using Mall.Domain.Segmentation;

namespace Mall.UnitTests.Segmentation;

public sealed class SegmentRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);
    private static readonly SegmentRules Rules = new SegmentationOptions().ToRules();

    private static CustomerActivity Paid(params DateTimeOffset[] at) =>
        at.Select((t, i) => (t, i)).Aggregate(new CustomerActivity(), (a, p) => a.OrderPaid($"O{p.i}", 1000, p.t));

    [Fact]
    public void No_paid_order_is_potential_one_is_first_order_two_is_regular()
    {
        Assert.Equal(CustomerSegment.Potential, Rules.Classify(new CustomerActivity(), Now, Now));
        Assert.Equal(CustomerSegment.FirstOrder, Rules.Classify(Paid(Now), Now, Now));
        Assert.Equal(CustomerSegment.Regular, Rules.Classify(Paid(Now, Now), Now, Now));
    }

    [Fact]
    public void Dormant_from_exactly_180_days_without_interaction()
    {
        Assert.Equal(CustomerSegment.Dormant, Rules.Classify(Paid(Now), Now.AddDays(-180), Now));
        Assert.Equal(CustomerSegment.FirstOrder, Rules.Classify(Paid(Now), Now.AddDays(-180).AddSeconds(1), Now));
    }

    [Fact]
    public void Active_needs_on_average_three_paid_orders_a_month_over_the_last_three_months()
    {
        var nine = Enumerable.Range(0, 9).Select(i => Now.AddDays(-i * 8)).ToArray();

        Assert.Equal(CustomerSegment.Active, Rules.Classify(Paid(nine), Now, Now));
        Assert.Equal(CustomerSegment.Regular, Rules.Classify(Paid(nine[..8]), Now, Now));
        Assert.Equal(CustomerSegment.Regular, Rules.Classify(Paid(nine.Select(t => t.AddMonths(-3)).ToArray()), Now, Now));
    }

    [Fact]
    public void Orders_refunded_in_full_are_not_paid_orders()
    {
        var nine = Enumerable.Range(0, 9).Select(i => Now.AddDays(-i * 8)).ToArray();
        var refunded = Enumerable.Range(0, 9).Aggregate(Paid(nine), (a, i) => a.RefundedInFull($"O{i}", nine[i]));
        var one = Paid(Now).RefundedInFull("O0", Now);

        Assert.Equal(CustomerSegment.Regular, Rules.Classify(refunded.RefundedInFull("O0", nine[0]).OrderPaid("O9", 1000, Now).OrderPaid("O10", 1000, Now), Now, Now));
        Assert.Equal(CustomerSegment.Potential, Rules.Classify(refunded, Now, Now));
        Assert.Equal(CustomerSegment.Potential, Rules.Classify(one, Now, Now));
        Assert.Same(one, one.RefundedInFull("O0", Now));
    }

    [Fact]
    public void Months_are_china_calendar_months()
    {
        // 16:00 UTC on 30 November is 00:00 on 1 December in China.
        Assert.Equal("2026-12", CustomerActivity.MonthOf(new DateTimeOffset(2026, 11, 30, 16, 0, 0, TimeSpan.Zero)));
        Assert.Equal("2026-11", CustomerActivity.MonthOf(new DateTimeOffset(2026, 11, 30, 15, 59, 59, TimeSpan.Zero)));
    }

    [Fact]
    public void The_same_paid_order_counts_once_and_only_thirteen_months_are_kept()
    {
        var once = Paid(Now);

        Assert.Same(once, once.OrderPaid("O0", 1000, Now));
        var spread = Paid(Enumerable.Range(0, 20).Select(i => Now.AddMonths(-i)).ToArray());
        Assert.Equal(CustomerActivity.MonthsKept, spread.Months.Count);
        Assert.Equal(20, spread.PaidOrders);
    }
}
