using System.Net;

namespace Mall.EndToEndTests.Bargains;

/// <summary>Bargains through the running mall: an operator's campaign, helps by other customers over HTTP, the order paid at WeChat (the sandbox).</summary>
[Collection(nameof(LocalMall))]
public sealed class BargainJourneyTests(LocalMall mall)
{
    private static async Task<string> CampaignAsync(ApiClient admin, string skuId, int helpsToFloor)
    {
        var created = await admin.PostAsync("manage/bargain-campaigns", new
        {
            skuId,
            floorFen = 1_900,
            helpsToFloor,
            maxBargains = 100,
            endsAt = DateTimeOffset.UtcNow.AddDays(1),
            helpEntry = "anyEntry",
        });
        Assert.True(created.Status == HttpStatusCode.Created, created.Body.ToString());
        Assert.Equal(24 * 3600.0, TimeSpan.Parse(created.Body.GetProperty("timeLimit").GetString()!, System.Globalization.CultureInfo.InvariantCulture).TotalSeconds);
        return created.Body.GetProperty("id").GetString()!;
    }

    [Fact]
    public async Task Friends_help_a_bargain_to_its_floor_and_the_starter_pays_the_floor_price_at_wechat()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 9_900, stock: 5);
        using var admin = await mall.AdminAsync();
        var campaignId = await CampaignAsync(admin, skuId, helpsToFloor: 3);
        using var starter = await mall.NewCustomerAsync();

        var started = await starter.PostAsync("bargains", new { campaignId });
        Assert.True(started.Status == HttpStatusCode.Created, started.Body.ToString());
        var bargainId = started.Body.GetProperty("id").GetString()!;
        var retried = await starter.PostAsync("bargains", new { campaignId });
        Assert.Equal((HttpStatusCode.OK, bargainId), (retried.Status, retried.Body.GetProperty("id").GetString()));
        Assert.Equal("OWN_BARGAIN", (await starter.PostAsync($"bargains/{bargainId}/help", new { })).Body.GetProperty("code").GetString());

        var cuts = new List<long>();
        for (var i = 0; i < 3; i++)
        {
            using var friend = await mall.NewCustomerAsync();
            var help = await friend.PostAsync($"bargains/{bargainId}/help", new { });
            Assert.True(help.Status == HttpStatusCode.OK, help.Body.ToString());
            Assert.Equal("cut", help.Body.GetProperty("result").GetString());
            cuts.Add(help.Body.GetProperty("cutFen").GetInt64());
            var again = await friend.PostAsync($"bargains/{bargainId}/help", new { });
            Assert.Equal(("alreadyHelped", cuts[^1]), (again.Body.GetProperty("result").GetString(), again.Body.GetProperty("cutFen").GetInt64()));
        }

        using var late = await mall.NewCustomerAsync();
        var atFloor = await late.PostAsync($"bargains/{bargainId}/help", new { });
        Assert.Equal((HttpStatusCode.Conflict, "BARGAIN_AT_FLOOR"), (atFloor.Status, atFloor.Body.GetProperty("code").GetString()));
        var seen = (await mall.Anonymous().GetAsync($"bargains/{bargainId}")).Body;
        Assert.Equal((1_900, 3, "open"), (seen.GetProperty("priceFen").GetInt64(), seen.GetProperty("helps").GetInt32(), seen.GetProperty("status").GetString()));
        Assert.Equal(9_900 - 1_900, cuts.Sum());
        Assert.False(seen.TryGetProperty("orderId", out _));

        var ordered = await starter.PostAsync($"bargains/{bargainId}/order", new { address = LocalMall.Address() });
        Assert.True(ordered.Status == HttpStatusCode.Created, ordered.Body.ToString());
        var orderId = ordered.Body.GetProperty("id").GetString()!;
        Assert.Equal(HttpStatusCode.OK, (await starter.PostAsync($"orders/{orderId}/pay", new { })).Status);
        await mall.Environment.Sandbox.PayAsync(orderId);
        var paid = await LocalMall.WaitForOrderAsync(starter, orderId, o => o.GetProperty("status").GetString() == "paid");

        Assert.Equal(1_900, paid.GetProperty("pricing").GetProperty("payableFen").GetInt64());
        Assert.Equal(1_900, paid.GetProperty("payment").GetProperty("amountFen").GetInt64());
        var done = await LocalMall.WaitForAsync(starter, $"bargains/{bargainId}", b => b.GetProperty("status").GetString() == "paid");
        Assert.Equal(orderId, done.GetProperty("orderId").GetString());
        using var stranger = await mall.NewCustomerAsync();
        Assert.Equal(HttpStatusCode.Forbidden, (await stranger.PostAsync($"bargains/{bargainId}/order", new { address = LocalMall.Address() })).Status);
    }

    [Fact]
    public async Task Switched_off_a_start_is_refused_with_a_clear_problem()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 9_900, stock: 5);
        using var admin = await mall.AdminAsync();
        var campaignId = await CampaignAsync(admin, skuId, helpsToFloor: 5);
        using var starter = await mall.NewCustomerAsync();

        Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("manage/fission/bargains", new { enabled = false, dailyBudgetFen = 500_000 })).Status);
        try
        {
            var refused = await starter.PostAsync("bargains", new { campaignId });

            Assert.Equal(HttpStatusCode.Conflict, refused.Status);
            Assert.Equal("MECHANIC_SWITCHED_OFF", refused.Body.GetProperty("code").GetString());
            Assert.Contains("bargains is switched off", refused.Body.GetProperty("detail").GetString(), StringComparison.Ordinal);
        }
        finally
        {
            Assert.Equal(HttpStatusCode.OK, (await admin.PutAsync("manage/fission/bargains", new { enabled = true, dailyBudgetFen = 500_000 })).Status);
        }

        Assert.Equal(HttpStatusCode.Created, (await starter.PostAsync("bargains", new { campaignId })).Status);
    }

    [Fact]
    public async Task A_bargain_friends_can_only_help_through_a_shared_link_is_refused_as_inducing_shares()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 9_900, stock: 5);
        using var admin = await mall.AdminAsync();
        var before = (await admin.GetAsync("manage/bargain-campaigns")).Body.ToString();

        var refused = await admin.PostAsync("manage/bargain-campaigns", new { skuId, floorFen = 1_900, maxBargains = 1, endsAt = DateTimeOffset.UtcNow.AddDays(1), helpEntry = "sharedLinkOnly" });

        Assert.Equal((HttpStatusCode.UnprocessableEntity, "COMPLIANCE_REFUSED"), (refused.Status, refused.Body.GetProperty("code").GetString()));
        var finding = refused.Body.GetProperty("findings")[0];
        Assert.Equal(("reward-conditioned-on-sharing", "helpEntry"), (finding.GetProperty("code").GetString(), finding.GetProperty("field").GetString()));
        Assert.Equal(before, (await admin.GetAsync("manage/bargain-campaigns")).Body.ToString());
    }

    [Fact]
    public async Task Bad_input_is_a_4xx_naming_the_field_and_stores_nothing()
    {
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 9_900, stock: 5);
        using var admin = await mall.AdminAsync();
        using var customer = await mall.NewCustomerAsync();

        var invalid = await admin.PostAsync("manage/bargain-campaigns", new { skuId, floorFen = 0, helpsToFloor = 101, maxBargains = 0, timeLimitHours = 0 });
        var entry = await admin.PostAsync("manage/bargain-campaigns", new { skuId, floorFen = 1_900, maxBargains = 1, endsAt = DateTimeOffset.UtcNow.AddDays(1), helpEntry = "groupsOnly" });
        var floor = await admin.PostAsync("manage/bargain-campaigns", new { skuId, floorFen = 9_900, maxBargains = 1, endsAt = DateTimeOffset.UtcNow.AddDays(1) });
        var noCampaign = await customer.PostAsync("bargains", new { campaignId = "BC_NONE" });
        var badId = await customer.PostAsync("bargains", new { campaignId = "a/b" });
        var noBargain = await customer.PostAsync("bargains/BG_NONE/help", new { });

        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Equal(
            ["endsAt", "floorFen", "helpsToFloor", "maxBargains", "timeLimitHours"],
            invalid.Body.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order(StringComparer.Ordinal));
        Assert.Equal((HttpStatusCode.BadRequest, "MALFORMED_JSON"), (entry.Status, entry.Body.GetProperty("code").GetString()));
        Assert.True(entry.Body.GetProperty("errors").TryGetProperty("helpEntry", out _), entry.Body.ToString());
        Assert.Equal(HttpStatusCode.BadRequest, floor.Status);
        Assert.True(floor.Body.GetProperty("errors").TryGetProperty("floorFen", out _), floor.Body.ToString());
        Assert.Equal(HttpStatusCode.NotFound, noCampaign.Status);
        Assert.Equal(HttpStatusCode.BadRequest, badId.Status);
        Assert.Equal(HttpStatusCode.NotFound, noBargain.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, (await mall.Anonymous().PostAsync("bargains/BG_NONE/help", new { })).Status);
        var listed = await admin.GetAsync("manage/bargain-campaigns?pageSize=100");
        Assert.Equal(HttpStatusCode.OK, listed.Status);
    }
}
