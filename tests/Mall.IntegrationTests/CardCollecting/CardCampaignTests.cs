using Mall.Application.CardCollecting;
using Mall.Application.Coupons;
using Mall.Domain.CardCollecting;
using Mall.Domain.Common;
using Mall.Domain.Coupons;

namespace Mall.IntegrationTests.CardCollecting;

/// <summary>What a campaign's save checks against the rest of the mall, and who sees which campaigns.</summary>
public sealed class CardCampaignTests
{
    private static CardCampaignRequest Request(string? templateId, DateTimeOffset now, CardGiftRequest? gift = null) => new(
        "集双福",
        now.AddMinutes(-1),
        now.AddDays(3),
        [new CardKindRequest("福", 1), new CardKindRequest("禄", 3)],
        [new CardTaskRequest(CardTaskKind.DailyCheckIn, null), new CardTaskRequest(CardTaskKind.Share, null)],
        new CardRewardRequest(templateId, gift),
        null);

    private static Task<CouponTemplate> TemplateAsync(MallFixture mall, bool claimable, DateTimeOffset? validUntil) =>
        mall.Get<CouponService>().CreateTemplateAsync(
            new CouponTemplateRequest { Name = "奖励", Kind = CouponKind.Percentage, PercentOffBps = 1_500, MaxDiscountFen = 2_500, ValidUntil = validUntil, ValidDaysAfterClaim = validUntil is null ? 30 : null, PerCustomerLimit = 1, TotalQuota = 100, Claimable = claimable },
            CancellationToken.None);

    [Fact]
    public async Task A_reward_template_must_exist_be_grant_only_and_outlast_the_redeeming_and_its_most_off_is_what_a_redemption_reserves()
    {
        await using var mall = await MallFixture.StartAsync();
        var campaigns = mall.Get<CardCampaignService>();
        var now = DateTimeOffset.UtcNow;
        var claimable = await TemplateAsync(mall, claimable: true, validUntil: null);
        var expiring = await TemplateAsync(mall, claimable: false, validUntil: now.AddDays(5));
        var fine = await TemplateAsync(mall, claimable: false, validUntil: null);

        foreach (var templateId in new[] { "CT_NONE", claimable.Id, expiring.Id })
        {
            var refused = await Assert.ThrowsAsync<DomainException>(() => campaigns.CreateAsync(Request(templateId, now), "admin", CancellationToken.None));
            Assert.Equal(["reward.couponTemplateId"], refused.FieldErrors!.Keys);
        }

        var past = await Assert.ThrowsAsync<DomainException>(() => campaigns.CreateAsync(Request(fine.Id, now) with { StartsAt = now.AddDays(-3), EndsAt = now.AddDays(-1) }, "admin", CancellationToken.None));
        Assert.Equal(["endsAt"], past.FieldErrors!.Keys);
        Assert.Empty(await campaigns.ListAsync(CancellationToken.None));

        var saved = await campaigns.CreateAsync(Request(fine.Id, now), "admin", CancellationToken.None);
        Assert.Equal(2_500, saved.Reward.ValueFen);
        Assert.Equal([CardTaskKind.DailyCheckIn, CardTaskKind.Share], saved.Tasks.Select(t => t.Kind));
        Assert.Equal(now.AddDays(3 + mall.Get<CardCollectingOptions>().RedeemDaysAfterEnd).ToUnixTimeSeconds(), saved.RedeemableUntil.ToUnixTimeSeconds());

        var ordersOnly = await campaigns.CreateAsync(Request(fine.Id, now) with { Tasks = [new CardTaskRequest(CardTaskKind.PaidOrder, null)] }, "admin", CancellationToken.None);
        var noCheckIn = await Assert.ThrowsAsync<DomainException>(async () => await mall.Get<CardCollectingService>().CheckInAsync(await mall.NewCustomerAsync(), ordersOnly.Id, CancellationToken.None));
        Assert.Equal(ErrorCode.CardTaskNotOffered, noCheckIn.Code);
    }

    [Fact]
    public async Task Customers_see_running_campaigns_without_what_they_cost_and_operators_see_all_with_it()
    {
        await using var mall = await MallFixture.StartAsync();
        var campaigns = mall.Get<CardCampaignService>();
        var now = DateTimeOffset.UtcNow;
        var running = await campaigns.CreateAsync(Request(null, now, new CardGiftRequest("茶宠", 2_000)), "admin", CancellationToken.None);
        var later = await campaigns.CreateAsync(Request(null, now, new CardGiftRequest("茶宠", 2_000)) with { StartsAt = now.AddDays(1) }, "admin", CancellationToken.None);

        var shown = Assert.Single(await campaigns.RunningAsync(CancellationToken.None));
        var listed = await campaigns.ListAsync(CancellationToken.None);

        Assert.Equal((running.Id, "茶宠", null, null), (shown.Id, shown.Reward.GiftName, shown.Reward.ValueFen, shown.CreatedBy));
        Assert.Equal([running.Id, later.Id], listed.Select(c => c.Id));
        Assert.All(listed, c => Assert.Equal((2_000L, "admin"), (c.Reward.ValueFen, c.CreatedBy)));
        Assert.Equal([2_500, 7_500], shown.Cards.Select(c => c.OddsBps));
        var early = await Assert.ThrowsAsync<DomainException>(async () => await mall.Get<CardCollectingService>().CheckInAsync(await mall.NewCustomerAsync(), later.Id, CancellationToken.None));
        Assert.Equal(ErrorCode.CampaignNotActive, early.Code);
    }
}
