using Mall.Domain.Catalog;

namespace Mall.Domain.Compliance;

/// <summary>The kind of save a compliance check describes (the report counts checks by it).</summary>
public enum CampaignMechanic
{
    PriceRule,
    Coupon,
    GroupBuy,
    Presale,
    FlashSale,
    FlashSlotTemplate,
    CalendarCampaign,

    /// <summary>A product save: the reference prices its SKUs show struck through.</summary>
    Listing,
    Bargain,
    CardCollecting,
    ShareReward,
    DistributionPolicy,
}

/// <summary>What a customer receives.</summary>
public enum RewardForm
{
    Coupon,
    Gift,
    PriceCut,
    Points,
    Cash,
    RedPacket,
    LotteryDraw,
    Card,
}

/// <summary>What a customer must do to receive it.</summary>
public enum RewardCondition
{
    /// <summary>Buy (the campaign's own price, a gift with purchase).</summary>
    Purchase,

    /// <summary>An order of theirs is paid.</summary>
    PaidOrder,

    /// <summary>Someone they invited places a first paid order (a verified outcome, SPEC §4.11).</summary>
    NewPayingInvitee,

    /// <summary>A task inside the mall (browse, review, fill in the profile…).</summary>
    Task,

    CheckIn,

    /// <summary>
    /// Friends help (助力, a bargain's cut). Allowed only while <see cref="RewardTerm.HelpOnlyThroughShares"/>
    /// is false: see there.
    /// </summary>
    Help,

    /// <summary>The act of sharing itself (to a chat, a group or Moments): always refused.</summary>
    ShareAct,
}

/// <summary>
/// One reward a save offers and what unlocks it. <paramref name="HelpOnlyThroughShares"/> says, for a
/// <see cref="RewardCondition.Help"/> reward, that the help mechanic is unlocked by the act of sharing:
/// a helper can only help through something the customer shared (the share card, link or poster is the
/// only way in), or the customer must share before helping opens. Then every help is a share and the
/// reward is a reward for sharing. Help that a friend can give from any entry (the campaign page, search,
/// a QR code in the shop) without anything having been shared is allowed.
/// </summary>
/// <param name="Field">The request field that offers it, as the API names it.</param>
public sealed record RewardTerm(string Field, RewardForm Form, RewardCondition Condition, bool HelpOnlyThroughShares = false);

/// <summary>One level of a commission chain: what it pays, in basis points.</summary>
public sealed record CommissionLevel(string Field, int Bps);

/// <summary>
/// One chain of commission rates (a policy's default rates, or one product's override), nearest
/// ancestor first. <paramref name="TotalCapBps"/> is the most the chain pays in total, if it is capped.
/// </summary>
public sealed record CommissionSchedule(string Field, IReadOnlyList<CommissionLevel> Levels, int? TotalCapBps = null)
{
    /// <summary>How many levels earn anything: the deepest level with a rate above zero.</summary>
    public int Depth
    {
        get
        {
            for (var i = Levels.Count - 1; i >= 0; i--)
            {
                if (Levels[i].Bps > 0)
                {
                    return i + 1;
                }
            }

            return 0;
        }
    }

    /// <summary>The most one order pays out: the levels together, within the cap.</summary>
    public int TotalBps => Math.Min(Levels.Sum(l => l.Bps), TotalCapBps ?? int.MaxValue);
}

/// <summary>A price shown struck through, with the SKU's selling price and price history to judge it by.</summary>
public sealed record ReferencePriceTerm(string Field, long PriceFen, IReadOnlyList<PricePeriod> PriceHistory, long ClaimedReferenceFen);

/// <summary>An extra offered with the purchase (a gift basket at checkout) and whether it comes ticked.</summary>
public sealed record PaidAddOnTerm(string Field, long PriceFen, bool SelectedByDefault);

/// <summary>
/// What one save offers customers, as far as compliance is concerned. Any campaign can be described:
/// name the rewards it hands out and what unlocks them, the commission chains it pays, the reference
/// prices it shows and the add-ons it offers; leave out what it does not have.
/// </summary>
/// <param name="CampaignId">What is being saved, when known before the save (shown in the monthly report).</param>
public sealed record CampaignTerms(CampaignMechanic Mechanic, string? CampaignId)
{
    public IReadOnlyList<RewardTerm> Rewards { get; init; } = [];

    public IReadOnlyList<CommissionSchedule> Commissions { get; init; } = [];

    public IReadOnlyList<ReferencePriceTerm> ReferencePrices { get; init; } = [];

    public IReadOnlyList<PaidAddOnTerm> PaidAddOns { get; init; } = [];
}
