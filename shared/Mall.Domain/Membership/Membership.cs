using System.Globalization;
using Mall.Domain.Common;
using Mall.Domain.Segmentation;

namespace Mall.Domain.Membership;

public enum MemberTier
{
    None,

    /// <summary>青铜: cumulative paid ≥ 500 yuan.</summary>
    Bronze,

    /// <summary>白银: paid ≥ 8,000 yuan over the last 12 months.</summary>
    Silver,

    /// <summary>黄金: a paid order in each of the last 12 calendar months and more than 5,000 yuan over them.</summary>
    Gold,
}

/// <summary>What each tier gets (SPEC §4.5); each tier keeps the benefits of the tiers below.</summary>
public static class MemberBenefits
{
    public const string PointsToCash = "points-to-cash";
    public const string BirthdayGiftPack = "birthday-gift-pack";
    public const string ExclusiveService = "exclusive-service";
    public const string PriorityShipping = "priority-shipping";
    public const string NewProductTrials = "new-product-trials";
    public const string OfflineSalons = "offline-salons";

    public static IReadOnlyList<string> For(MemberTier tier) => tier switch
    {
        MemberTier.Bronze => [PointsToCash, BirthdayGiftPack],
        MemberTier.Silver => [.. For(MemberTier.Bronze), ExclusiveService, PriorityShipping],
        MemberTier.Gold => [.. For(MemberTier.Silver), NewProductTrials, OfflineSalons],
        _ => [],
    };

    public static bool Has(MemberTier tier, string benefit) => For(tier).Contains(benefit);
}

/// <summary>How far the customer is from the next tier.</summary>
public sealed record TierProgress(MemberTier? Next, long YuanToGo, int MonthsToGo);

/// <summary>The tier rules of SPEC §4.5 (defaults in MembershipOptions), on net paid amounts (refunds deducted) per CST calendar month.</summary>
public sealed record TierRules
{
    public required long BronzeLifetimeFen { get; init; }

    public required long SilverTwelveMonthFen { get; init; }

    /// <summary>Gold needs strictly more than this over the last 12 months…</summary>
    public required long GoldTwelveMonthFen { get; init; }

    /// <summary>…with a paid order in each of that many consecutive months.</summary>
    public required int GoldMonths { get; init; }

    public MemberTier Evaluate(CustomerActivity activity, DateTimeOffset now)
    {
        var months = LastMonths(activity, now, 12);
        var twelveMonths = months.Sum(m => m.PaidFen);
        if (IsGold(months) || IsGold(LastMonths(activity, now, 13).Skip(1).ToList()))
        {
            return MemberTier.Gold;
        }

        if (twelveMonths >= SilverTwelveMonthFen)
        {
            return MemberTier.Silver;
        }

        return activity.LifetimePaidFen >= BronzeLifetimeFen ? MemberTier.Bronze : MemberTier.None;
    }

    public TierProgress ProgressFrom(CustomerActivity activity, MemberTier tier, DateTimeOffset now)
    {
        var months = LastMonths(activity, now, 12);
        var twelveMonths = months.Sum(m => m.PaidFen);
        return tier switch
        {
            MemberTier.None => new TierProgress(MemberTier.Bronze, Yuan(BronzeLifetimeFen - activity.LifetimePaidFen), 0),
            MemberTier.Bronze => new TierProgress(MemberTier.Silver, Yuan(SilverTwelveMonthFen - twelveMonths), 0),
            MemberTier.Silver => new TierProgress(MemberTier.Gold, Yuan(GoldTwelveMonthFen + 1 - twelveMonths), months.Take(GoldMonths).Count(m => m.Orders == 0)),
            _ => new TierProgress(null, 0, 0),
        };
    }

    /// <summary>
    /// An order in each of the months and enough over them. Judged on the twelve months up to now or on
    /// the twelve complete months before this one, so a new month without an order yet costs nothing.
    /// </summary>
    private bool IsGold(List<MonthlySpend> twelveMonths) =>
        twelveMonths.Take(GoldMonths).All(m => m.Orders > 0 && m.PaidFen > 0) && twelveMonths.Sum(m => m.PaidFen) > GoldTwelveMonthFen;

    /// <summary>The last <paramref name="count"/> CST months, newest first, zero for months without orders.</summary>
    private static List<MonthlySpend> LastMonths(CustomerActivity activity, DateTimeOffset now, int count)
    {
        var cst = ChinaTime.ToCst(now);
        return Enumerable.Range(0, count)
            .Select(i => cst.AddMonths(-i).ToString("yyyy-MM", CultureInfo.InvariantCulture))
            .Select(month => activity.Months.FirstOrDefault(m => m.Month == month) ?? new MonthlySpend(month, 0, 0))
            .ToList();
    }

    private static long Yuan(long fen) => fen <= 0 ? 0 : (fen + 99) / 100;
}

/// <summary>
/// A customer's tier. Upgrades happen as soon as a payment earns them; downgrades only at the
/// anniversary of the tier, when the rules are evaluated again.
/// </summary>
public sealed record MemberStatus(MemberTier Tier, DateTimeOffset Since)
{
    public static readonly MemberStatus None = new(MemberTier.None, DateTimeOffset.MinValue);

    public MemberStatus AfterPayment(MemberTier earned, DateTimeOffset now) => earned > Tier ? new MemberStatus(earned, now) : this;

    /// <summary>
    /// On or after the tier's anniversary the evaluated tier stands (down, or kept for another year from
    /// the anniversary); an upgrade stands at once.
    /// </summary>
    public MemberStatus AtReview(MemberTier earned, DateTimeOffset now)
    {
        if (earned > Tier)
        {
            return new MemberStatus(earned, now);
        }

        if (Tier == MemberTier.None || now < Since.AddYears(1))
        {
            return this;
        }

        return earned < Tier ? new MemberStatus(earned, now) : this with { Since = Since.AddYears(1) };
    }
}
