using Mall.Domain.Membership;

namespace Mall.UnitTests.Membership;

public sealed class OrderPointsTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void An_order_earns_points_per_whole_yuan_paid()
    {
        var (points, earned) = OrderPoints.Earn("O1", "C1", 12_399, pointsPerYuan: 2, Now);

        Assert.Equal(246, points.EarnedPoints);
        Assert.Equal(new OrderPointsChanged("C1", "O1", "O1|earned", 246) { OccurredAt = Now }, earned);
        Assert.Null(OrderPoints.Earn("O2", "C1", 99, pointsPerYuan: 1, Now).Earned);
    }

    [Fact]
    public void Refunds_reverse_what_their_total_calls_for_so_any_split_takes_back_exactly_what_was_earned()
    {
        // 3 × 1.99 + 10.00 shipping: 15 points; refunded 1.99, 1.99, then the rest with the shipping.
        var (points, _) = OrderPoints.Earn("O1", "C1", 1_597, pointsPerYuan: 1, Now);
        var reversed = new List<long>();
        foreach (var total in new long[] { 199, 398, 1_597 })
        {
            (points, var change) = points.RefundedTo(total, Now);
            reversed.Add(-change!.Points);
        }

        Assert.Equal([1L, 2L, 12L], reversed);
        Assert.Equal(15, points.ReversedPoints);
    }

    [Fact]
    public void The_same_refunded_total_again_changes_nothing_and_a_total_that_reverses_nothing_yet_is_still_recorded()
    {
        var (points, _) = OrderPoints.Earn("O1", "C1", 10_000, pointsPerYuan: 1, Now);

        var (small, none) = points.RefundedTo(50, Now);
        var (again, repeat) = small.RefundedTo(50, Now);
        var (full, last) = small.RefundedTo(10_000, Now);

        Assert.Null(none);
        Assert.Equal(50, small.RefundedFen);
        Assert.Same(small, again);
        Assert.Null(repeat);
        Assert.Equal(("O1|reversed-10000", -100L), (last!.Key, last.Points));
        Assert.Same(full, full.RefundedTo(10_000, Now).Points);
    }
}
