using Mall.Application.CardCollecting;
using Mall.Domain.CardCollecting;

namespace Mall.UnitTests.CardCollecting;

/// <summary>What operators may save: every refusal names its field, and a share task stays expressible for the compliance check.</summary>
public sealed class CardCampaignRequestTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 1, 0, 0, 0, TimeSpan.Zero);

    private static readonly CardCampaignRequest Valid = new(
        "集五福",
        Start,
        Start.AddDays(30),
        [new CardKindRequest("福", 1), new CardKindRequest("禄", 2)],
        [new CardTaskRequest(CardTaskKind.PaidOrder, 5_000), new CardTaskRequest(CardTaskKind.DailyCheckIn, null)],
        new CardRewardRequest("CT1", null),
        null);

    private static List<string> Refused(CardCampaignRequest request) =>
        new CardCampaignRequestValidator().Validate(request).Errors.Select(e => e.PropertyName).Distinct().ToList();

    [Fact]
    public void A_campaign_with_a_share_task_beside_an_earning_one_passes_shape_validation_and_the_tasks_stay_as_given()
    {
        Assert.Empty(Refused(Valid));
        Assert.Empty(Refused(Valid with { Tasks = [.. Valid.Tasks!, new CardTaskRequest(CardTaskKind.Share, null)] }));
    }

    public static TheoryData<CardCampaignRequest, string> Invalid => new()
    {
        { Valid with { Name = "" }, "Name" },
        { Valid with { EndsAt = Start.AddDays(-1) }, "EndsAt" },
        { Valid with { EndsAt = Start.AddDays(CardCampaign.MaxDays + 1) }, "EndsAt" },
        { Valid with { StartsAt = new DateTimeOffset(1, 1, 1, 0, 0, 0, TimeSpan.Zero) }, "StartsAt" },
        { Valid with { EndsAt = DateTimeOffset.MaxValue }, "EndsAt" },
        { Valid with { Cards = [new CardKindRequest("福", 1)] }, "Cards" },
        { Valid with { Cards = null }, "Cards" },
        { Valid with { Cards = [new CardKindRequest("福", 1), new CardKindRequest("福", 1)] }, "Cards" },
        { Valid with { Cards = [new CardKindRequest("福", 0), new CardKindRequest("禄", 1)] }, "Cards[0].Weight" },
        { Valid with { Cards = [new CardKindRequest("福", 1), null!] }, "Cards[1]" },
        { Valid with { Tasks = [] }, "Tasks" },
        { Valid with { Tasks = [new CardTaskRequest(CardTaskKind.Share, null)] }, "Tasks" },
        { Valid with { Tasks = [null!] }, "Tasks[0]" },
        { Valid with { Tasks = [new CardTaskRequest(CardTaskKind.DailyCheckIn, 100)] }, "Tasks[0].MinimumPaidFen" },
        { Valid with { Tasks = [new CardTaskRequest(CardTaskKind.PaidOrder, -1)] }, "Tasks[0].MinimumPaidFen" },
        { Valid with { Tasks = [new CardTaskRequest(CardTaskKind.PaidOrder, null), new CardTaskRequest(CardTaskKind.PaidOrder, 100)] }, "Tasks" },
        { Valid with { Reward = null }, "Reward" },
        { Valid with { Reward = new CardRewardRequest(null, null) }, "reward.couponTemplateId" },
        { Valid with { Reward = new CardRewardRequest("CT/1", null) }, "reward.couponTemplateId" },
        { Valid with { Reward = new CardRewardRequest("CT1", new CardGiftRequest("杯", 100)) }, "reward.couponTemplateId" },
        { Valid with { Reward = new CardRewardRequest(null, new CardGiftRequest("杯", 0)) }, "reward.gift.costFen" },
        { Valid with { Reward = new CardRewardRequest(null, new CardGiftRequest(null, 100)) }, "reward.gift.name" },
        { Valid with { MissesBeforeGuarantee = CardCampaign.MaxMissesBeforeGuarantee + 1 }, "MissesBeforeGuarantee" },
    };

    [Theory]
    [MemberData(nameof(Invalid))]
    public void A_bad_request_is_refused_naming_its_field(CardCampaignRequest request, string field) =>
        Assert.Contains(field, Refused(request));
}
