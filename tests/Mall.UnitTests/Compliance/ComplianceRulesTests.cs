using Mall.Application.Distribution;
using Mall.Domain.Catalog;
using Mall.Domain.Compliance;

namespace Mall.UnitTests.Compliance;

public sealed class ComplianceRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 4, 0, 0, TimeSpan.Zero);
    private static readonly ComplianceSettings Settings = new(PayoutChannelCapBps: 3_000, ReferenceLookback: TimeSpan.FromDays(7));

    private static ComplianceVerdict Check(CampaignTerms terms) => ComplianceRules.Check(terms, Settings, Now);

    private static CampaignTerms Rewarding(RewardForm form, RewardCondition condition, bool helpOnlyThroughShares = false) =>
        new(CampaignMechanic.ShareReward, "SR1") { Rewards = [new RewardTerm("tiers[0].condition", form, condition, helpOnlyThroughShares)] };

    private static CampaignTerms Paying(params int[] levels) => new(CampaignMechanic.DistributionPolicy, "current")
    {
        Commissions = [new CommissionSchedule("rates", levels.Select((bps, i) => new CommissionLevel($"rates.level{i + 1}Bps", bps)).ToList())],
    };

    [Theory]
    [InlineData(RewardForm.RedPacket)]
    [InlineData(RewardForm.LotteryDraw)]
    [InlineData(RewardForm.Coupon)]
    [InlineData(RewardForm.Points)]
    [InlineData(RewardForm.Card)]
    public void A_reward_for_the_act_of_sharing_is_refused_whatever_its_form(RewardForm form)
    {
        var verdict = Check(Rewarding(form, RewardCondition.ShareAct));

        var refusal = Assert.Single(verdict.Refusals);
        Assert.Equal(ComplianceCodes.RewardConditionedOnSharing, refusal.Code);
        Assert.Equal("tiers[0].condition", refusal.Field);
        Assert.Contains("5.1", refusal.Basis, StringComparison.Ordinal);
        Assert.Contains("2.1.2", refusal.Basis, StringComparison.Ordinal);
    }

    [Fact]
    public void Help_that_only_a_share_can_bring_is_refused_help_from_any_entry_is_allowed()
    {
        Assert.Equal(ComplianceCodes.RewardConditionedOnSharing, Assert.Single(Check(Rewarding(RewardForm.PriceCut, RewardCondition.Help, helpOnlyThroughShares: true)).Refusals).Code);

        var openHelp = Check(Rewarding(RewardForm.PriceCut, RewardCondition.Help));
        Assert.False(openHelp.Refused);
        Assert.Empty(openHelp.Warnings);
    }

    [Theory]
    [InlineData(RewardCondition.Purchase)]
    [InlineData(RewardCondition.PaidOrder)]
    [InlineData(RewardCondition.NewPayingInvitee)]
    [InlineData(RewardCondition.Task)]
    [InlineData(RewardCondition.CheckIn)]
    public void Rewards_for_verified_outcomes_pass(RewardCondition condition)
    {
        var verdict = Check(Rewarding(RewardForm.LotteryDraw, condition));

        Assert.False(verdict.Refused);
        Assert.Empty(verdict.Warnings);
    }

    [Fact]
    public void A_fourth_paying_level_is_refused_naming_it()
    {
        var verdict = Check(Paying(1_000, 500, 300, 200));

        var refusal = Assert.Single(verdict.Refusals);
        Assert.Equal(ComplianceCodes.CommissionDepthOverThree, refusal.Code);
        Assert.Equal("rates.level4Bps", refusal.Field);
        Assert.Contains("禁止传销条例", refusal.Basis, StringComparison.Ordinal);
        Assert.DoesNotContain(verdict.Warnings, w => w.Code == ComplianceCodes.CommissionDepthOverTwo);
    }

    [Fact]
    public void Depth_counts_the_levels_that_pay_so_a_zero_level_beyond_the_third_is_not_a_level()
    {
        Assert.False(Check(Paying(1_000, 500, 300, 0)).Refused);
        Assert.Empty(Check(Paying(1_000, 500, 0, 0)).Warnings);
    }

    [Fact]
    public void A_third_level_is_saved_with_a_warning_two_levels_without()
    {
        var three = Check(Paying(1_000, 500, 300));
        Assert.False(three.Refused);
        var warning = Assert.Single(three.Warnings);
        Assert.Equal(ComplianceCodes.CommissionDepthOverTwo, warning.Code);
        Assert.Equal("rates.level3Bps", warning.Field);

        Assert.Empty(Check(Paying(1_000, 500)).Warnings);
    }

    [Fact]
    public void A_total_above_the_payout_channels_cap_warns_at_the_cap_it_does_not()
    {
        var over = Check(Paying(2_000, 1_001));
        var warning = Assert.Single(over.Warnings);
        Assert.Equal(ComplianceCodes.CommissionOverPayoutCap, warning.Code);
        Assert.Equal("rates", warning.Field);
        Assert.Contains("3001 bps", warning.Basis, StringComparison.Ordinal);

        Assert.Empty(Check(Paying(2_000, 1_000)).Warnings);
    }

    [Fact]
    public void The_policys_own_total_cap_limits_what_counts_against_the_payout_channel()
    {
        var capped = new CampaignTerms(CampaignMechanic.DistributionPolicy, "current")
        {
            Commissions = [new CommissionSchedule("rates", [new CommissionLevel("rates.level1Bps", 4_000), new CommissionLevel("rates.level2Bps", 2_000)], TotalCapBps: 3_000)],
        };

        Assert.Empty(Check(capped).Warnings);
    }

    [Fact]
    public void The_seed_policy_is_saved_with_both_warnings_and_four_levels_are_refused_through_the_request()
    {
        var seed = new CommissionPolicyRequest(new CommissionRatesRequest(4_000, 2_000, 1_000), 7_000, false, null);
        var verdict = Check(seed.ComplianceTerms());
        Assert.False(verdict.Refused);
        Assert.Equal([ComplianceCodes.CommissionDepthOverTwo, ComplianceCodes.CommissionOverPayoutCap], verdict.Warnings.Select(w => w.Code));

        var deeper = seed with { ProductRates = new Dictionary<string, CommissionRatesRequest> { ["P1"] = new(1_000, 500, 300, [200]) } };
        var refusal = Assert.Single(Check(deeper.ComplianceTerms()).Refusals);
        Assert.Equal("productRates.P1.deeperLevelsBps[0]", refusal.Field);
    }

    [Fact]
    public void A_reference_price_the_sku_sold_at_within_the_lookback_passes()
    {
        var history = new[] { new PricePeriod(9_900, Now.AddDays(-20)), new PricePeriod(7_900, Now.AddDays(-2)) };

        Assert.False(Check(Listing(7_900, history, 9_900)).Refused);
    }

    [Fact]
    public void A_new_skus_reference_price_or_one_it_never_sold_at_is_refused()
    {
        var newSku = Check(Listing(100, [new PricePeriod(100, Now)], 150));
        var refusal = Assert.Single(newSku.Refusals);
        Assert.Equal(ComplianceCodes.ReferencePriceNotTruthful, refusal.Code);
        Assert.Equal("skus[0].referencePriceFen", refusal.Field);
        Assert.Contains("价格法", refusal.Basis, StringComparison.Ordinal);

        var history = new[] { new PricePeriod(9_900, Now.AddDays(-20)), new PricePeriod(7_900, Now.AddDays(-2)) };
        Assert.True(Check(Listing(7_900, history, 12_900)).Refused);
    }

    [Fact]
    public void A_reference_price_past_the_lookback_is_refused()
    {
        var history = new[] { new PricePeriod(9_900, Now.AddDays(-30)), new PricePeriod(7_900, Now.AddDays(-7)) };

        Assert.True(Check(Listing(7_900, history, 9_900)).Refused);
    }

    [Fact]
    public void A_paid_add_on_ticked_by_default_is_refused_unticked_or_free_it_passes()
    {
        static CampaignTerms Offering(long priceFen, bool ticked) =>
            new(CampaignMechanic.PriceRule, null) { PaidAddOns = [new PaidAddOnTerm("gift.selectedByDefault", priceFen, ticked)] };

        var refusal = Assert.Single(Check(Offering(800, ticked: true)).Refusals);
        Assert.Equal(ComplianceCodes.PaidAddOnTickedByDefault, refusal.Code);
        Assert.Equal("gift.selectedByDefault", refusal.Field);
        Assert.Contains("电子商务法 第十九条", refusal.Basis, StringComparison.Ordinal);
        Assert.False(Check(Offering(800, ticked: false)).Refused);
        Assert.False(Check(Offering(0, ticked: true)).Refused);
    }

    [Fact]
    public void Every_finding_is_reported_not_only_the_first()
    {
        var terms = new CampaignTerms(CampaignMechanic.PriceRule, null)
        {
            Rewards = [new RewardTerm("unlockedBy", RewardForm.PriceCut, RewardCondition.ShareAct)],
            PaidAddOns = [new PaidAddOnTerm("gift.selectedByDefault", 800, true)],
        };

        Assert.Equal(["unlockedBy", "gift.selectedByDefault"], Check(terms).Refusals.Select(r => r.Field));
    }

    [Fact]
    public void A_campaign_offering_nothing_conditioned_passes()
    {
        var verdict = Check(new CampaignTerms(CampaignMechanic.GroupBuy, null));

        Assert.False(verdict.Refused);
        Assert.Empty(verdict.Warnings);
    }

    private static CampaignTerms Listing(long priceFen, IReadOnlyList<PricePeriod> history, long reference) =>
        new(CampaignMechanic.Listing, "P1") { ReferencePrices = [new ReferencePriceTerm("skus[0].referencePriceFen", priceFen, history, reference)] };
}
