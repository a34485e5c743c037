using System.Globalization;
using Mall.Domain.Common;

namespace Mall.Domain.CardCollecting;

/// <summary>What a customer does to earn a card.</summary>
public enum CardTaskKind
{
    /// <summary>An order of theirs is paid, for at least the task's minimum: one card per order.</summary>
    PaidOrder,

    /// <summary>They check in on the campaign page: one card per CST day.</summary>
    DailyCheckIn,

    /// <summary>
    /// Sharing the campaign. Expressible so the compliance check can refuse it by name (WeChat forbids
    /// rewarding a share); nothing in the mall ever earns a card for it.
    /// </summary>
    Share,
}

/// <summary>A task that earns a card, as the operator set it.</summary>
/// <param name="MinimumPaidFen">paidOrder: an order counts from this amount paid (what stays paid after refunds); null: any paid order.</param>
public sealed record CardTask(CardTaskKind Kind, long? MinimumPaidFen = null);

/// <summary>One kind of card in the set, and how often a draw gives it relative to the others.</summary>
public sealed record CardKind(string Name, int Weight);

/// <summary>A physical gift, sent by the mall as a fulfilment record; <paramref name="CostFen"/> is what it costs the mall.</summary>
public sealed record CardGift(string Name, long CostFen);

/// <summary>What a full set redeems: a coupon of a template, or a physical gift (exactly one).</summary>
public sealed record CardReward(string? CouponTemplateId, CardGift? Gift);

/// <summary>
/// A card-collecting campaign 集卡 (SPEC §4.11): customers earn cards from tasks — paid orders and a daily
/// check-in, never a share — within the window, and a full set (one card of each kind) redeems the reward
/// once per customer, until <see cref="RedeemableUntil"/>. Draws follow <see cref="CardDraws"/>: the cards'
/// weights, and a missing card guaranteed after <see cref="MissesBeforeGuarantee"/> draws without one, so a
/// set always completes within <see cref="MaxTasksForFullSet"/> tasks. Its terms never change once saved.
/// </summary>
public sealed record CardCampaign
{
    public const int MinKinds = 2;
    public const int MaxKinds = 10;
    public const int MaxWeight = 10_000;
    public const int MaxMissesBeforeGuarantee = 20;

    /// <summary>A campaign lasts at most this long: its daily check-ins stay well inside a collection's bound.</summary>
    public const int MaxDays = 93;

    /// <summary>"CK" + the UTC month it ends in (its partition) + 12 characters: 20 in all.</summary>
    public const int IdLength = 20;

    public required string Id { get; init; }

    public required string Name { get; init; }

    public required DateTimeOffset StartsAt { get; init; }

    public required DateTimeOffset EndsAt { get; init; }

    /// <summary>When a full set can be redeemed until (the end plus the redeeming days of the settings).</summary>
    public required DateTimeOffset RedeemableUntil { get; init; }

    public required IReadOnlyList<CardKind> Cards { get; init; }

    /// <summary>The tasks as the operator gave them (a <see cref="CardTaskKind.Share"/> task earns nothing).</summary>
    public required IReadOnlyList<CardTask> Tasks { get; init; }

    public required CardReward Reward { get; init; }

    /// <summary>What one redemption may cost the mall, reserved against the mechanic's daily budget when a set is redeemed.</summary>
    public required long RewardValueFen { get; init; }

    public required int MissesBeforeGuarantee { get; init; }

    public required string CreatedBy { get; init; }

    public required DateTimeOffset CreatedAt { get; init; }

    /// <summary>The most tasks a customer needs for a full set, whatever the draws (see <see cref="CardDraws.MaxDrawsForFullSet"/>).</summary>
    public int MaxTasksForFullSet => CardDraws.MaxDrawsForFullSet(Cards.Count, MissesBeforeGuarantee);

    public bool IsRunning(DateTimeOffset at) => StartsAt <= at && at < EndsAt;

    public bool IsRedeemable(DateTimeOffset at) => StartsAt <= at && at < RedeemableUntil;

    /// <summary>The task of this kind that earns cards, if the campaign has one.</summary>
    public CardTask? EarningTask(CardTaskKind kind) => kind == CardTaskKind.Share ? null : Tasks.FirstOrDefault(t => t.Kind == kind);

    /// <summary>A new campaign id, kept in the partition of the UTC month it ends in.</summary>
    public static string NewId(DateTimeOffset endsAt) =>
        "CK" + endsAt.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture) + Ids.New(string.Empty)[..12];

    /// <summary>The partition of a campaign id (its end month), or null for an id no campaign can have.</summary>
    public static string? PartitionOf(string campaignId) =>
        campaignId.Length == IdLength && campaignId.StartsWith("CK", StringComparison.Ordinal) && campaignId[2..8].All(char.IsAsciiDigit) ? campaignId[2..8] : null;

    /// <summary>The partition holding the campaigns that end in <paramref name="at"/>'s UTC month.</summary>
    public static string MonthPartition(DateTimeOffset at) => at.UtcDateTime.ToString("yyyyMM", CultureInfo.InvariantCulture);
}
