using System.Net;

namespace Mall.EndToEndTests.Sharing;

/// <summary>
/// A share through the running mall: the link names its sharer and the active share domain; a new customer
/// logging in through it is the sharer's, and their first paid order waits for its after-sale window;
/// nothing is earned for sharing, and a program that would reward shares is refused.
/// </summary>
[Collection(nameof(LocalMall))]
public sealed class ShareJourneyTests(LocalMall mall)
{
    [Fact]
    public async Task A_new_customer_through_a_share_is_credited_pending_to_the_sharer_and_links_move_off_a_blocked_domain()
    {
        using var admin = await mall.AdminAsync();
        var hosts = new[] { $"s{Guid.NewGuid():N}"[..12] + ".mall.example.cn", "backup.mall.example.cn" };
        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("manage/share-domains", new { hosts })).Status);
        using var sharer = await mall.NewCustomerAsync();
        var sharerId = (await sharer.GetAsync("me")).Body.GetProperty("customerId").GetString();
        var (productId, skuId) = await mall.CreateProductAsync(priceFen: 5000, stock: 10);
        var template = await admin.PostAsync("manage/coupon-templates", new { name = "邀请有礼 5元", kind = "fixedAmount", amountFen = 500, validDaysAfterClaim = 14, perCustomerLimit = 1, totalQuota = 1_000, claimable = false });
        var program = await admin.PostAsync("manage/share-reward-programs", new
        {
            name = "邀请有礼",
            startsAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            endsAt = DateTimeOffset.UtcNow.AddDays(1),
            counts = "newPayingCustomers",
            tiers = new[] { new { invitees = 1, couponTemplateId = template.Body.GetProperty("id").GetString() } },
        });
        Assert.Equal(HttpStatusCode.Created, program.Status);

        var link = await sharer.PostAsync("shares", new { targetKind = "product", targetId = productId });
        Assert.Equal(HttpStatusCode.Created, link.Status);
        Assert.Equal(hosts[0], link.Body.GetProperty("domain").GetString());
        var token = link.Body.GetProperty("token").GetString()!;
        Assert.Equal($"pages/product/index?id={productId}&st={token}", link.Body.GetProperty("path").GetString());
        var landing = await mall.Anonymous().GetAsync("shares/resolve?token=" + Uri.EscapeDataString(token));
        Assert.Equal((HttpStatusCode.OK, productId), (landing.Status, landing.Body.GetProperty("targetId").GetString()));

        using var friend = await mall.NewCustomerAsync(shareToken: token);
        Assert.Equal(sharerId, (await friend.GetAsync("me")).Body.GetProperty("referrerId").GetString());
        await mall.PaidOrderAsync(friend, skuId, 1);
        // Counted once its after-sale window closes with the money kept; until then it is pending, the tier open.
        var mine = await LocalMall.WaitForAsync(sharer, "me/share-rewards", body => body.GetProperty("pending").GetInt64() == 1);
        Assert.Equal((0L, "open"), (mine.GetProperty("credited").GetInt64(), mine.GetProperty("tiers")[0].GetProperty("status").GetString()));

        var marked = await admin.PostAsync("manage/share-domains/mark", new { host = hosts[0], status = "blocked", reason = "拦截" });
        Assert.Equal(hosts[1], marked.Body.GetProperty("activeHost").GetString());
        Assert.Equal(hosts[1], (await sharer.PostAsync("shares", new { targetKind = "home" })).Body.GetProperty("domain").GetString());

        // A forged token binds nobody, and never fails the login.
        using var stranger = await mall.NewCustomerAsync(shareToken: token[..^3] + "AAA");
        Assert.False((await stranger.GetAsync("me")).Body.TryGetProperty("referrerId", out _));
        Assert.Equal(HttpStatusCode.BadRequest, (await mall.Anonymous().GetAsync("shares/resolve?token=nonsense")).Status);
    }

    [Fact]
    public async Task A_program_rewarding_shares_is_refused_with_its_rule_and_nothing_is_saved()
    {
        using var admin = await mall.AdminAsync();
        var before = (await admin.GetAsync("manage/share-reward-programs")).Body.GetArrayLength();

        var refused = await admin.PostAsync("manage/share-reward-programs", new
        {
            name = "分享3次得券",
            startsAt = DateTimeOffset.UtcNow.AddYears(5),
            endsAt = DateTimeOffset.UtcNow.AddYears(5).AddDays(7),
            counts = "shares",
            tiers = new[] { new { invitees = 3, couponTemplateId = "CT_WAKE_UP" } },
        });

        Assert.Equal(HttpStatusCode.UnprocessableEntity, refused.Status);
        Assert.Equal("COMPLIANCE_REFUSED", refused.Body.GetProperty("code").GetString());
        var finding = refused.Body.GetProperty("findings")[0];
        Assert.Equal(("reward-conditioned-on-sharing", "counts"), (finding.GetProperty("code").GetString(), finding.GetProperty("field").GetString()));
        Assert.Equal(before, (await admin.GetAsync("manage/share-reward-programs")).Body.GetArrayLength());
    }

    [Fact]
    public async Task An_operator_switches_a_mechanic_off_and_sets_its_daily_budget()
    {
        using var admin = await mall.AdminAsync();
        var set = await admin.PutAsync("manage/fission/cardCollecting", new { enabled = true, dailyBudgetFen = 123_400 });
        Assert.Equal((HttpStatusCode.OK, 123_400L), (set.Status, set.Body.GetProperty("dailyBudgetFen").GetInt64()));
        Assert.Equal(HttpStatusCode.NotFound, (await admin.PutAsync("manage/fission/lottery", new { enabled = false, dailyBudgetFen = 0 })).Status);
        var bad = await admin.PutAsync("manage/fission/bargains", new { enabled = false, dailyBudgetFen = -1 });
        Assert.Equal(HttpStatusCode.BadRequest, bad.Status);
        Assert.True(bad.Body.GetProperty("errors").TryGetProperty("dailyBudgetFen", out _));
    }
}
