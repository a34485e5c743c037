using System.Net;
using System.Text.Json;

namespace Mall.EndToEndTests.CardCollecting;

/// <summary>
/// Card collecting 集卡 through the running mall: an operator's campaign, a customer's check-in and paid
/// orders earning cards until the set is complete, the set redeemed for a coupon once.
/// </summary>
[Collection(nameof(LocalMall))]
public sealed class CardCollectingJourneyTests(LocalMall mall)
{
    private static int Earned(JsonElement campaign) => campaign.GetProperty("mine").GetProperty("earned").GetArrayLength();

    [Fact]
    public async Task Check_ins_and_paid_orders_earn_cards_until_the_set_is_complete_and_it_redeems_its_coupon_once()
    {
        using var admin = await mall.AdminAsync();
        var template = await admin.PostAsync("manage/coupon-templates", new
        {
            name = "集卡奖励 10元", kind = "fixedAmount", amountFen = 1_000, validDaysAfterClaim = 30, perCustomerLimit = 1, totalQuota = 1_000, claimable = false,
        });
        var templateId = template.Body.GetProperty("id").GetString()!;
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 6_000, stock: 20);
        var terms = new
        {
            name = "集三宝",
            startsAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            endsAt = DateTimeOffset.UtcNow.AddDays(7),
            cards = new[] { new { name = "茶", weight = 1 }, new { name = "壶", weight = 2 }, new { name = "杯", weight = 3 } },
            tasks = new object[] { new { kind = "paidOrder", minimumPaidFen = 5_000 }, new { kind = "dailyCheckIn" } },
            reward = new { couponTemplateId = templateId },
            missesBeforeGuarantee = 1,
        };

        var oneCard = await admin.PostAsync("manage/card-campaigns", terms with { cards = terms.cards[..1] });
        var noTemplate = await admin.PostAsync("manage/card-campaigns", terms with { reward = new { couponTemplateId = "CT_NO_SUCH_TEMPLATE" } });
        Assert.Equal((HttpStatusCode.BadRequest, HttpStatusCode.BadRequest), (oneCard.Status, noTemplate.Status));
        Assert.True(oneCard.Body.GetProperty("errors").TryGetProperty("cards", out _));
        Assert.True(noTemplate.Body.GetProperty("errors").TryGetProperty("reward.couponTemplateId", out _));

        // A card for sharing rewards the act of sharing: refused by name, and not stored.
        var forSharing = await admin.PostAsync("manage/card-campaigns", terms with { tasks = [.. terms.tasks, new { kind = "share" }] });
        Assert.Equal((HttpStatusCode.UnprocessableEntity, "COMPLIANCE_REFUSED"), (forSharing.Status, forSharing.Body.GetProperty("code").GetString()));
        var finding = forSharing.Body.GetProperty("findings")[0];
        Assert.Equal(("reward-conditioned-on-sharing", "tasks[2].kind"), (finding.GetProperty("code").GetString(), finding.GetProperty("field").GetString()));
        Assert.DoesNotContain((await admin.GetAsync("manage/card-campaigns")).Body.GetProperty("items").EnumerateArray(), c => c.GetProperty("name").GetString() == "集三宝");
        var created = await admin.PostAsync("manage/card-campaigns", terms);
        Assert.Equal(HttpStatusCode.Created, created.Status);
        var campaignId = created.Body.GetProperty("id").GetString()!;
        Assert.Equal(1_000, created.Body.GetProperty("reward").GetProperty("valueFen").GetInt64());

        // Public: the campaign with each card's odds and the most tasks a full set can take (1 + 2 × 2).
        var running = (await mall.Anonymous().GetAsync("card-campaigns")).Body.GetProperty("items").EnumerateArray().Single(c => c.GetProperty("id").GetString() == campaignId);
        Assert.Equal([1_667, 3_333, 5_000], running.GetProperty("cards").EnumerateArray().Select(c => c.GetProperty("oddsBps").GetInt32()));
        Assert.Equal(5, running.GetProperty("maxTasksForFullSet").GetInt32());
        Assert.False(running.TryGetProperty("createdBy", out _));

        using var customer = await mall.NewCustomerAsync();
        var checkIn = await customer.PostAsync($"card-campaigns/{campaignId}/check-in", new { });
        var again = await customer.PostAsync($"card-campaigns/{campaignId}/check-in", new { });
        Assert.Equal((HttpStatusCode.OK, false, true), (checkIn.Status, checkIn.Body.GetProperty("repeated").GetBoolean(), again.Body.GetProperty("repeated").GetBoolean()));
        Assert.Equal(checkIn.Body.GetProperty("card").GetProperty("card").GetInt32(), again.Body.GetProperty("card").GetProperty("card").GetInt32());
        Assert.Equal(HttpStatusCode.Conflict, (await customer.PostAsync($"card-campaigns/{campaignId}/redeem", new { })).Status);

        var tasks = 1;
        var mine = (await customer.GetAsync($"card-campaigns/{campaignId}")).Body;
        while (!mine.GetProperty("mine").GetProperty("complete").GetBoolean())
        {
            Assert.True(tasks < 5, $"Not complete within the bound: {mine}");
            await mall.PaidOrderAsync(customer, skuId, 1);
            tasks++;
            mine = await LocalMall.WaitForAsync(customer, $"card-campaigns/{campaignId}", body => Earned(body) == tasks);
        }

        var redeemed = await customer.PostAsync($"card-campaigns/{campaignId}/redeem", new { });
        Assert.Equal(HttpStatusCode.OK, redeemed.Status);
        Assert.Equal("granted", redeemed.Body.GetProperty("status").GetString());
        var couponId = redeemed.Body.GetProperty("couponId").GetString();
        var coupons = (await customer.GetAsync("me/coupons")).Body.GetProperty("items").EnumerateArray().ToList();
        var coupon = Assert.Single(coupons, c => c.GetProperty("id").GetString() == couponId);
        Assert.Equal((templateId, "available"), (coupon.GetProperty("templateId").GetString(), coupon.GetProperty("status").GetString()));

        var second = await customer.PostAsync($"card-campaigns/{campaignId}/redeem", new { });
        Assert.Equal((HttpStatusCode.Conflict, "CARD_SET_ALREADY_REDEEMED"), (second.Status, second.Body.GetProperty("code").GetString()));
        Assert.Single((await customer.GetAsync("me/coupons")).Body.GetProperty("items").EnumerateArray(), c => c.GetProperty("templateId").GetString() == templateId);

        // Nobody else sees these cards: another customer has none, a visitor only the campaign.
        using var other = await mall.NewCustomerAsync();
        Assert.Equal(0, Earned((await other.GetAsync($"card-campaigns/{campaignId}")).Body));
        Assert.False((await mall.Anonymous().GetAsync($"card-campaigns/{campaignId}")).Body.TryGetProperty("mine", out _));
    }

    [Fact]
    public async Task Switched_off_by_an_operator_check_ins_and_redeems_are_refused_with_a_clear_problem()
    {
        using var admin = await mall.AdminAsync();
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 6_000, stock: 5);
        var created = await admin.PostAsync("manage/card-campaigns", new
        {
            name = "集双福",
            startsAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            endsAt = DateTimeOffset.UtcNow.AddDays(1),
            cards = new[] { new { name = "福", weight = 1 }, new { name = "禄", weight = 1 } },
            tasks = new object[] { new { kind = "paidOrder" }, new { kind = "dailyCheckIn" } },
            reward = new { gift = new { name = "茶宠", costFen = 2_000 } },
            missesBeforeGuarantee = 0,
        });
        var campaignId = created.Body.GetProperty("id").GetString()!;
        using var customer = await mall.NewCustomerAsync();
        await mall.PaidOrderAsync(customer, skuId, 1);
        await LocalMall.WaitForAsync(customer, $"card-campaigns/{campaignId}", body => Earned(body) == 1);

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("manage/fission/cardCollecting", new { enabled = false, dailyBudgetFen = 500_000 })).Status);
        try
        {
            var checkIn = await customer.PostAsync($"card-campaigns/{campaignId}/check-in", new { });
            var redeem = await customer.PostAsync($"card-campaigns/{campaignId}/redeem", new { address = LocalMall.Address() });
            Assert.Equal((HttpStatusCode.Conflict, "MECHANIC_SWITCHED_OFF"), (checkIn.Status, checkIn.Body.GetProperty("code").GetString()));
            Assert.Equal((HttpStatusCode.Conflict, "MECHANIC_SWITCHED_OFF"), (redeem.Status, redeem.Body.GetProperty("code").GetString()));
        }
        finally
        {
            await admin.PutAsync("manage/fission/cardCollecting", new { enabled = true, dailyBudgetFen = 500_000 });
        }

        // Back on: the check-in completes the set, and a gift needs its address.
        Assert.True((await customer.PostAsync($"card-campaigns/{campaignId}/check-in", new { })).Body.GetProperty("mine").GetProperty("complete").GetBoolean());
        var noAddress = await customer.PostAsync($"card-campaigns/{campaignId}/redeem", new { });
        Assert.Equal(HttpStatusCode.BadRequest, noAddress.Status);
        Assert.True(noAddress.Body.GetProperty("errors").TryGetProperty("address", out _));
        var redeemed = await customer.PostAsync($"card-campaigns/{campaignId}/redeem", new { address = LocalMall.Address() });
        Assert.Equal("pending", redeemed.Body.GetProperty("fulfilment").GetProperty("status").GetString());
        var fulfilments = (await admin.GetAsync($"manage/card-campaigns/{campaignId}/fulfilments?status=pending")).Body.GetProperty("items");
        var gift = Assert.Single(fulfilments.EnumerateArray());
        Assert.Equal(("张*", "龙井*****"), (gift.GetProperty("address").GetProperty("recipient").GetString(), gift.GetProperty("address").GetProperty("detail").GetString()));

        // Shipping it takes the full address, read once and audited.
        var fulfilmentId = gift.GetProperty("id").GetString()!;
        var recipient = await admin.GetAsync($"manage/card-campaigns/{campaignId}/fulfilments/{fulfilmentId}/recipient?reason=ship-gift");
        Assert.Equal(("张三", "13800138000", "龙井路 1 号"), (recipient.Body.GetProperty("address").GetProperty("recipient").GetString(), recipient.Body.GetProperty("address").GetProperty("phone").GetString(), recipient.Body.GetProperty("address").GetProperty("detail").GetString()));
        var trail = (await admin.GetAsync("manage/audit/personal-data?pageSize=5")).Body.GetProperty("items").EnumerateArray();
        Assert.Contains(trail, e => e.GetProperty("subjectId").GetString() == fulfilmentId && e.GetProperty("what").GetString() == "gift recipient" && e.GetProperty("reason").GetString() == "ship-gift");
        Assert.Equal(HttpStatusCode.Forbidden, (await customer.GetAsync($"manage/card-campaigns/{campaignId}/fulfilments/{fulfilmentId}/recipient")).Status);
        Assert.Equal(HttpStatusCode.NotFound, (await admin.GetAsync($"manage/card-campaigns/{campaignId}/fulfilments/F-none/recipient")).Status);
    }
}
