using Mall.Domain.Common;
using Mall.Domain.Distribution;

namespace Mall.UnitTests.Distribution;

public sealed class CommissionArithmeticTests
{
    private static readonly CommissionRates Defaults = CommissionPolicy.Default.Rates;

    private static OrderCommission Accrue(long baseFen, params string?[] beneficiaries) =>
        OrderCommission.Accrue("O1", "buyer", [new CommissionBase(baseFen, Defaults)], beneficiaries, CommissionPolicy.Default.TotalCapBps);

    [Fact]
    public void Each_level_gets_its_rate_of_the_goods_amount_floored_to_the_fen()
    {
        var commission = Accrue(9999, "p1", "p2", "p3");

        Assert.Equal([3999L, 1999L, 999L], commission.Shares.Select(s => s.OriginalFen));
        Assert.Equal([1, 2, 3], commission.Shares.Select(s => s.Level));
    }

    [Fact]
    public void A_level_without_a_promoter_earns_nothing_and_does_not_shift_the_others()
    {
        var commission = Accrue(10000, null, "p2");

        var share = Assert.Single(commission.Shares);
        Assert.Equal((2, "p2", 2000L), (share.Level, share.PromoterId, share.OriginalFen));
    }

    [Fact]
    public void The_total_cap_trims_the_deepest_levels_first()
    {
        var commission = OrderCommission.Accrue("O1", "b", [new CommissionBase(10000, Defaults)], ["p1", "p2", "p3"], totalCapBps: 5000);

        Assert.Equal([4000L, 1000L], commission.Shares.Select(s => s.OriginalFen));
    }

    [Fact]
    public void Commission_never_goes_more_than_three_levels_deep()
    {
        Assert.Throws<DomainException>(() => Accrue(100, "a", "b", "c", "d"));
    }

    [Fact]
    public void Partial_refunds_shrink_every_share_in_proportion_and_a_final_full_refund_takes_back_exactly_what_was_earned()
    {
        var commission = Accrue(10001, "p1", "p2", "p3");
        var movements = new List<CommissionMovement>();

        foreach (var refunded in new long[] { 3333, 3334, 6000, 10001 })
        {
            var (next, moved) = commission.ApplyRefunds(refunded);
            commission = next;
            movements.AddRange(moved);
        }

        Assert.Equal(CommissionStatus.Cancelled, commission.Status);
        Assert.All(commission.Shares, s => Assert.Equal(0, s.CurrentFen));
        Assert.Equal(-(4000 + 2000 + 1000), movements.Sum(m => m.AmountFen));
        Assert.All(movements, m => Assert.Equal(CommissionEntryKind.Reduced, m.Kind));
        Assert.Equal(movements.Count, movements.Select(m => m.Key).Distinct().Count());
    }

    [Fact]
    public void A_refund_state_already_applied_changes_nothing()
    {
        var once = Accrue(10000, "p1").ApplyRefunds(5000).Commission;

        var (again, movements) = once.ApplyRefunds(5000);

        Assert.Same(once, again);
        Assert.Empty(movements);
    }

    [Fact]
    public void Refunds_beyond_the_goods_amount_count_as_the_goods_amount_because_shipping_earns_no_commission()
    {
        var commission = Accrue(5000, "p1").ApplyRefunds(5000 + 1000).Commission;

        Assert.Equal(0, commission.CurrentTotalFen);
        Assert.Equal(5000, commission.RefundedBaseFen);
    }

    [Fact]
    public void Settling_makes_the_current_amounts_withdrawable_once()
    {
        var commission = Accrue(10000, "p1", "p2").ApplyRefunds(2500).Commission;

        var (settled, movements) = commission.Settle(DateTimeOffset.UnixEpoch);

        Assert.Equal(CommissionStatus.Settled, settled.Status);
        Assert.Equal([3000L, 1500L], movements.Select(m => m.AmountFen));
        Assert.Empty(settled.Settle(DateTimeOffset.UnixEpoch).Movements);
    }

    [Fact]
    public void A_refund_after_settlement_is_a_reversing_entry_and_the_commission_stays_settled()
    {
        var settled = Accrue(10000, "p1").Settle(DateTimeOffset.UnixEpoch).Commission;

        var (after, movements) = settled.ApplyRefunds(10000);

        Assert.Equal(CommissionStatus.Settled, after.Status);
        var reversal = Assert.Single(movements);
        Assert.Equal((CommissionEntryKind.Reversed, -4000L), (reversal.Kind, reversal.AmountFen));
    }

    [Fact]
    public void Self_purchase_makes_a_promoter_buyer_their_own_first_level_only_when_enabled()
    {
        var referrers = new[] { "r1", "r2", "r3" };

        Assert.Equal(referrers, CommissionPolicy.Default.Beneficiaries("buyer", buyerIsPromoter: true, referrers));
        Assert.Equal(["buyer", "r1", "r2"], (CommissionPolicy.Default with { SelfPurchaseCounts = true }).Beneficiaries("buyer", buyerIsPromoter: true, referrers));
        Assert.Equal(referrers, (CommissionPolicy.Default with { SelfPurchaseCounts = true }).Beneficiaries("buyer", buyerIsPromoter: false, referrers));
    }

    [Fact]
    public void Each_line_earns_at_its_own_products_rates()
    {
        var commission = OrderCommission.Accrue("O1", "b", [new CommissionBase(10000, Defaults), new CommissionBase(5000, new CommissionRates(1000, 0, 0))], ["p1", "p2"], 7000);

        Assert.Equal([4000L + 500L, 2000L], commission.Shares.Select(s => s.OriginalFen));
        Assert.Equal(3000, commission.Shares[0].RateBps);
    }

    [Fact]
    public void A_product_override_replaces_the_default_rates()
    {
        var policy = CommissionPolicy.Default with { ProductRates = new Dictionary<string, CommissionRates> { ["P9"] = new(1000, 0, 0) } };

        Assert.Equal(1000, policy.RatesFor("P9").Level1Bps);
        Assert.Equal(4000, policy.RatesFor("P1").Level1Bps);
    }
}
