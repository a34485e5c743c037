using System.Net;
using System.Text.Json;

namespace Mall.EndToEndTests.Analytics;

/// <summary>Events, an experiment and the dashboard's data through the running mall, over HTTP.</summary>
[Collection(nameof(LocalMall))]
public sealed class AnalyticsJourneyTests(LocalMall mall)
{
    private static object Event(string id, string type, string? productId = null, string? experimentId = null, DateTimeOffset? at = null) =>
        new { id, type, occurredAt = at ?? DateTimeOffset.UtcNow, productId, experimentId };

    [Fact]
    public async Task A_batch_keeps_its_good_events_reports_each_bad_one_by_index_and_refuses_what_is_not_a_batch()
    {
        var visitor = mall.Anonymous();
        var device = $"dev-{Guid.NewGuid():N}";
        var events = new[] { Event($"{device}-1", "page_view"), Event($"{device}-2", "add_to_cart"), Event($"{device}-3", "jump") };

        var first = await visitor.PostAsync("events", new { deviceId = device, events });
        var again = await visitor.PostAsync("events", new { deviceId = device, events });

        Assert.Equal(HttpStatusCode.OK, first.Status);
        Assert.Equal((1, 0), (first.Body.GetProperty("accepted").GetInt32(), first.Body.GetProperty("duplicates").GetInt32()));
        Assert.Equal(["events[1].productId", "events[2].type"], first.Body.GetProperty("rejected").EnumerateArray().Select(r => r.GetProperty("field").GetString()));
        Assert.Equal((0, 1), (again.Body.GetProperty("accepted").GetInt32(), again.Body.GetProperty("duplicates").GetInt32()));

        var anonymous = await visitor.PostAsync("events", new { events });
        var tooMany = await visitor.PostAsync("events", new { deviceId = device, events = Enumerable.Range(0, 51).Select(n => Event($"{device}-many-{n}", "page_view")) });
        var notAList = await visitor.PostAsync("events", new { deviceId = device, events = "page_view" });
        using var forged = mall.Anonymous();
        forged.Authorize("not-a-token");
        var badToken = await forged.PostAsync("events", new { deviceId = device, events });

        Assert.Equal((HttpStatusCode.BadRequest, "deviceId"), (anonymous.Status, FirstError(anonymous.Body)));
        Assert.Equal((HttpStatusCode.BadRequest, "events"), (tooMany.Status, FirstError(tooMany.Body)));
        Assert.Equal(HttpStatusCode.BadRequest, notAList.Status);
        Assert.Equal(HttpStatusCode.Unauthorized, badToken.Status);
    }

    [Fact]
    public async Task An_experiment_assigns_each_visitor_once_and_reports_conversions_with_their_statistics()
    {
        using var admin = await mall.AdminAsync();
        var experimentId = $"exp-{Guid.NewGuid():N}"[..20];
        var definition = new
        {
            id = experimentId,
            name = "Buy button colour",
            metric = "addToCart",
            variants = new[] { new { name = "control", weight = 1 }, new { name = "red", weight = 1 } },
            startsAt = DateTimeOffset.UtcNow.AddMinutes(-1),
            endsAt = DateTimeOffset.UtcNow.AddDays(7),
        };
        Assert.Equal(HttpStatusCode.Created, (await admin.PostAsync("manage/experiments", definition)).Status);
        Assert.Equal(HttpStatusCode.OK, (await admin.PostAsync("manage/experiments", definition)).Status);
        Assert.Equal(HttpStatusCode.Conflict, (await admin.PostAsync("manage/experiments", definition with { name = "Another" })).Status);
        var invalid = await admin.PostAsync("manage/experiments", new { id = "x", name = "one variant", metric = "visit", variants = new[] { new { name = "a", weight = 1 } }, startsAt = DateTimeOffset.UtcNow, endsAt = DateTimeOffset.UtcNow.AddDays(-1) });
        Assert.Equal(HttpStatusCode.BadRequest, invalid.Status);
        Assert.Equal(["endsAt", "metric", "variants"], invalid.Body.GetProperty("errors").EnumerateObject().Select(e => e.Name).Order());

        // 40 devices see the experiment (asking twice: the same variant); those shown "red" add to cart.
        var visitor = mall.Anonymous();
        var variants = new Dictionary<string, string>();
        foreach (var n in Enumerable.Range(0, 40))
        {
            var device = $"{experimentId}-d{n}";
            var shown = await visitor.GetAsync($"experiments/{experimentId}/assignment?deviceId={device}");
            var again = await visitor.GetAsync($"experiments/{experimentId}/assignment?deviceId={device}");
            Assert.Equal(shown.Body.GetProperty("variant").GetString(), again.Body.GetProperty("variant").GetString());
            variants[device] = shown.Body.GetProperty("variant").GetString()!;
            if (variants[device] == "red")
            {
                var sent = await visitor.PostAsync("events", new { deviceId = device, events = new[] { Event($"{device}-cart", "add_to_cart", productId: "P1") } });
                Assert.Equal(1, sent.Body.GetProperty("accepted").GetInt32());
            }
        }

        var red = variants.Count(v => v.Value == "red");
        var results = await WaitForResultsAsync(admin, experimentId, red);
        var byName = results.GetProperty("variants").EnumerateArray().ToDictionary(v => v.GetProperty("variant").GetString()!);
        Assert.Equal((40 - red, 0), (byName["control"].GetProperty("exposures").GetInt32(), byName["control"].GetProperty("conversions").GetInt32()));
        Assert.Equal((red, red), (byName["red"].GetProperty("exposures").GetInt32(), byName["red"].GetProperty("conversions").GetInt32()));
        Assert.True(byName["red"].GetProperty("pValue").GetDouble() < 0.001);
        Assert.False(byName["control"].TryGetProperty("pValue", out var controlP) && controlP.ValueKind != JsonValueKind.Null);
        Assert.False(results.GetProperty("sampleRatioMismatch").GetBoolean());

        var funnels = (await admin.GetAsync($"manage/funnel?experimentId={experimentId}")).Body.EnumerateArray().ToList();
        var redFunnel = funnels.Single(f => f.GetProperty("variant").GetString() == "red").GetProperty("steps").EnumerateArray().ToList();
        Assert.Equal((red, red), (redFunnel[0].GetProperty("count").GetInt32(), redFunnel[2].GetProperty("count").GetInt32()));
    }

    [Fact]
    public async Task A_paid_order_shows_on_the_dashboard_from_the_malls_own_payment_event()
    {
        using var admin = await mall.AdminAsync();
        var before = (await admin.GetAsync("manage/dashboard/data")).Body.GetProperty("today");
        var (_, skuId) = await mall.CreateProductAsync(priceFen: 12_300, stock: 5);
        var customer = await mall.NewCustomerAsync();
        var orderId = await mall.PaidOrderAsync(customer, skuId, 1);
        var paid = (await customer.GetAsync($"orders/{orderId}")).Body.GetProperty("pricing").GetProperty("payableFen").GetInt64();

        var after = await LocalMall.WaitForAsync(admin, "manage/dashboard/data", d =>
            d.GetProperty("today").GetProperty("paidOrders").GetInt64() > before.GetProperty("paidOrders").GetInt64());

        Assert.True(after.GetProperty("today").GetProperty("gmvFen").GetInt64() >= before.GetProperty("gmvFen").GetInt64() + paid);
        Assert.Equal(DashboardHours, after.GetProperty("hours").GetArrayLength());
        Assert.Equal(HttpStatusCode.Unauthorized, (await mall.Anonymous().GetAsync("manage/dashboard/data")).Status);
    }

    [Fact]
    public async Task Recommendation_impressions_and_clicks_show_per_slot_and_algorithm_on_the_dashboard()
    {
        using var admin = await mall.AdminAsync();
        const string Slot = "first-order";
        var device = $"dev-{Guid.NewGuid():N}";
        object Shown(string id, string type, string algorithm) =>
            new { id = $"{device}-{id}", type, occurredAt = DateTimeOffset.UtcNow, productId = "P1", slot = Slot, algorithm };
        (long Impressions, long Clicks) Counts(JsonElement data, string algorithm) =>
            data.GetProperty("recommendations").EnumerateArray()
                .Where(r => r.GetProperty("slot").GetString() == Slot && r.GetProperty("algorithm").GetString() == algorithm)
                .Select(r => (r.GetProperty("impressions").GetInt64(), r.GetProperty("clicks").GetInt64()))
                .FirstOrDefault();
        var before = (await admin.GetAsync("manage/dashboard/data")).Body;
        var events = new[]
        {
            Shown("i1", "recommendation_impression", "related"), Shown("i2", "recommendation_impression", "related"),
            Shown("c1", "recommendation_click", "related"), Shown("i3", "recommendation_impression", "popular"),
        };

        var sent = await mall.Anonymous().PostAsync("events", new { deviceId = device, events });
        Assert.Equal(4, sent.Body.GetProperty("accepted").GetInt32());

        var related = Counts(before, "related");
        var popular = Counts(before, "popular");
        var after = await LocalMall.WaitForAsync(admin, "manage/dashboard/data", d =>
            Counts(d, "related") == (related.Impressions + 2, related.Clicks + 1) && Counts(d, "popular") == (popular.Impressions + 1, popular.Clicks));
        Assert.Contains(after.GetProperty("recommendations").EnumerateArray(), r => r.GetProperty("clickThroughRate").ValueKind == JsonValueKind.Number);
    }

    private const int DashboardHours = 48;

    private static async Task<JsonElement> WaitForResultsAsync(ApiClient admin, string experimentId, int redConversions) =>
        await LocalMall.WaitForAsync(admin, $"manage/experiments/{experimentId}/results", r =>
            r.TryGetProperty("variants", out var v) && v.EnumerateArray().Sum(x => x.GetProperty("conversions").GetInt32()) == redConversions
            && v.EnumerateArray().Sum(x => x.GetProperty("exposures").GetInt32()) == 40);

    private static string FirstError(JsonElement problem) => problem.GetProperty("errors").EnumerateObject().First().Name;
}
