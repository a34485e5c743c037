using System.Text;
using System.Text.Json;
using Mall.Application.Platform;

namespace Mall.UnitTests.Platform;

public sealed class DispatchRequestTests
{
    [Fact]
    public void Announcements_are_split_into_requests_that_fit_a_queue_message_once_base64_encoded()
    {
        // A commission refund and settlement together: six event ids with long keys, for 1,000 outboxes.
        var announcements = Enumerable.Range(0, 1_000).Select(i => new OutboxAnnouncement(
            new OutboxAddress("OrderCommissions", $"O{i:D20}", string.Empty),
            Enumerable.Range(0, 6).Select(n => $"commission:O{i:D20}|{n % 3 + 1}|reduced-{n * 1_000_000}").ToList(),
            DateTimeOffset.UnixEpoch)).ToList();

        var requests = DispatchRequest.Split(announcements).ToList();

        Assert.True(requests.Count > 1);
        Assert.Equal(announcements, requests.SelectMany(r => r.Outboxes));
        Assert.All(requests, r => Assert.True(Convert.ToBase64String(Encoding.UTF8.GetBytes(JsonSerializer.Serialize(r, MallJson.Options))).Length <= 64 * 1024));
    }
}
