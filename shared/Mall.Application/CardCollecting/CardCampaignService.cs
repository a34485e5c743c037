using Mall.Application.Coupons;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.CardCollecting;
using Mall.Domain.Common;
using Mall.Domain.Coupons;

namespace Mall.Application.CardCollecting;

/// <summary>
/// Card-collecting campaigns 集卡 as operators save them and customers find them. A campaign is kept in the
/// partition of the UTC month it ends in (written into its id), so the running ones are a scan from this
/// month on, and its terms never change once saved.
/// </summary>
public sealed class CardCampaignService(
    IDocumentCollection<CardCampaign> campaigns,
    CouponService coupons,
    OrderOptions orders,
    CardCollectingOptions options,
    TimeProvider time)
{
    /// <summary>How far back operators' list reaches (campaigns that ended longer ago are still found by id).</summary>
    public static readonly TimeSpan ListedAfterEnd = TimeSpan.FromDays(92);

    public static DocumentKey KeyOf(string campaignId) =>
        CardCampaign.PartitionOf(campaignId) is { } month ? new DocumentKey(month, campaignId) : throw DomainException.NotFound($"Card campaign {campaignId}");

    /// <summary>
    /// Saves a campaign from a validated request: the one place a campaign is stored, so a compliance check of
    /// the request (a share task is refused there) goes first in here. The reward's template must exist; its
    /// value is what a redemption reserves against the daily budget.
    /// </summary>
    public async Task<CardCampaignView> CreateAsync(CardCampaignRequest request, string operatorId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        if (request.EndsAt!.Value <= now)
        {
            throw DomainException.Validation("endsAt", "Must be in the future.");
        }

        var reward = new CardReward(request.Reward!.CouponTemplateId, request.Reward.Gift is { } gift ? new CardGift(gift.Name!.Trim(), gift.CostFen!.Value) : null);
        var redeemableUntil = request.EndsAt.Value.ToUniversalTime().AddDays(options.RedeemDaysAfterEnd);
        var campaign = new CardCampaign
        {
            Id = CardCampaign.NewId(request.EndsAt.Value),
            Name = request.Name!.Trim(),
            StartsAt = request.StartsAt!.Value.ToUniversalTime(),
            EndsAt = request.EndsAt.Value.ToUniversalTime(),
            RedeemableUntil = redeemableUntil,
            Cards = request.Cards!.Select(c => new CardKind(c.Name!.Trim(), c.Weight!.Value)).ToList(),
            Tasks = request.Tasks!.Select(t => new CardTask(t.Kind!.Value, t.MinimumPaidFen)).ToList(),
            Reward = reward,
            RewardValueFen = reward.Gift?.CostFen ?? await CouponValueAsync(reward.CouponTemplateId!, redeemableUntil, cancellationToken),
            MissesBeforeGuarantee = request.MissesBeforeGuarantee ?? options.DefaultMissesBeforeGuarantee,
            CreatedBy = operatorId,
            CreatedAt = now,
        };
        await campaigns.InsertAsync(KeyOf(campaign.Id), campaign, [], cancellationToken);
        return View(campaign, now, forOperator: true);
    }

    public async Task<CardCampaign> GetAsync(string campaignId, CancellationToken cancellationToken) =>
        await FindAsync(campaignId, cancellationToken) ?? throw DomainException.NotFound($"Card campaign {campaignId}");

    public async Task<CardCampaign?> FindAsync(string campaignId, CancellationToken cancellationToken) =>
        (await campaigns.FindAsync(KeyOf(campaignId), cancellationToken))?.Value;

    /// <summary>Campaigns ending at or after <paramref name="endingFrom"/>, in start order.</summary>
    public async Task<IReadOnlyList<CardCampaign>> EndingFromAsync(DateTimeOffset endingFrom, CancellationToken cancellationToken)
    {
        var found = new List<CardCampaign>();
        await foreach (var campaign in campaigns.ScanAsync(new DocumentQuery { PartitionKeyFrom = CardCampaign.MonthPartition(endingFrom) }, 1000, cancellationToken))
        {
            if (campaign.Value.EndsAt >= endingFrom)
            {
                found.Add(campaign.Value);
            }
        }

        return found.OrderBy(c => c.StartsAt).ThenBy(c => c.Id, StringComparer.Ordinal).ToList();
    }

    /// <summary>The campaigns customers can collect cards in now.</summary>
    public async Task<IReadOnlyList<CardCampaignView>> RunningAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return (await EndingFromAsync(now, cancellationToken)).Where(c => c.IsRunning(now)).Select(c => View(c, now, forOperator: false)).ToList();
    }

    /// <summary>For operators: every campaign to come, running, or ended within <see cref="ListedAfterEnd"/>.</summary>
    public async Task<IReadOnlyList<CardCampaignView>> ListAsync(CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        return (await EndingFromAsync(now - ListedAfterEnd, cancellationToken)).Select(c => View(c, now, forOperator: true)).ToList();
    }

    public static CardCampaignView View(CardCampaign campaign, DateTimeOffset now, bool forOperator)
    {
        var odds = CardDraws.OddsBps(campaign.Cards.Select(c => c.Weight).ToList());
        return new CardCampaignView(
            campaign.Id,
            campaign.Name,
            campaign.StartsAt,
            campaign.EndsAt,
            campaign.RedeemableUntil,
            campaign.IsRunning(now),
            campaign.Cards.Select((card, index) => new CardKindView(index, card.Name, card.Weight, odds[index])).ToList(),
            campaign.Tasks,
            new CardRewardView(campaign.Reward.Gift is null ? CardRewardKind.Coupon : CardRewardKind.Gift, campaign.Reward.CouponTemplateId, campaign.Reward.Gift?.Name, forOperator ? campaign.RewardValueFen : null),
            campaign.MissesBeforeGuarantee,
            campaign.MaxTasksForFullSet,
            forOperator ? campaign.CreatedBy : null,
            forOperator ? campaign.CreatedAt : null);
    }

    /// <summary>
    /// The most a coupon of the reward's template takes off an order: its amount, its cap, or the shipping fee it
    /// waives. The template must be one only grants issue (a claimable one could be had without a set, and then
    /// use up the customer's limit) and stay issuable while sets are redeemed.
    /// </summary>
    private async Task<long> CouponValueAsync(string templateId, DateTimeOffset redeemableUntil, CancellationToken cancellationToken)
    {
        CouponTemplate template;
        try
        {
            template = (await coupons.GetTemplateAsync(templateId, cancellationToken)).Template;
        }
        catch (DomainException exception) when (exception.Code == ErrorCode.NotFound)
        {
            throw DomainException.Validation("reward.couponTemplateId", $"Coupon template {templateId} does not exist.");
        }

        if (template.Claimable)
        {
            throw DomainException.Validation("reward.couponTemplateId", "The reward's template must be grant-only (claimable: false): customers could claim it without a set.");
        }

        if (template.ValidDaysAfterClaim is null && template.ValidUntil < redeemableUntil)
        {
            throw DomainException.Validation("reward.couponTemplateId", $"Its coupons are valid only until {template.ValidUntil:u}, before sets can no longer be redeemed ({redeemableUntil:u}).");
        }

        return template.Kind switch
        {
            CouponKind.FixedAmount or CouponKind.Threshold => template.AmountFen,
            CouponKind.Percentage => template.MaxDiscountFen,
            _ => orders.ShippingFeeFen,
        };
    }
}
