using Mall.Application.Coupons;
using Mall.Application.Fission;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.CardCollecting;
using Mall.Domain.Common;
using Mall.Domain.Coupons;
using Mall.Domain.Fission;

namespace Mall.Application.CardCollecting;

public static class CardCollectingWork
{
    /// <summary>Brings a collection's redemption to an end: finishes a reserved one, undoes abandoned ones, takes back a broken set's reward.</summary>
    public const string Reconcile = "card-redemption";
}

/// <summary>
/// The redemption of full sets 集卡兑奖, once per customer and campaign, in steps that each can be repeated:
/// <list type="number">
/// <item>one guarded write of the collection reserves the set under a redemption id (racing redeems: one
/// wins, the others go on with its redemption);</item>
/// <item>the reward's value is reserved against the day's card-collecting budget under that id (refused: the
/// reservation is withdrawn and nothing is left);</item>
/// <item>the reward is made under that id — a coupon granted with it as grant key, or the gift's fulfilment
/// record inserted with it as id;</item>
/// <item>one guarded write marks the redemption granted, with <see cref="CardSetRedeemed"/>; then the budget
/// reservation is settled.</item>
/// </list>
/// A crash between steps leaves the redemption reserved: a retried redeem completes it, and so does the due
/// work scheduled before it was reserved (one whose budget was reserved before the mechanic was switched off
/// is completed: its reward was promised). A refund that breaks a reserved set abandons it (everything done
/// under its id is undone; the next redemption takes a new id); one that breaks a granted set takes the
/// reward back as far as it can (<see cref="RewardClawback"/>).
/// </summary>
public sealed class CardRedemptions(
    IDocumentCollection<CardCollection> collections,
    IDocumentCollection<CardFulfilment> fulfilments,
    CardCampaignService campaigns,
    FissionControls controls,
    CouponService coupons,
    OrderViews views,
    IDueWorkScheduler scheduler,
    TimeProvider time)
{
    /// <summary>When the due work looks at a redemption after it started: long after a redeem request has ended.</summary>
    public static readonly TimeSpan CheckAfter = TimeSpan.FromMinutes(5);

    public static DocumentKey KeyOf(string customerId, string campaignId) => new(customerId, campaignId);

    public static DocumentKey FulfilmentKeyOf(string campaignId, string fulfilmentId) => new(campaignId, fulfilmentId);

    /// <summary>The due work's subject for a collection.</summary>
    public static string Subject(string customerId, string campaignId) => $"{customerId}|{campaignId}";

    /// <summary>
    /// Redeems the customer's full set: refused while the mechanic is off (MECHANIC_SWITCHED_OFF), over the
    /// day's budget (BUDGET_EXHAUSTED), with a card missing (CARD_SET_INCOMPLETE), once redeemed
    /// (CARD_SET_ALREADY_REDEEMED), outside the campaign's redeeming window (CAMPAIGN_NOT_ACTIVE) or when the
    /// reward has run out (CARD_REWARD_UNAVAILABLE). A gift needs a delivery address.
    /// </summary>
    public async Task<CardRedemption> RedeemAsync(string customerId, string campaignId, AddressRequest? address, CancellationToken cancellationToken)
    {
        var campaign = await campaigns.GetAsync(campaignId, cancellationToken);
        await controls.EnsureEnabledAsync(FissionMechanic.CardCollecting, cancellationToken);
        var key = KeyOf(customerId, campaignId);
        var now = time.GetUtcNow();
        var collection = (await collections.FindAsync(key, cancellationToken))?.Value ?? new CardCollection(campaignId, customerId);
        collection.EnsureRedeemable(campaign);
        var checkedNew = collection.Redemption is null;
        string? protectedAddress = null;
        if (checkedNew)
        {
            protectedAddress = await CheckRedeemableAsync(campaign, customerId, address, now, cancellationToken);

            // Its check is scheduled before the redemption exists, so none is left unfinished.
            await scheduler.ScheduleAsync(new DueWork(CardCollectingWork.Reconcile, Subject(customerId, campaignId), now + CheckAfter), cancellationToken);
        }

        var reserved = await collections.TransitionAsync(
            key,
            current =>
            {
                var value = current?.Value ?? new CardCollection(campaignId, customerId);
                if (value.Redemption is null && !checkedNew)
                {
                    // The redemption this call set out to complete was withdrawn meanwhile: a new one needs the checks above.
                    throw Changed();
                }

                var next = value.Reserve(campaign, now, protectedAddress);
                return ReferenceEquals(next, value) ? Decision.Keep<CardCollection, CardRedemption>(next.Redemption!) : Decision.Write(next, next.Redemption!);
            },
            cancellationToken);
        return await CompleteAsync(campaign, customerId, reserved, cancellationToken);
    }

    /// <summary>Due work: <see cref="ReconcileAsync(string, string, CancellationToken)"/> for the collection a <see cref="Subject"/> names.</summary>
    public Task<DueWorkResult> ReconcileAsync(string subject, CancellationToken cancellationToken)
    {
        var parts = subject.Split('|');
        return parts.Length == 2 ? ReconcileAsync(parts[0], parts[1], cancellationToken) : Task.FromResult(DueWorkResult.Done);
    }

    /// <summary>
    /// Due work, and the tail of every refund's revocation: undoes what was done for abandoned redemptions,
    /// completes a reserved one nobody finished, settles a granted one's budget and takes back the reward of a
    /// set a refund broke. Idempotent.
    /// </summary>
    public async Task<DueWorkResult> ReconcileAsync(string customerId, string campaignId, CancellationToken cancellationToken)
    {
        if ((await collections.FindAsync(KeyOf(customerId, campaignId), cancellationToken))?.Value is not { } collection
            || await campaigns.FindAsync(campaignId, cancellationToken) is not { } campaign)
        {
            return DueWorkResult.Done;
        }

        foreach (var abandoned in collection.Abandoned)
        {
            await UndoAsync(campaign, customerId, abandoned, cancellationToken);
        }

        switch (collection.Redemption)
        {
            case { Status: RedemptionStatus.Reserved } reserved:
                try
                {
                    await CompleteAsync(campaign, customerId, reserved, cancellationToken);
                }
                catch (DomainException exception) when (exception.Code is ErrorCode.MechanicSwitchedOff or ErrorCode.BudgetExhausted or ErrorCode.CardRewardUnavailable or ErrorCode.Conflict)
                {
                    // Refused: withdrawn or abandoned, and undone, on the way; the customer may redeem again.
                }

                break;
            case { Status: RedemptionStatus.Granted } granted:
                await controls.SettleAsync(Charge(campaign, granted.Id, granted.ChargedDay!.Value), cancellationToken);
                if (granted.Clawback == RewardClawback.Pending)
                {
                    await ClawBackAsync(campaign, customerId, granted, cancellationToken);
                }

                break;
        }

        return DueWorkResult.Done;
    }

    /// <summary>The grant key of a redemption's coupon: the same redemption, the same coupon.</summary>
    public static string GrantKey(string redemptionId) => $"cards:{redemptionId}";

    private static BudgetCharge Charge(CardCampaign campaign, string redemptionId, DateOnly day) =>
        new(FissionMechanic.CardCollecting, day, redemptionId, campaign.RewardValueFen);

    /// <summary>The checks of a new redemption; returns the gift's protected delivery address (null for a coupon).</summary>
    private async Task<string?> CheckRedeemableAsync(CardCampaign campaign, string customerId, AddressRequest? address, DateTimeOffset now, CancellationToken cancellationToken)
    {
        if (!campaign.IsRedeemable(now))
        {
            throw new DomainException(ErrorCode.CampaignNotActive, $"Card sets of {campaign.Name} are redeemed from {campaign.StartsAt:u} until {campaign.RedeemableUntil:u}.");
        }

        if (campaign.Reward.CouponTemplateId is { } templateId)
        {
            return await coupons.GrantableAsync(customerId, templateId, cancellationToken)
                ? null
                : throw new DomainException(ErrorCode.CardRewardUnavailable, "The reward of this set is no longer available; your cards are kept.");
        }

        return address is null
            ? throw DomainException.Validation("address", "The reward is a gift sent by post: give the delivery address.")
            : views.ProtectAddress(address.ToShippingAddress());
    }

    private async Task<CardRedemption> CompleteAsync(CardCampaign campaign, string customerId, CardRedemption redemption, CancellationToken cancellationToken)
    {
        var key = KeyOf(customerId, campaign.Id);
        var day = redemption.ChargedDay ?? await ChargeAsync(campaign, key, redemption.Id, cancellationToken);
        string? couponId = null;
        string? fulfilmentId = null;
        if (campaign.Reward.CouponTemplateId is { } templateId)
        {
            couponId = (await GrantCouponAsync(customerId, templateId, redemption.Id, cancellationToken))?.Id;
            if (couponId is null)
            {
                await UndoIfAbandonedAsync(campaign, await collections.UpdateAsync(key, "Card collection", c => c.Abandon(redemption.Id), cancellationToken), redemption.Id, cancellationToken);
                throw new DomainException(ErrorCode.CardRewardUnavailable, "The reward of this set is no longer available; your cards are kept.");
            }
        }
        else
        {
            fulfilmentId = await RecordFulfilmentAsync(campaign, customerId, redemption, cancellationToken);
        }

        var now = time.GetUtcNow();
        var granted = await collections.TransitionAsync(
            key,
            current =>
            {
                var (next, isGranted, redeemed) = current!.Value.Grant(campaign, redemption.Id, couponId, fulfilmentId, now);
                return redeemed is null ? Decision.Keep<CardCollection, CardRedemption?>(isGranted ? next.Redemption : null) : Decision.Write(next, next.Redemption, redeemed);
            },
            cancellationToken);
        if (granted is null)
        {
            // A refund broke the set meanwhile and gave the redemption up: what was just done for it is undone.
            await UndoIfAbandonedAsync(campaign, (await collections.FindAsync(key, cancellationToken))!.Value, redemption.Id, cancellationToken);
            throw Changed();
        }

        await controls.SettleAsync(Charge(campaign, redemption.Id, day), cancellationToken);
        return granted;
    }

    /// <summary>
    /// Reserves the reward's value against today's budget and records the day; a refusal withdraws the redemption
    /// (nothing was charged or granted under its id). Returns the day recorded, which an earlier attempt may have set.
    /// </summary>
    private async Task<DateOnly> ChargeAsync(CardCampaign campaign, DocumentKey key, string redemptionId, CancellationToken cancellationToken)
    {
        var today = ChinaTime.DateOf(time.GetUtcNow());
        try
        {
            await controls.ChargeAsync(FissionMechanic.CardCollecting, today, redemptionId, campaign.RewardValueFen, cancellationToken);
        }
        catch (DomainException exception) when (exception.Code is ErrorCode.MechanicSwitchedOff or ErrorCode.BudgetExhausted)
        {
            await collections.UpdateAsync(key, "Card collection", c => c.Withdraw(redemptionId), cancellationToken);
            throw;
        }

        var recorded = await collections.TransitionAsync(
            key,
            current =>
            {
                var (next, day) = current!.Value.RecordCharge(redemptionId, today);
                return ReferenceEquals(next, current.Value) ? Decision.Keep<CardCollection, DateOnly?>(day) : Decision.Write(next, day);
            },
            cancellationToken);
        if (recorded != today)
        {
            // Gone (withdrawn by a racing refusal, or abandoned), or reserved on another day by an earlier attempt: today's goes back.
            await controls.ReleaseAsync(Charge(campaign, redemptionId, today), cancellationToken);
        }

        return recorded ?? throw Changed();
    }

    private static DomainException Changed() =>
        new(ErrorCode.Conflict, "The set changed while it was being redeemed (a refund took a card back, or another redeem was refused); nothing was redeemed. Look at your cards and try again.");

    /// <summary>Undoes what was done for a redemption if it was abandoned (a racing attempt may have granted it instead: that stands).</summary>
    private async Task UndoIfAbandonedAsync(CardCampaign campaign, CardCollection collection, string redemptionId, CancellationToken cancellationToken)
    {
        if (collection.Abandoned.FirstOrDefault(a => a.Id == redemptionId) is { } abandoned)
        {
            await UndoAsync(campaign, collection.CustomerId, abandoned, cancellationToken);
        }
    }

    /// <summary>The redemption's coupon, or null when it cannot be issued any more (quota, limit or validity gone since the check).</summary>
    private async Task<Coupon?> GrantCouponAsync(string customerId, string templateId, string redemptionId, CancellationToken cancellationToken)
    {
        try
        {
            return await coupons.GrantAsync(customerId, templateId, GrantKey(redemptionId), cancellationToken);
        }
        catch (DomainException exception) when (exception.Code == ErrorCode.CouponUnavailable)
        {
            return null;
        }
    }

    private async Task<string> RecordFulfilmentAsync(CardCampaign campaign, string customerId, CardRedemption redemption, CancellationToken cancellationToken)
    {
        var gift = campaign.Reward.Gift!;
        var fulfilment = new CardFulfilment(redemption.Id, campaign.Id, customerId, gift.Name, gift.CostFen, redemption.ProtectedAddress!, time.GetUtcNow());
        try
        {
            await fulfilments.InsertAsync(FulfilmentKeyOf(campaign.Id, redemption.Id), fulfilment, [], cancellationToken);
        }
        catch (ConcurrencyConflictException)
        {
            // Recorded by an earlier attempt of the same redemption.
        }

        return redemption.Id;
    }

    /// <summary>Undoes what may have been done for an abandoned redemption: its coupon revoked, its fulfilment cancelled, its budget given back.</summary>
    private async Task UndoAsync(CardCampaign campaign, string customerId, AbandonedRedemption abandoned, CancellationToken cancellationToken)
    {
        await TakeBackRewardAsync(campaign, customerId, abandoned.Id, cancellationToken);
        if (abandoned.ChargedDay is { } day)
        {
            await controls.ReleaseAsync(Charge(campaign, abandoned.Id, day), cancellationToken);
        }
    }

    /// <summary>Takes back the reward of a set a refund broke, and records how far that went (with <see cref="CardRewardRevoked"/>).</summary>
    private async Task ClawBackAsync(CardCampaign campaign, string customerId, CardRedemption redemption, CancellationToken cancellationToken)
    {
        var outcome = await TakeBackRewardAsync(campaign, customerId, redemption.Id, cancellationToken);
        var now = time.GetUtcNow();
        await collections.TransitionAsync(
            KeyOf(customerId, campaign.Id),
            current =>
            {
                var (next, revoked) = current!.Value.SettleClawback(outcome, now);
                return revoked is null ? Decision.Keep<CardCollection, bool>(false) : Decision.Write(next, true, revoked);
            },
            cancellationToken);
    }

    private async Task<RewardClawback> TakeBackRewardAsync(CardCampaign campaign, string customerId, string redemptionId, CancellationToken cancellationToken)
    {
        if (campaign.Reward.CouponTemplateId is { } templateId)
        {
            return await coupons.RevokeGrantAsync(customerId, templateId, GrantKey(redemptionId), cancellationToken) == CouponRevocation.RevokedWhenReturned
                ? RewardClawback.CouponInUse
                : RewardClawback.Revoked;
        }

        var now = time.GetUtcNow();
        var fulfilment = await fulfilments.TransitionAsync(
            FulfilmentKeyOf(campaign.Id, redemptionId),
            current =>
            {
                if (current is null)
                {
                    return Decision.Keep<CardFulfilment, CardFulfilment?>(null);
                }

                var cancelled = current.Value.Cancel(now);
                return ReferenceEquals(cancelled, current.Value) ? Decision.Keep<CardFulfilment, CardFulfilment?>(cancelled) : Decision.Write(cancelled, (CardFulfilment?)cancelled);
            },
            cancellationToken);
        return fulfilment?.Status == FulfilmentStatus.Shipped ? RewardClawback.GiftShipped : RewardClawback.Revoked;
    }
}
