using System.Net;
using System.Text.Json;
using Mall.Application.Platform;
using Mall.Domain.Campaigns;
using Mall.Domain.Catalog;
using Mall.Domain.Coupons;
using Mall.Domain.FlashSale;
using Mall.Domain.GroupBuy;
using Mall.Domain.Presale;
using Microsoft.Extensions.DependencyInjection;

namespace Mall.EndToEndTests.Compliance;

/// <summary>
/// Every kind of campaign save through the running mall: a save that breaks a compliance rule is a 422
/// naming the rule, the field and its basis, and stores nothing; a warned save goes ahead and says so;
/// the monthly report counts both.
/// </summary>
[Collection(nameof(LocalMall))]
public sealed class ComplianceJourneyTests(LocalMall mall)
{
    private static readonly DateTimeOffset Tomorrow = DateTimeOffset.UtcNow.AddDays(1);

    private static JsonElement AssertRefused(ApiResponse response, string rule, string field)
    {
        Assert.True(response.Status == HttpStatusCode.UnprocessableEntity, response.Body.ToString());
        Assert.Equal("application/problem+json", response.ContentType);
        Assert.Equal("COMPLIANCE_REFUSED", response.Body.GetProperty("code").GetString());
        Assert.True(response.Body.GetProperty("errors").TryGetProperty(field, out _), response.Body.ToString());
        var finding = Assert.Single(response.Body.GetProperty("findings").EnumerateArray(), f => f.GetProperty("field").GetString() == field);
        Assert.Equal(rule, finding.GetProperty("code").GetString());
        Assert.False(string.IsNullOrWhiteSpace(finding.GetProperty("basis").GetString()));
        return finding;
    }

    private async Task<bool> AnyStoredAsync<T>(Func<T, bool> match)
        where T : class
    {
        await foreach (var row in mall.Host.Services.GetRequiredService<IDocumentCollection<T>>().ScanAsync(new DocumentQuery(), 1000, CancellationToken.None))
        {
            if (match(row.Value))
            {
                return true;
            }
        }

        return false;
    }

    [Fact]
    public async Task A_reward_unlocked_by_sharing_is_refused_by_every_campaign_save_and_nothing_is_stored()
    {
        using var admin = await mall.AdminAsync();
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 9_900, stock: 10);
        var name = $"分享解锁 {Guid.NewGuid():N}"[..20];

        var priceRule = await admin.PostAsync("manage/price-rules", new { name, priceBps = 8_000, startsAt = Tomorrow, endsAt = Tomorrow.AddDays(1), unlockedBy = "share" });
        var finding = AssertRefused(priceRule, "reward-conditioned-on-sharing", "unlockedBy");
        Assert.Contains("微信小程序平台运营规范 5.1", finding.GetProperty("basis").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain((await admin.GetAsync("manage/price-rules")).Body.GetProperty("items").EnumerateArray(), r => r.GetProperty("name").GetString() == name);

        AssertRefused(
            await admin.PostAsync("manage/coupon-templates", new { name, kind = "fixedAmount", amountFen = 500, validDaysAfterClaim = 7, perCustomerLimit = 1, totalQuota = 100, unlockedBy = "share" }),
            "reward-conditioned-on-sharing",
            "unlockedBy");
        Assert.False(await AnyStoredAsync<CouponTemplate>(t => t.Name == name));

        AssertRefused(
            await admin.PostAsync("manage/group-buy-campaigns", new { skuId, groupPriceFen = 6_900, maxGroups = 10, endsAt = Tomorrow, unlockedBy = "share" }),
            "reward-conditioned-on-sharing",
            "unlockedBy");
        Assert.False(await AnyStoredAsync<GroupBuyCampaign>(c => c.SkuId == skuId));

        AssertRefused(
            await admin.PostAsync("manage/presale-campaigns", new
            {
                skuId,
                depositFen = 1_000,
                depositValueFen = 2_000,
                finalPriceFen = 8_900,
                depositStartsAt = Tomorrow,
                depositEndsAt = Tomorrow.AddDays(1),
                balanceStartsAt = Tomorrow.AddDays(1),
                balanceEndsAt = Tomorrow.AddDays(2),
                depositRefundable = true,
                unlockedBy = "share",
            }),
            "reward-conditioned-on-sharing",
            "unlockedBy");
        Assert.False(await AnyStoredAsync<PresaleCampaign>(c => c.SkuId == skuId));

        var flashKey = Guid.NewGuid().ToString();
        var flashSale = new { skuId, priceFen = 3_900, quantity = 2, startsAt = Tomorrow, unlockedBy = "share" };
        AssertRefused(await admin.PostAsync("manage/flash-sales", flashSale, flashKey), "reward-conditioned-on-sharing", "unlockedBy");
        AssertRefused(await admin.PostAsync("manage/flash-sales", flashSale, flashKey), "reward-conditioned-on-sharing", "unlockedBy");
        Assert.False(await AnyStoredAsync<FlashSaleSession>(s => s.SkuId == skuId));

        var template = new { skuId, priceFen = 3_900, quantity = 2, slot = "09:00", active = false, unlockedBy = "share" };
        AssertRefused(await admin.PostAsync("manage/flash-slot-templates", template), "reward-conditioned-on-sharing", "unlockedBy");
        var created = await admin.PostAsync("manage/flash-slot-templates", template with { unlockedBy = "purchase" });
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        var templateId = created.Body.GetProperty("id").GetString()!;
        AssertRefused(await admin.PutAsync($"manage/flash-slot-templates/{templateId}", template with { quantity = 1 }), "reward-conditioned-on-sharing", "unlockedBy");
        var kept = (await admin.GetAsync("manage/flash-slot-templates")).Body.GetProperty("items").EnumerateArray().Single(t => t.GetProperty("id").GetString() == templateId);
        Assert.Equal(2, kept.GetProperty("quantity").GetInt32());
        Assert.Equal(HttpStatusCode.NoContent, (await admin.SendAsync(new HttpRequestMessage(HttpMethod.Delete, $"manage/flash-slot-templates/{templateId}"))).Status);

        AssertRefused(
            await admin.PostAsync("manage/campaigns", new { kind = "discount", name, startsAt = Tomorrow.AddDays(20), endsAt = Tomorrow.AddDays(21), priceBps = 8_000, unlockedBy = "share" }, Guid.NewGuid().ToString()),
            "reward-conditioned-on-sharing",
            "unlockedBy");
        Assert.False(await AnyStoredAsync<Campaign>(c => c.Name == name));

        // Eight refused saves: the flash sale retried under its Idempotency-Key is one check.
        var report = (await admin.GetAsync("manage/compliance/report")).Body;
        Assert.True(report.GetProperty("byRule").GetProperty("reward-conditioned-on-sharing").GetProperty("refused").GetInt32() >= 8, report.ToString());
        foreach (var mechanic in new[] { "priceRule", "coupon", "groupBuy", "presale", "flashSale", "flashSlotTemplate", "calendarCampaign" })
        {
            Assert.True(report.GetProperty("byMechanic").GetProperty(mechanic).GetProperty("refused").GetInt32() >= 1, mechanic);
        }
    }

    [Fact]
    public async Task A_paid_add_on_ticked_by_default_and_a_false_reference_price_are_refused_and_nothing_changes()
    {
        using var admin = await mall.AdminAsync();
        var name = $"礼盒 {Guid.NewGuid():N}"[..20];
        var tieIn = await admin.PostAsync("manage/price-rules", new { name, priceBps = 9_000, startsAt = Tomorrow, endsAt = Tomorrow.AddDays(1), gift = new { name = "礼盒", priceFen = 800, selectedByDefault = true } });
        Assert.Contains("电子商务法 第十九条", AssertRefused(tieIn, "paid-add-on-ticked-by-default", "gift.selectedByDefault").GetProperty("basis").GetString(), StringComparison.Ordinal);
        Assert.DoesNotContain((await admin.GetAsync("manage/price-rules")).Body.GetProperty("items").EnumerateArray(), r => r.GetProperty("name").GetString() == name);

        var title = $"虚标 {Guid.NewGuid():N}";
        var invented = await admin.PostAsync("manage/products", new { title, categoryId = "e2e", status = "onSale", skus = new[] { new { name = "50g", priceFen = 5_900, referencePriceFen = 9_900, initialStock = 5 } } });
        AssertRefused(invented, "reference-price-not-truthful", "skus[0].referencePriceFen");
        Assert.False(await AnyStoredAsync<Product>(p => p.Title == title));

        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 5_900, stock: 5);
        var before = await admin.GetAsync($"manage/products/{productId}");
        var raised = await admin.PutAsync($"manage/products/{productId}", new { title = "龙井 e2e", categoryId = "e2e", status = "onSale", skus = new[] { new { skuId, name = "50g", priceFen = 5_900, referencePriceFen = 7_900 } } });
        AssertRefused(raised, "reference-price-not-truthful", "skus[0].referencePriceFen");
        Assert.Equal(before.Body.ToString(), (await admin.GetAsync($"manage/products/{productId}")).Body.ToString());

        var report = (await admin.GetAsync($"manage/compliance/report?month={Mall.Domain.Common.ChinaTime.DateOf(DateTimeOffset.UtcNow):yyyy-MM}")).Body;
        Assert.True(report.GetProperty("byMechanic").GetProperty("listing").GetProperty("refused").GetInt32() >= 2, report.ToString());
        Assert.Contains(report.GetProperty("listed").EnumerateArray(), c => c.GetProperty("campaignId").GetString() == productId && c.GetProperty("outcome").GetString() == "refused");
        Assert.Equal(HttpStatusCode.BadRequest, (await admin.GetAsync("manage/compliance/report?month=2026-13")).Status);
    }

    [Fact]
    public async Task A_fourth_commission_level_is_refused_and_the_seed_policy_is_saved_with_its_warnings()
    {
        using var admin = await mall.AdminAsync();
        var before = (await admin.GetAsync("manage/distribution/policy")).Body.ToString();

        var deeper = await admin.PutAsync("manage/distribution/policy", new { rates = new { level1Bps = 1_000, level2Bps = 500, level3Bps = 300, deeperLevelsBps = new[] { 200 } }, totalCapBps = 7_000 });
        Assert.Contains("禁止传销条例", AssertRefused(deeper, "commission-depth-over-three", "rates.deeperLevelsBps[0]").GetProperty("basis").GetString(), StringComparison.Ordinal);
        Assert.Equal(before, (await admin.GetAsync("manage/distribution/policy")).Body.ToString());

        // The seed's 40/20/10 is lawful but earns both warnings: a third level, and 70% above profit sharing's 30%.
        using var request = new HttpRequestMessage(HttpMethod.Put, "manage/distribution/policy")
        {
            Content = System.Net.Http.Json.JsonContent.Create(new { rates = new { level1Bps = 4_000, level2Bps = 2_000, level3Bps = 1_000 }, totalCapBps = 7_000 }),
        };
        using var saved = await admin.Http.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, saved.StatusCode);
        Assert.Equal("commission-depth-over-two, commission-over-payout-cap", saved.Headers.GetValues("Compliance-Warnings").Single());
        var body = JsonDocument.Parse(await saved.Content.ReadAsStringAsync()).RootElement;
        Assert.Equal(4_000, body.GetProperty("rates").GetProperty("level1Bps").GetInt32());
        var warnings = body.GetProperty("complianceWarnings").EnumerateArray().ToList();
        Assert.Equal(["rates.level3Bps", "rates"], warnings.Select(w => w.GetProperty("field").GetString()));
        Assert.Contains("3000 bps", warnings[1].GetProperty("basis").GetString(), StringComparison.Ordinal);

        var report = (await admin.GetAsync("manage/compliance/report")).Body;
        Assert.True(report.GetProperty("byRule").GetProperty("commission-over-payout-cap").GetProperty("warned").GetInt32() >= 1, report.ToString());
        Assert.True(report.GetProperty("byMechanic").GetProperty("distributionPolicy").GetProperty("refused").GetInt32() >= 1, report.ToString());
        Assert.Equal(3_000, report.GetProperty("payoutChannelCapBps").GetInt32());
    }

    [Fact]
    public async Task A_bargain_campaign_save_refused_after_its_check_is_not_reported_as_saved()
    {
        using var admin = await mall.AdminAsync();
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 2_000, stock: 10);
        async Task<int> SavedBargainsAsync() =>
            (await admin.GetAsync("manage/compliance/report")).Body.GetProperty("byMechanic").TryGetProperty("bargain", out var bargain)
                ? bargain.GetProperty("saved").GetInt32()
                : 0;
        var before = await SavedBargainsAsync();

        var aboveThePrice = await admin.PostAsync("manage/bargain-campaigns", new { skuId, floorFen = 2_500, maxBargains = 1, endsAt = Tomorrow });
        var afterRefusal = await SavedBargainsAsync();
        var valid = await admin.PostAsync("manage/bargain-campaigns", new { skuId, floorFen = 1_000, maxBargains = 1, endsAt = Tomorrow });

        Assert.True(aboveThePrice.Status == HttpStatusCode.BadRequest, aboveThePrice.Body.ToString());
        Assert.Equal(before, afterRefusal);
        Assert.True(valid.Status == HttpStatusCode.Created, valid.Body.ToString());
        Assert.Equal(before + 1, await SavedBargainsAsync());
    }
}
