using Mall.Domain.Common;
using Mall.Domain.Customers;

namespace Mall.UnitTests.Membership;

public sealed class PointsRedemptionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);

    private static Customer WithPoints(long points) => new()
    {
        Id = "C1",
        OpenId = "o1",
        InviteCode = "ABCDEFGHJK",
        RegisteredAt = Now,
        LastLoginAt = Now,
        PointsBalance = points,
    };

    [Fact]
    public void Redeeming_takes_the_points_once_per_order()
    {
        var (once, events) = WithPoints(1_000).RedeemPoints("O1", 300, Now);
        var (twice, again) = once.RedeemPoints("O1", 300, Now);

        Assert.Equal(700, twice.PointsBalance);
        Assert.Equal(-300, Assert.IsType<PointsChanged>(Assert.Single(events)).Points);
        Assert.Empty(again);
    }

    [Fact]
    public void An_order_placed_again_after_its_points_came_back_pays_with_points_again()
    {
        // A withdrawn order (say, over the purchase limit) frees its id for a retry with the same Idempotency-Key.
        var (withdrawn, _) = WithPoints(1_000).RedeemPoints("O1", 300, Now).Customer.ReturnPoints("O1", 300, Now);

        var (placedAgain, events) = withdrawn.RedeemPoints("O1", 300, Now);
        var (cancelled, returned) = placedAgain.ReturnPoints("O1", 300, Now);

        Assert.Equal(700, placedAgain.PointsBalance);
        Assert.Equal("O1|redeemed#2", Assert.IsType<PointsChanged>(Assert.Single(events)).Key);
        Assert.Equal(1_000, cancelled.PointsBalance);
        Assert.Equal("O1|returned#2", Assert.IsType<PointsChanged>(Assert.Single(returned)).Key);
    }

    [Fact]
    public void Redeeming_more_than_the_balance_is_refused_and_changes_nothing()
    {
        var error = Assert.Throws<DomainException>(() => WithPoints(100).RedeemPoints("O1", 101, Now));
        Assert.Equal(ErrorCode.InsufficientPoints, error.Code);
    }

    [Fact]
    public void Points_come_back_once_and_only_for_an_order_that_took_them()
    {
        var (redeemed, _) = WithPoints(1_000).RedeemPoints("O1", 300, Now);

        var (returned, events) = redeemed.ReturnPoints("O1", 300, Now);
        var (again, none) = returned.ReturnPoints("O1", 300, Now);
        var (stranger, nothing) = returned.ReturnPoints("O2", 300, Now);

        Assert.Equal(1_000, again.PointsBalance);
        Assert.Single(events);
        Assert.Empty(none);
        Assert.Same(returned, stranger);
        Assert.Empty(nothing);
    }

    [Fact]
    public void A_change_settled_into_the_ledger_is_still_recognised_from_the_settled_keys()
    {
        var redeemed = WithPoints(1_000).RedeemPoints("O1", 300, Now).Customer;
        var settled = redeemed.SettlePoints(["O1|redeemed#1"]);
        var inLedger = new HashSet<string> { "O1|redeemed#1" };

        Assert.Empty(settled.PendingPoints);
        Assert.Same(settled, settled.RedeemPoints("O1", 300, Now, inLedger).Customer);
        Assert.Equal(1_000, settled.ReturnPoints("O1", 300, Now, inLedger).Customer.PointsBalance);
        Assert.Equal(["O1|redeemed#1", "O1|returned#1", "O1|redeemed#2"], Customer.RedemptionKeysOf("O1").Take(3));
    }

    [Fact]
    public void Points_changes_never_settled_stop_at_the_bound_as_busy()
    {
        var customer = WithPoints(0);
        for (var i = 0; i < Customer.PendingPointsMax; i++)
        {
            customer = customer.ApplyPoints($"O{i}|earned", $"O{i}", 1, Now).Customer;
        }

        var refused = Assert.Throws<DomainException>(() => customer.ApplyPoints("O-last|earned", "O-last", 1, Now));

        Assert.Equal(ErrorCode.Busy, refused.Code);
        Assert.Equal(0, customer.SettlePoints([.. customer.PendingPoints.Select(p => p.Key)]).ApplyPoints("O-last|earned", "O-last", 1, Now).Customer.PendingPoints.Count - 1);
    }
}
