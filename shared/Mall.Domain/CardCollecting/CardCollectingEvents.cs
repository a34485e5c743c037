using Mall.Domain.Common;

namespace Mall.Domain.CardCollecting;

public enum CardRewardKind
{
    Coupon,
    Gift,
}

/// <summary>A full set was redeemed: its reward (a coupon granted, or a gift to ship) is the customer's. Once per redemption.</summary>
/// <param name="ValueFen">What the reward may cost the mall, as reserved against the day's card-collecting budget.</param>
public sealed record CardSetRedeemed(string RedemptionId, string CampaignId, string CustomerId, CardRewardKind RewardKind, string? CouponId, string? GiftName, long ValueFen) : IntegrationEvent
{
    public override string Id => $"card-redemption:{RedemptionId}:redeemed";

    public override string SubjectId => RedemptionId;
}

/// <summary>A refund broke a redeemed set (no other card could stand in): the mall took the reward back as far as it could.</summary>
/// <param name="OrderId">The refunded order whose card was revoked.</param>
public sealed record CardRewardRevoked(string RedemptionId, string CampaignId, string CustomerId, string OrderId, RewardClawback Outcome) : IntegrationEvent
{
    public override string Id => $"card-redemption:{RedemptionId}:revoked";

    public override string SubjectId => RedemptionId;
}
