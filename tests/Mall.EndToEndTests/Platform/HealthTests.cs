using System.Net;

namespace Mall.EndToEndTests.Platform;

/// <summary>
/// GET /api/health/live and GET /api/health as a load balancer, an uptime check or a deployment calls them, on a
/// local mall (ReadinessTests in the integration tests take each dependency down).
/// </summary>
[Collection(nameof(LocalMall))]
public sealed class HealthTests(LocalMall mall)
{
    [Fact]
    public async Task Liveness_answers_without_asking_any_dependency()
    {
        using var client = mall.Anonymous();

        var live = await client.GetAsync("health/live");

        Assert.Equal(HttpStatusCode.OK, live.Status);
        Assert.Equal("ok", live.Body.GetProperty("status").GetString());
        Assert.False(live.Body.TryGetProperty("dependencies", out _));
    }

    [Fact]
    public async Task Readiness_tells_anyone_only_whether_the_mall_is_ready()
    {
        using var client = mall.Anonymous();

        var health = await client.GetAsync("health");

        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("ready", health.Body.GetProperty("status").GetString());
        Assert.Equal(["status", "checkedAt"], health.Body.EnumerateObject().Select(p => p.Name));
        Assert.Equal(HttpStatusCode.Unauthorized, (await client.GetAsync("manage/health")).Status);
    }

    [Fact]
    public async Task Operators_see_each_dependency_and_a_local_mall_without_Service_Bus_is_ready()
    {
        using var admin = await mall.AdminAsync();

        var health = await admin.GetAsync("manage/health");

        Assert.Equal(HttpStatusCode.OK, health.Status);
        Assert.Equal("ready", health.Body.GetProperty("status").GetString());
        var dependencies = health.Body.GetProperty("dependencies");
        foreach (var required in new[] { "storage", "durableTaskHub", "weChat" })
        {
            Assert.Equal("up", dependencies.GetProperty(required).GetProperty("status").GetString());
            Assert.True(dependencies.GetProperty(required).GetProperty("required").GetBoolean());
        }

        var serviceBus = dependencies.GetProperty("serviceBus");
        Assert.Equal("notConfigured", serviceBus.GetProperty("status").GetString());
        Assert.False(serviceBus.GetProperty("required").GetBoolean());
        var body = health.Body.GetRawText();
        Assert.DoesNotContain(mall.Environment.BuildConfiguration()["WeChatPay:ApiV3Key"]!, body, StringComparison.Ordinal);
        Assert.DoesNotContain(mall.Environment.BuildConfiguration()["WeChat:AppSecret"]!, body, StringComparison.Ordinal);
    }
}
