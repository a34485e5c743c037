using FluentValidation;
using Mall.Application.Catalog;
using Mall.Application.Orders;
using Mall.Application.Platform;
using Mall.Domain.CardCollecting;
using Mall.Domain.Compliance;

namespace Mall.Application.CardCollecting;

public sealed class CardCollectingOptions
{
    public const string SectionName = "CardCollecting";

    /// <summary>For a campaign that does not set missesBeforeGuarantee: draws in a row without a missing card before the next one gives one.</summary>
    public int DefaultMissesBeforeGuarantee { get; set; } = 3;

    /// <summary>Days after a campaign's end in which a full set can still be redeemed (its last day's orders and check-ins included).</summary>
    public int RedeemDaysAfterEnd { get; set; } = 7;
}

public sealed record CardKindRequest(string? Name, int? Weight);

/// <param name="MinimumPaidFen">paidOrder only: an order counts from this amount paid (absent: any paid order).</param>
public sealed record CardTaskRequest(CardTaskKind? Kind, long? MinimumPaidFen);

public sealed record CardGiftRequest(string? Name, long? CostFen);

/// <summary>A coupon template's id, or a physical gift: one of the two.</summary>
public sealed record CardRewardRequest(string? CouponTemplateId, CardGiftRequest? Gift);

/// <param name="MissesBeforeGuarantee">Draws in a row without a missing card before the next one gives one (default: the settings').</param>
public sealed record CardCampaignRequest(
    string? Name,
    DateTimeOffset? StartsAt,
    DateTimeOffset? EndsAt,
    IReadOnlyList<CardKindRequest>? Cards,
    IReadOnlyList<CardTaskRequest>? Tasks,
    CardRewardRequest? Reward,
    int? MissesBeforeGuarantee)
{
    /// <summary>What earns a card: paid orders and check-ins pass; a share task rewards sharing itself (reward-conditioned-on-sharing).</summary>
    public CampaignTerms ComplianceTerms() => new(CampaignMechanic.CardCollecting, null)
    {
        Rewards = (Tasks ?? []).Select((task, i) => new RewardTerm($"tasks[{i}].kind", RewardForm.Card, task?.Kind switch
        {
            CardTaskKind.Share => RewardCondition.ShareAct,
            CardTaskKind.DailyCheckIn => RewardCondition.CheckIn,
            _ => RewardCondition.PaidOrder,
        })).ToList(),
    };
}

public sealed class CardCampaignRequestValidator : AbstractValidator<CardCampaignRequest>
{
    public CardCampaignRequestValidator()
    {
        RuleFor(r => r.Name).NotEmpty().MaximumLength(20);
        RuleFor(r => r.StartsAt).NotNull().Must(InPlannableYears).WithMessage("Must be in the years 2000–2999.");
        RuleFor(r => r.EndsAt).NotNull().Must(InPlannableYears).WithMessage("Must be in the years 2000–2999.");
        RuleFor(r => r.EndsAt).GreaterThan(r => r.StartsAt).WithMessage("Must be after startsAt.").When(r => r.StartsAt is not null && r.EndsAt is not null);
        RuleFor(r => r.EndsAt).Must((r, end) => end - r.StartsAt <= TimeSpan.FromDays(CardCampaign.MaxDays)).WithMessage($"A card campaign lasts at most {CardCampaign.MaxDays} days.")
            .When(r => r.StartsAt is not null && r.EndsAt is not null);

        RuleFor(r => r.Cards).NotNull();
        RuleFor(r => r.Cards).Must(c => c!.Count is >= CardCampaign.MinKinds and <= CardCampaign.MaxKinds)
            .WithMessage($"A set has {CardCampaign.MinKinds}–{CardCampaign.MaxKinds} kinds of card.").When(r => r.Cards is not null);
        RuleForEach(r => r.Cards).NotNull().ChildRules(card =>
        {
            card.RuleFor(c => c.Name).NotEmpty().MaximumLength(20);
            card.RuleFor(c => c.Weight).NotNull().InclusiveBetween(1, CardCampaign.MaxWeight);
        });
        RuleFor(r => r.Cards).Must(c => c!.Select(k => k?.Name?.Trim()).Distinct().Count() == c!.Count).WithMessage("Each card needs a name of its own.")
            .When(r => r.Cards is not null);

        RuleFor(r => r.Tasks).NotEmpty();
        RuleForEach(r => r.Tasks).NotNull().ChildRules(task =>
        {
            task.RuleFor(t => t.Kind).NotNull().IsInEnum();
            task.RuleFor(t => t.MinimumPaidFen).InclusiveBetween(0, ProductRequestValidator.MaxPriceFen);
            task.RuleFor(t => t.MinimumPaidFen).Null().WithMessage("Only a paidOrder task has a minimum paid amount.").When(t => t.Kind is not CardTaskKind.PaidOrder);
        });
        RuleFor(r => r.Tasks).Must(t => t!.Select(k => k?.Kind).Distinct().Count() == t!.Count).WithMessage("Each kind of task at most once.")
            .When(r => r.Tasks is not null);
        RuleFor(r => r.Tasks).Must(t => t!.Any(k => k?.Kind is CardTaskKind.PaidOrder or CardTaskKind.DailyCheckIn))
            .WithMessage("Give a task that earns cards: paidOrder or dailyCheckIn (a set nobody can complete would be false advertising).")
            .When(r => r.Tasks is { Count: > 0 });

        RuleFor(r => r.Reward).NotNull();
        When(r => r.Reward is not null, () =>
        {
            RuleFor(r => r.Reward!.CouponTemplateId).NotEmpty().MustBeAnId().When(r => r.Reward!.Gift is null)
                .WithMessage("Give the coupon template of the reward, or a gift.").OverridePropertyName("reward.couponTemplateId");
            RuleFor(r => r.Reward!.CouponTemplateId).Null().When(r => r.Reward!.Gift is not null)
                .WithMessage("The reward is a coupon or a gift, not both.").OverridePropertyName("reward.couponTemplateId");
            When(r => r.Reward!.Gift is not null, () =>
            {
                RuleFor(r => r.Reward!.Gift!.Name).NotEmpty().MaximumLength(40).OverridePropertyName("reward.gift.name");
                RuleFor(r => r.Reward!.Gift!.CostFen).NotNull().InclusiveBetween(1, ProductRequestValidator.MaxPriceFen).OverridePropertyName("reward.gift.costFen");
            });
        });

        RuleFor(r => r.MissesBeforeGuarantee).InclusiveBetween(0, CardCampaign.MaxMissesBeforeGuarantee);
    }

    private static bool InPlannableYears(DateTimeOffset? at) => at is null || at.Value.UtcDateTime.Year is >= 2000 and <= 2999;
}

/// <param name="Address">Where to send a gift (required when the reward is one; ignored for a coupon).</param>
public sealed record CardRedeemRequest(AddressRequest? Address);

public sealed class CardRedeemRequestValidator : AbstractValidator<CardRedeemRequest>
{
    public CardRedeemRequestValidator() => RuleFor(r => r.Address!).SetValidator(new AddressRequestValidator()).When(r => r.Address is not null);
}

/// <param name="OddsBps">The chance an ordinary draw gives it, in basis points (its weight over all weights; rounded).</param>
public sealed record CardKindView(int Index, string Name, int Weight, int OddsBps);

/// <param name="ValueFen">What one redemption may cost the mall, reserved against the daily budget (operators' views only).</param>
public sealed record CardRewardView(CardRewardKind Kind, string? CouponTemplateId, string? GiftName, long? ValueFen);

/// <param name="MaxTasksForFullSet">However the draws fall, a full set takes at most this many tasks (see <see cref="CardDraws"/>).</param>
/// <param name="CreatedBy">The operator who saved it (operators' views only, as the reward's value).</param>
public sealed record CardCampaignView(
    string Id,
    string Name,
    DateTimeOffset StartsAt,
    DateTimeOffset EndsAt,
    DateTimeOffset RedeemableUntil,
    bool Running,
    IReadOnlyList<CardKindView> Cards,
    IReadOnlyList<CardTask> Tasks,
    CardRewardView Reward,
    int MissesBeforeGuarantee,
    int MaxTasksForFullSet,
    string? CreatedBy = null,
    DateTimeOffset? CreatedAt = null);

/// <param name="Count">Standing cards of the kind (revoked ones do not count).</param>
public sealed record HeldCardView(int Index, string Name, int Count);

public sealed record EarnedCardView(string Operation, int Card, string Name, CardTaskKind Task, string? OrderId, DateTimeOffset EarnedAt, DateTimeOffset? RevokedAt);

/// <summary>A gift's shipping as its owner sees it.</summary>
public sealed record FulfilmentProgressView(FulfilmentStatus Status, string? Carrier, string? TrackingNumber, DateTimeOffset? ShippedAt);

public sealed record RedemptionView(
    string Id,
    RedemptionStatus Status,
    DateTimeOffset StartedAt,
    DateTimeOffset? GrantedAt,
    CardRewardKind RewardKind,
    string? CouponId,
    FulfilmentProgressView? Fulfilment,
    RewardClawback? Clawback);

/// <param name="GuaranteedWithin">Draws until one is sure to give a missing card (null once the set is complete).</param>
public sealed record CollectionView(
    IReadOnlyList<HeldCardView> Held,
    IReadOnlyList<string> Missing,
    bool Complete,
    int? GuaranteedWithin,
    IReadOnlyList<EarnedCardView> Earned,
    RedemptionView? Redemption);

/// <summary>A campaign and, for a signed-in customer, their cards.</summary>
public sealed record MyCardCampaignView(CardCampaignView Campaign, CollectionView? Mine);

/// <param name="Repeated">Today's check-in was made before: nothing more was earned.</param>
public sealed record CheckInView(EarnedCardView Card, bool Repeated, CollectionView Mine);

/// <summary>A gift to ship, as operators see it: the recipient's name and phone masked, the postal address whole.</summary>
public sealed record CardFulfilmentView(
    string Id,
    string CampaignId,
    string CustomerId,
    string GiftName,
    long CostFen,
    ShippingAddress Address,
    FulfilmentStatus Status,
    DateTimeOffset CreatedAt,
    string? Carrier,
    string? TrackingNumber,
    string? ShippedBy,
    DateTimeOffset? ShippedAt,
    DateTimeOffset? CancelledAt);

/// <summary>Who a gift ships to, unmasked: for the operator who ships it (every read is audited).</summary>
public sealed record GiftRecipient(string FulfilmentId, string CampaignId, string CustomerId, ShippingAddress Address);

public sealed record CardFulfilmentPage(IReadOnlyList<CardFulfilmentView> Items, string? ContinuationToken);
