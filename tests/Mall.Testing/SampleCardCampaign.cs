using Mall.Domain.CardCollecting;

namespace Mall.Testing;

/// <summary>A running card campaign for rule tests: cards of the given weights, a paid-order task from 50.00 and a daily check-in, a coupon reward.</summary>
public static class SampleCardCampaign
{
    public static CardCampaign With(IReadOnlyList<int> weights, int missesBeforeGuarantee, DateTimeOffset now) => new()
    {
        Id = "CK202612ABCDEFGHJKMN",
        Name = "集五福",
        StartsAt = now.AddDays(-1),
        EndsAt = now.AddDays(30),
        RedeemableUntil = now.AddDays(37),
        Cards = weights.Select((weight, i) => new CardKind($"card {i}", weight)).ToList(),
        Tasks = [new CardTask(CardTaskKind.PaidOrder, 5_000), new CardTask(CardTaskKind.DailyCheckIn)],
        Reward = new CardReward("CT1", null),
        RewardValueFen = 1_000,
        MissesBeforeGuarantee = missesBeforeGuarantee,
        CreatedBy = "admin",
        CreatedAt = now.AddDays(-2),
    };
}
