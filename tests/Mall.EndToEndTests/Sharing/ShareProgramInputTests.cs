using System.Net;
using System.Text;

namespace Mall.EndToEndTests.Sharing;

/// <summary>Bad input to the share-reward program route is a 4xx naming its field, never a 500.</summary>
[Collection(nameof(LocalMall))]
public sealed class ShareProgramInputTests(LocalMall mall)
{
    [Fact]
    public async Task A_null_tier_is_refused_naming_it_not_a_500()
    {
        using var admin = await mall.AdminAsync();
        var startsAt = DateTimeOffset.UtcNow.AddYears(8);
        var json = $$"""{"name":"邀请有礼","startsAt":"{{startsAt:O}}","endsAt":"{{startsAt.AddDays(3):O}}","counts":"newPayingCustomers","tiers":[null]}""";

        var response = await admin.SendAsync(new HttpRequestMessage(HttpMethod.Post, "manage/share-reward-programs") { Content = new StringContent(json, Encoding.UTF8, "application/json") });

        Assert.Equal(HttpStatusCode.BadRequest, response.Status);
        Assert.True(response.Body.GetProperty("errors").TryGetProperty("tiers[0]", out _));
    }
}
