using System.Globalization;
using Mall.Domain.Catalog;

namespace Mall.Domain.Compliance;

/// <summary>One rule a save broke (a refusal) or comes close to (a warning): its stable code, the field, and why.</summary>
public sealed record ComplianceFinding(string Code, string Field, string Basis);

/// <summary>The outcome of a check: any refusal means the save must not happen; warnings let it through.</summary>
public sealed record ComplianceVerdict(IReadOnlyList<ComplianceFinding> Refusals, IReadOnlyList<ComplianceFinding> Warnings)
{
    public bool Refused => Refusals.Count > 0;
}

/// <param name="PayoutChannelCapBps">The most of an order the configured payout channel lets commissions take (WeChat profit sharing: 30%).</param>
/// <param name="ReferenceLookback">How long after a price ended it may still be shown struck through.</param>
public sealed record ComplianceSettings(int PayoutChannelCapBps, TimeSpan ReferenceLookback);

/// <summary>The stable codes of the rules: part of the API contract (problem findings, warning header, report).</summary>
public static class ComplianceCodes
{
    public const string RewardConditionedOnSharing = "reward-conditioned-on-sharing";
    public const string CommissionDepthOverThree = "commission-depth-over-three";
    public const string ReferencePriceNotTruthful = "reference-price-not-truthful";
    public const string PaidAddOnTickedByDefault = "paid-add-on-ticked-by-default";
    public const string CommissionDepthOverTwo = "commission-depth-over-two";
    public const string CommissionOverPayoutCap = "commission-over-payout-cap";
}

/// <summary>
/// The campaign compliance rules (SPEC §4.10, §4.11; seed 八 合规), one place for every save. Refused:
/// rewards conditioned on sharing (诱导分享), commission paid deeper than three levels (传销), false reference
/// prices and paid add-ons ticked by default. Warned: a third commission level, and a total commission
/// rate above what the payout channel allows.
/// </summary>
public static class ComplianceRules
{
    public const int MaxCommissionLevels = 3;
    public const int AdvisedCommissionLevels = 2;

    private const string SharingBasis =
        "WeChat forbids rewarding or unlocking anything by the act of sharing, whether a gift, red packet, coupon, points, a lottery chance, or help (助力, 砍价) and collecting (集卡) that sharing unlocks (微信小程序平台运营规范 5.1 滥用分享行为; 微信外部链接内容管理规范 2.1.2 诱导分享): condition it on a purchase or a verified outcome instead.";

    private const string DepthOverThreeBasis =
        "Paying commission on the sales of recruits and of the people they recruit in turn is what 禁止传销条例 第七条 defines as pyramid selling, and three levels is the most a lawful distribution scheme pays (SPEC §4.10): remove the levels beyond the third.";

    private const string ReferencePriceBasis =
        "A struck-through price must be one the SKU really sold at within the lookback and above the current price (价格法 第十四条 forbids false or misleading prices; 规范促销行为暂行规定 measures a discount against the prices before the promotion).";

    private const string PaidAddOnBasis =
        "A paid add-on may not be a default choice (电子商务法 第十九条: a tie-in sale must be pointed out and never ticked by default): offer it unticked or make it free.";

    private const string DepthOverTwoBasis =
        "WeChat guidance keeps distribution to two earning levels; a third is lawful but draws review and ban risk for the mini-program (SPEC §4.10).";

    /// <summary>Whether an add-on breaks 电子商务法 第十九条: it costs something and comes ticked.</summary>
    public static bool PaidAddOnTickedByDefault(long priceFen, bool selectedByDefault) => priceFen > 0 && selectedByDefault;

    public static ComplianceVerdict Check(CampaignTerms terms, ComplianceSettings settings, DateTimeOffset now)
    {
        ArgumentNullException.ThrowIfNull(terms);
        ArgumentNullException.ThrowIfNull(settings);
        var refusals = new List<ComplianceFinding>();
        var warnings = new List<ComplianceFinding>();

        foreach (var reward in terms.Rewards)
        {
            if (reward.Condition == RewardCondition.ShareAct || (reward.Condition == RewardCondition.Help && reward.HelpOnlyThroughShares))
            {
                refusals.Add(new ComplianceFinding(ComplianceCodes.RewardConditionedOnSharing, reward.Field, SharingBasis));
            }
        }

        foreach (var schedule in terms.Commissions)
        {
            var depth = schedule.Depth;
            if (depth > MaxCommissionLevels)
            {
                refusals.Add(new ComplianceFinding(ComplianceCodes.CommissionDepthOverThree, FirstPaying(schedule, MaxCommissionLevels), DepthOverThreeBasis));
            }
            else if (depth > AdvisedCommissionLevels)
            {
                warnings.Add(new ComplianceFinding(ComplianceCodes.CommissionDepthOverTwo, FirstPaying(schedule, AdvisedCommissionLevels), DepthOverTwoBasis));
            }

            if (schedule.TotalBps > settings.PayoutChannelCapBps)
            {
                warnings.Add(new ComplianceFinding(ComplianceCodes.CommissionOverPayoutCap, schedule.Field, PayoutCapBasis(schedule.TotalBps, settings.PayoutChannelCapBps)));
            }
        }

        foreach (var price in terms.ReferencePrices)
        {
            if (!ReferencePriceRule.IsTruthful(price.PriceFen, price.PriceHistory, price.ClaimedReferenceFen, now, settings.ReferenceLookback))
            {
                refusals.Add(new ComplianceFinding(ComplianceCodes.ReferencePriceNotTruthful, price.Field, ReferencePriceBasis));
            }
        }

        foreach (var addOn in terms.PaidAddOns)
        {
            if (PaidAddOnTickedByDefault(addOn.PriceFen, addOn.SelectedByDefault))
            {
                refusals.Add(new ComplianceFinding(ComplianceCodes.PaidAddOnTickedByDefault, addOn.Field, PaidAddOnBasis));
            }
        }

        return new ComplianceVerdict(refusals, warnings);
    }

    /// <summary>The field of the first paying level deeper than <paramref name="allowed"/>: what the operator has to change.</summary>
    private static string FirstPaying(CommissionSchedule schedule, int allowed) =>
        schedule.Levels.Skip(allowed).First(l => l.Bps > 0).Field;

    private static string PayoutCapBasis(int totalBps, int capBps) => string.Create(
        CultureInfo.InvariantCulture,
        $"The commission levels pay up to {totalBps} bps of an order, more than the {capBps} bps the configured payout channel allows (WeChat Pay profit sharing 分账 takes at most 30% by default): pay from the platform's own funds through the ledger, or lower the rates.");
}

/// <summary>
/// A save refused by the compliance rules: COMPLIANCE_REFUSED (422) naming each field, and the findings
/// (rule code, field, basis) for the problem body.
/// </summary>
public sealed class ComplianceRefusedException : Common.DomainException
{
    public ComplianceRefusedException(IReadOnlyList<ComplianceFinding> findings)
        : base(
            Common.ErrorCode.ComplianceRefused,
            $"Refused by the campaign compliance rules: {string.Join(", ", findings.Select(f => f.Code).Distinct())}.",
            findings.GroupBy(f => f.Field).ToDictionary(g => g.Key, g => g.Select(f => $"{f.Code}: {f.Basis}").Distinct().ToArray()))
    {
        Findings = findings;
    }

    public IReadOnlyList<ComplianceFinding> Findings { get; }
}
