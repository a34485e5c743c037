using System.Globalization;
using Mall.Domain.Common;

namespace Mall.Domain.CardCollecting;

/// <summary>A card a task earned. A card from a paid order is revoked when refunds take the order below its task's minimum.</summary>
/// <param name="Operation">The task occurrence that earned it ("order:{orderId}", "check-in:{yyyy-MM-dd}"): one card each, for good.</param>
/// <param name="Card">The kind drawn: an index into the campaign's cards.</param>
public sealed record EarnedCard(string Operation, int Card, CardTaskKind Task, DateTimeOffset EarnedAt)
{
    public string? OrderId { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public bool Revoked => RevokedAt is not null;
}

public enum RedemptionStatus
{
    /// <summary>The set is taken for the reward; the budget reservation and the reward are being made (a retry completes them).</summary>
    Reserved,

    /// <summary>The reward is the customer's: a coupon, or a gift to be shipped.</summary>
    Granted,
}

/// <summary>What became of a granted reward whose set a refund broke.</summary>
public enum RewardClawback
{
    /// <summary>Being taken back.</summary>
    Pending,

    /// <summary>Taken back: the unused coupon revoked, or the gift's fulfilment cancelled before shipping.</summary>
    Revoked,

    /// <summary>The coupon was already used by an order: it is revoked if that order gives it back (cancelled, refunded in full).</summary>
    CouponInUse,

    /// <summary>The gift had already been shipped.</summary>
    GiftShipped,
}

/// <summary>
/// The redemption of a full set. Its id names everything done for it — the budget reservation, the coupon's
/// grant, the fulfilment — so each is made once however often the redemption is retried.
/// </summary>
/// <param name="Consumed">The operation of the card redeemed for each kind (index = kind).</param>
public sealed record CardRedemption(string Id, DateTimeOffset StartedAt, IReadOnlyList<string> Consumed)
{
    public RedemptionStatus Status { get; init; } = RedemptionStatus.Reserved;

    /// <summary>The CST day whose budget holds the reward's value, once reserved.</summary>
    public DateOnly? ChargedDay { get; init; }

    public string? CouponId { get; init; }

    public string? FulfilmentId { get; init; }

    public DateTimeOffset? GrantedAt { get; init; }

    /// <summary>The gift's delivery address, encrypted (personal data), until its fulfilment holds it.</summary>
    public string? ProtectedAddress { get; init; }

    public RewardClawback? Clawback { get; init; }

    /// <summary>The refunded order whose card broke the set.</summary>
    public string? ClawbackOrderId { get; init; }
}

/// <summary>A redemption given up after something may have been done for it (reserved budget, a coupon): what must be undone.</summary>
public sealed record AbandonedRedemption(string Id, DateOnly? ChargedDay);

public enum EarnResult
{
    Earned,

    /// <summary>This task occurrence earned its card before: nothing more (the card it earned is returned).</summary>
    AlreadyEarned,

    /// <summary>The set is redeemed: there is nothing more to collect.</summary>
    SetRedeemed,

    /// <summary>The collection holds <see cref="CardCollection.MaxCards"/> cards.</summary>
    LimitReached,
}

public sealed record EarnOutcome(CardCollection Collection, EarnResult Result, EarnedCard? Card);

public enum RevocationEffect
{
    /// <summary>No such card, or revoked already.</summary>
    None,

    /// <summary>Revoked; the redemption (if any) did not use it, or another card of its kind took its place.</summary>
    Revoked,

    /// <summary>Revoked, and the reserved redemption that used it is given up: undo what was done for it.</summary>
    RedemptionAbandoned,

    /// <summary>Revoked, and the granted reward that used it is to be taken back.</summary>
    ClawbackDue,
}

/// <summary>
/// One customer's cards in one campaign, with the redemption of their set: one document, so every change is
/// one guarded write — racing redeems reserve the set once, a card is earned once per task occurrence, a
/// refund's revocation and a redemption see each other. Bounded: at most <see cref="MaxCards"/> cards and
/// <see cref="MaxAbandoned"/> abandoned redemptions.
/// </summary>
public sealed record CardCollection(string CampaignId, string CustomerId)
{
    /// <summary>Cards one customer can hold in one campaign (93 days of check-ins leave over 100 for orders).</summary>
    public const int MaxCards = 200;

    /// <summary>Redemptions given up (a refund during one, a reward gone meanwhile) before no more are started.</summary>
    public const int MaxAbandoned = 20;

    public IReadOnlyList<EarnedCard> Cards { get; init; } = [];

    /// <summary>Draws in a row since the last one that gave a missing card (<see cref="CardDraws"/>'s guarantee counts them).</summary>
    public int MissesSinceNew { get; init; }

    public CardRedemption? Redemption { get; init; }

    public IReadOnlyList<AbandonedRedemption> Abandoned { get; init; } = [];

    /// <summary>The kinds held by cards that stand (not revoked).</summary>
    public IReadOnlySet<int> Held => Cards.Where(c => !c.Revoked).Select(c => c.Card).ToHashSet();

    /// <summary>The id the next redemption takes: a new one after each abandoned one, so nothing done for that one counts for the next.</summary>
    public string NextRedemptionId => Ids.Derive("CR", CampaignId, CustomerId, Abandoned.Count.ToString(CultureInfo.InvariantCulture));

    public IReadOnlyList<int> Missing(int kinds)
    {
        var held = Held;
        return Enumerable.Range(0, kinds).Where(kind => !held.Contains(kind)).ToList();
    }

    /// <summary>The card a task occurrence earns (drawn by <see cref="CardDraws"/>), once for good.</summary>
    public EarnOutcome Earn(CardCampaign campaign, string operation, CardTaskKind task, string? orderId, DateTimeOffset now)
    {
        ArgumentException.ThrowIfNullOrEmpty(operation);
        if (Cards.FirstOrDefault(c => c.Operation == operation) is { } earlier)
        {
            return new EarnOutcome(this, EarnResult.AlreadyEarned, earlier);
        }

        if (Redemption?.Status == RedemptionStatus.Granted)
        {
            return new EarnOutcome(this, EarnResult.SetRedeemed, null);
        }

        if (Cards.Count >= MaxCards)
        {
            return new EarnOutcome(this, EarnResult.LimitReached, null);
        }

        var held = Held;
        var card = CardDraws.Draw(CardDraws.Seed(CampaignId, CustomerId, operation), campaign.Cards.Select(c => c.Weight).ToList(), held, MissesSinceNew, campaign.MissesBeforeGuarantee);
        var earned = new EarnedCard(operation, card, task, now) { OrderId = orderId };
        return new EarnOutcome(this with { Cards = [.. Cards, earned], MissesSinceNew = held.Contains(card) ? MissesSinceNew + 1 : 0 }, EarnResult.Earned, earned);
    }

    /// <summary>Refuses what <see cref="Reserve"/> would refuse: a set redeemed already, or one with a card missing.</summary>
    /// <exception cref="DomainException">CARD_SET_ALREADY_REDEEMED, CARD_SET_INCOMPLETE, or CARD_REWARD_UNAVAILABLE after too many abandoned redemptions.</exception>
    public void EnsureRedeemable(CardCampaign campaign)
    {
        if (Redemption is { Status: RedemptionStatus.Granted })
        {
            throw AlreadyRedeemed();
        }

        if (Redemption is not null)
        {
            return;
        }

        var missing = Missing(campaign.Cards.Count);
        if (missing.Count > 0)
        {
            throw new DomainException(ErrorCode.CardSetIncomplete, $"The set is not complete yet: {string.Join(", ", missing.Select(kind => campaign.Cards[kind].Name))} still missing.");
        }

        if (Abandoned.Count >= MaxAbandoned)
        {
            throw new DomainException(ErrorCode.CardRewardUnavailable, "This set cannot be redeemed any more; please contact the mall.");
        }
    }

    /// <summary>
    /// Takes the full set for its reward: one card of each kind, check-in cards first (no refund can take them
    /// back), then the earliest. A reserved redemption is returned as it is, to be completed.
    /// </summary>
    /// <exception cref="DomainException">See <see cref="EnsureRedeemable"/>.</exception>
    public CardCollection Reserve(CardCampaign campaign, DateTimeOffset now, string? protectedAddress)
    {
        EnsureRedeemable(campaign);
        if (Redemption is not null)
        {
            return this;
        }

        var consumed = Enumerable.Range(0, campaign.Cards.Count).Select(kind => StandingCardOf(kind, [])!.Operation).ToList();
        return this with { Redemption = new CardRedemption(NextRedemptionId, now, consumed) { ProtectedAddress = protectedAddress } };
    }

    /// <summary>Records the CST day whose budget holds the reward; returns the day recorded (an earlier attempt's, perhaps), or null when the redemption is gone.</summary>
    public (CardCollection Collection, DateOnly? ChargedDay) RecordCharge(string redemptionId, DateOnly day)
    {
        if (Redemption?.Id != redemptionId)
        {
            return (this, null);
        }

        return Redemption.ChargedDay is { } recorded ? (this, recorded) : (this with { Redemption = Redemption with { ChargedDay = day } }, day);
    }

    /// <summary>The reward is the customer's. Returns whether the redemption is (now) granted; false when it is gone.</summary>
    public (CardCollection Collection, bool Granted, CardSetRedeemed? Redeemed) Grant(CardCampaign campaign, string redemptionId, string? couponId, string? fulfilmentId, DateTimeOffset now)
    {
        if (Redemption?.Id != redemptionId)
        {
            return (this, false, null);
        }

        if (Redemption.Status == RedemptionStatus.Granted)
        {
            return (this, true, null);
        }

        var granted = Redemption with { Status = RedemptionStatus.Granted, CouponId = couponId, FulfilmentId = fulfilmentId, GrantedAt = now, ProtectedAddress = null };
        var redeemed = new CardSetRedeemed(granted.Id, CampaignId, CustomerId, couponId is null ? CardRewardKind.Gift : CardRewardKind.Coupon, couponId, campaign.Reward.Gift?.Name, campaign.RewardValueFen)
        {
            OccurredAt = now,
        };
        return (this with { Redemption = granted }, true, redeemed);
    }

    /// <summary>
    /// Gives up a reserved redemption whose budget reservation was refused. Only while nobody recorded one for it:
    /// then nothing was reserved or granted under its id, and the next redemption may take the same id.
    /// </summary>
    public CardCollection Withdraw(string redemptionId) =>
        Redemption is { Status: RedemptionStatus.Reserved, ChargedDay: null } reserved && reserved.Id == redemptionId ? this with { Redemption = null } : this;

    /// <summary>Gives up a reserved redemption after its budget was reserved (its reward is gone): remembered, to undo what was done for it.</summary>
    public CardCollection Abandon(string redemptionId) =>
        Redemption is { Status: RedemptionStatus.Reserved } reserved && reserved.Id == redemptionId
            ? this with { Redemption = null, Abandoned = [.. Abandoned, new AbandonedRedemption(reserved.Id, reserved.ChargedDay)] }
            : this;

    /// <summary>
    /// A refund took back the order that earned the card of <paramref name="operation"/>. If the redemption used
    /// that card, another standing card of its kind takes its place; without one, a reserved redemption is given
    /// up and a granted reward is to be taken back.
    /// </summary>
    public (CardCollection Collection, RevocationEffect Effect) Revoke(string operation, string orderId, DateTimeOffset now)
    {
        var card = Cards.FirstOrDefault(c => c.Operation == operation);
        if (card is null || card.Revoked)
        {
            return (this, RevocationEffect.None);
        }

        var revoked = this with { Cards = Cards.Select(c => c.Operation == operation ? c with { RevokedAt = now } : c).ToList() };
        if (Redemption is not { } redemption || !redemption.Consumed.Contains(operation) || redemption.Clawback is not null)
        {
            return (revoked, RevocationEffect.Revoked);
        }

        if (revoked.StandingCardOf(card.Card, redemption.Consumed) is { } replacement)
        {
            var consumed = redemption.Consumed.Select(op => op == operation ? replacement.Operation : op).ToList();
            return (revoked with { Redemption = redemption with { Consumed = consumed } }, RevocationEffect.Revoked);
        }

        if (redemption.Status == RedemptionStatus.Reserved)
        {
            return (revoked with { Redemption = null, Abandoned = [.. Abandoned, new AbandonedRedemption(redemption.Id, redemption.ChargedDay)] }, RevocationEffect.RedemptionAbandoned);
        }

        return (revoked with { Redemption = redemption with { Clawback = RewardClawback.Pending, ClawbackOrderId = orderId } }, RevocationEffect.ClawbackDue);
    }

    /// <summary>Records what taking the reward back achieved, with its event; nothing when no clawback is pending.</summary>
    public (CardCollection Collection, CardRewardRevoked? Revoked) SettleClawback(RewardClawback outcome, DateTimeOffset now)
    {
        if (Redemption is not { Clawback: RewardClawback.Pending } redemption || outcome == RewardClawback.Pending)
        {
            return (this, null);
        }

        var revoked = new CardRewardRevoked(redemption.Id, CampaignId, CustomerId, redemption.ClawbackOrderId!, outcome) { OccurredAt = now };
        return (this with { Redemption = redemption with { Clawback = outcome } }, revoked);
    }

    public static DomainException AlreadyRedeemed() =>
        new(ErrorCode.CardSetAlreadyRedeemed, "This set was redeemed already: each customer redeems a campaign's reward once.");

    /// <summary>A standing card of <paramref name="kind"/> not in <paramref name="excluded"/>: check-in cards first, then the earliest.</summary>
    private EarnedCard? StandingCardOf(int kind, IReadOnlyList<string> excluded) =>
        Cards.Where(c => c.Card == kind && !c.Revoked && !excluded.Contains(c.Operation))
            .OrderBy(c => c.Task == CardTaskKind.DailyCheckIn ? 0 : 1)
            .ThenBy(c => c.EarnedAt)
            .FirstOrDefault();
}
