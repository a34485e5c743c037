using Mall.Application.Customers;
using Mall.Application.Fission;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.CardCollecting;
using Mall.Domain.Common;
using Mall.Domain.Fission;

namespace Mall.Application.CardCollecting;

/// <summary>
/// Customers' cards 集卡: earning them (a task occurrence earns one card, once for good, in one guarded write
/// of the customer's collection), their view of a campaign, and the gifts operators ship.
/// </summary>
public sealed class CardCollectingService(
    IDocumentCollection<CardCollection> collections,
    IDocumentCollection<CardFulfilment> fulfilments,
    CardCampaignService campaigns,
    CardRedemptions redemptions,
    FissionControls controls,
    OrderViews views,
    ErasedCustomers erased,
    PersonalDataAudit audit,
    TimeProvider time)
{
    /// <summary>The operation of a paid order's card: the order earns one card per campaign, for good.</summary>
    public static string OrderOperation(string orderId) => $"order:{orderId}";

    /// <summary>
    /// Today's check-in (CST day): one card per day, the same card however often it is retried. Refused
    /// while the mechanic is switched off, outside the campaign's window, without a check-in task.
    /// </summary>
    public async Task<CheckInView> CheckInAsync(string customerId, string campaignId, CancellationToken cancellationToken)
    {
        var campaign = await campaigns.GetAsync(campaignId, cancellationToken);
        if (campaign.EarningTask(CardTaskKind.DailyCheckIn) is null)
        {
            throw new DomainException(ErrorCode.CardTaskNotOffered, $"{campaign.Name} has no daily check-in: its cards come from paid orders.");
        }

        var now = time.GetUtcNow();
        if (!campaign.IsRunning(now))
        {
            throw new DomainException(ErrorCode.CampaignNotActive, $"{campaign.Name} collects cards from {campaign.StartsAt:u} until {campaign.EndsAt:u}.");
        }

        await controls.EnsureEnabledAsync(FissionMechanic.CardCollecting, cancellationToken);
        var outcome = await EarnAsync(campaign, customerId, $"check-in:{ChinaTime.DayKey(ChinaTime.DateOf(now))}", CardTaskKind.DailyCheckIn, null, now, cancellationToken);
        return outcome.Result switch
        {
            EarnResult.SetRedeemed => throw CardCollection.AlreadyRedeemed(),
            EarnResult.LimitReached => throw new DomainException(ErrorCode.CardLimitReached, $"You hold {CardCollection.MaxCards} cards of {campaign.Name}, the most one customer can."),
            _ => new CheckInView(EarnedView(campaign, outcome.Card!), outcome.Result == EarnResult.AlreadyEarned, await CollectionViewAsync(campaign, outcome.Collection, cancellationToken)),
        };
    }

    /// <summary>Earns the card of one task occurrence: drawn once, the same card for every repeat of the operation.</summary>
    public Task<EarnOutcome> EarnAsync(CardCampaign campaign, string customerId, string operation, CardTaskKind task, string? orderId, DateTimeOffset now, CancellationToken cancellationToken) =>
        collections.TransitionAsync(
            CardRedemptions.KeyOf(customerId, campaign.Id),
            current =>
            {
                var outcome = (current?.Value ?? new CardCollection(campaign.Id, customerId)).Earn(campaign, operation, task, orderId, now);
                return outcome.Result == EarnResult.Earned ? Decision.Write(outcome.Collection, outcome) : Decision.Keep<CardCollection, EarnOutcome>(outcome);
            },
            cancellationToken);

    /// <summary>Redeems the customer's full set once (see <see cref="CardRedemptions.RedeemAsync"/>), as its owner sees the redemption.</summary>
    public async Task<RedemptionView> RedeemAsync(string customerId, string campaignId, AddressRequest? address, CancellationToken cancellationToken)
    {
        var redemption = await redemptions.RedeemAsync(customerId, campaignId, address, cancellationToken);
        return await RedemptionViewAsync(await campaigns.GetAsync(campaignId, cancellationToken), redemption, cancellationToken);
    }

    /// <summary>A campaign, and the signed-in customer's cards in it (none for a visitor).</summary>
    public async Task<MyCardCampaignView> GetAsync(string? customerId, string campaignId, CancellationToken cancellationToken)
    {
        var campaign = await campaigns.GetAsync(campaignId, cancellationToken);
        var view = CardCampaignService.View(campaign, time.GetUtcNow(), forOperator: false);
        if (customerId is null)
        {
            return new MyCardCampaignView(view, null);
        }

        var collection = (await collections.FindAsync(CardRedemptions.KeyOf(customerId, campaignId), cancellationToken))?.Value ?? new CardCollection(campaignId, customerId);
        return new MyCardCampaignView(view, await CollectionViewAsync(campaign, collection, cancellationToken));
    }

    /// <summary>A campaign's gifts for operators, by status (all when null), a page at a time.</summary>
    public async Task<CardFulfilmentPage> FulfilmentsAsync(string campaignId, FulfilmentStatus? status, string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        await campaigns.GetAsync(campaignId, cancellationToken);
        var filters = status is { } wanted ? new Dictionary<string, string> { ["Status"] = wanted.ToString() } : new Dictionary<string, string>();
        var page = await fulfilments.QueryAsync(new DocumentQuery { PartitionKey = campaignId, ColumnEquals = filters }, continuationToken, pageSize, cancellationToken);
        return new CardFulfilmentPage(page.Items.Select(f => FulfilmentView(f.Value)).ToList(), page.ContinuationToken);
    }

    /// <summary>An operator shipped a gift (refused once a refund has cancelled it).</summary>
    public async Task<CardFulfilmentView> ShipAsync(string campaignId, string fulfilmentId, ShipRequest request, string operatorId, CancellationToken cancellationToken)
    {
        var now = time.GetUtcNow();
        var shipped = await fulfilments.UpdateAsync(
            CardRedemptions.FulfilmentKeyOf(campaignId, fulfilmentId),
            $"Fulfilment {fulfilmentId}",
            f => f.Ship(request.Carrier!, request.TrackingNumber!, operatorId, now),
            cancellationToken);
        return FulfilmentView(shipped);
    }

    /// <summary>
    /// Operators, to ship a gift: its recipient, phone and address unmasked, audited before they are returned (the
    /// list shows them masked). An erased customer's address is read only to ship a gift still owed to them.
    /// </summary>
    public async Task<GiftRecipient> RecipientForOperatorAsync(string campaignId, string fulfilmentId, string operatorId, string? reason, CancellationToken cancellationToken)
    {
        var fulfilment = (await fulfilments.FindAsync(CardRedemptions.FulfilmentKeyOf(campaignId, fulfilmentId), cancellationToken))?.Value
            ?? throw DomainException.NotFound($"Fulfilment {fulfilmentId}");
        if (fulfilment.Status != FulfilmentStatus.Pending && await erased.IsErasedAsync(fulfilment.CustomerId, cancellationToken))
        {
            throw new DomainException(ErrorCode.CustomerErased, $"The customer of gift {fulfilmentId} erased their account: its address is read only to ship a gift still owed.");
        }

        await audit.RecordAsync(operatorId, "gift recipient", fulfilment.Id, fulfilment.CustomerId, ["recipient", "phone", "address"], reason, cancellationToken);
        return new GiftRecipient(fulfilment.Id, fulfilment.CampaignId, fulfilment.CustomerId, views.Unprotect(fulfilment.ProtectedAddress));
    }

    /// <summary>Columns copied out of a fulfilment so operators can list what is still to ship.</summary>
    public static IReadOnlyDictionary<string, object?> IndexedColumns(CardFulfilment fulfilment) => new Dictionary<string, object?>
    {
        ["Status"] = fulfilment.Status.ToString(),
    };

    public static EarnedCardView EarnedView(CardCampaign campaign, EarnedCard card) =>
        new(card.Operation, card.Card, campaign.Cards[card.Card].Name, card.Task, card.OrderId, card.EarnedAt, card.RevokedAt);

    private async Task<CollectionView> CollectionViewAsync(CardCampaign campaign, CardCollection collection, CancellationToken cancellationToken)
    {
        var standing = collection.Cards.Where(c => !c.Revoked).ToList();
        var missing = collection.Missing(campaign.Cards.Count);
        return new CollectionView(
            campaign.Cards.Select((card, index) => new HeldCardView(index, card.Name, standing.Count(c => c.Card == index))).ToList(),
            missing.Select(kind => campaign.Cards[kind].Name).ToList(),
            missing.Count == 0,
            missing.Count == 0 ? null : Math.Max(0, campaign.MissesBeforeGuarantee - collection.MissesSinceNew) + 1,
            collection.Cards.Select(card => EarnedView(campaign, card)).ToList(),
            collection.Redemption is { } redemption ? await RedemptionViewAsync(campaign, redemption, cancellationToken) : null);
    }

    private async Task<RedemptionView> RedemptionViewAsync(CardCampaign campaign, CardRedemption redemption, CancellationToken cancellationToken)
    {
        var fulfilment = redemption.FulfilmentId is { } id ? (await fulfilments.FindAsync(CardRedemptions.FulfilmentKeyOf(campaign.Id, id), cancellationToken))?.Value : null;
        return new RedemptionView(
            redemption.Id,
            redemption.Status,
            redemption.StartedAt,
            redemption.GrantedAt,
            campaign.Reward.Gift is null ? CardRewardKind.Coupon : CardRewardKind.Gift,
            redemption.CouponId,
            fulfilment is null ? null : new FulfilmentProgressView(fulfilment.Status, fulfilment.Carrier, fulfilment.TrackingNumber, fulfilment.ShippedAt),
            redemption.Clawback);
    }

    private CardFulfilmentView FulfilmentView(CardFulfilment fulfilment) => new(
        fulfilment.Id,
        fulfilment.CampaignId,
        fulfilment.CustomerId,
        fulfilment.GiftName,
        fulfilment.CostFen,
        OrderViews.ForOperator(views.Unprotect(fulfilment.ProtectedAddress)),
        fulfilment.Status,
        fulfilment.CreatedAt,
        fulfilment.Carrier,
        fulfilment.TrackingNumber,
        fulfilment.ShippedBy,
        fulfilment.ShippedAt,
        fulfilment.CancelledAt);
}
