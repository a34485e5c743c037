using System.Buffers.Text;
using System.Text;
using Mall.Application.Sharing;
using Mall.Domain.Common;
using Mall.Domain.Sharing;
using Microsoft.Extensions.Time.Testing;

namespace Mall.IntegrationTests.Sharing;

public sealed class ShareLinkTests
{
    [Fact]
    public async Task A_link_names_its_sharer_until_it_expires_and_points_at_the_first_healthy_domain()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using var mall = await MallFixture.StartAsync(time);
        var links = mall.Get<ShareLinks>();
        var noDomain = await links.CreateAsync("C1", new ShareLinkRequest(ShareTargetKind.Product, "P_LONGJING", null), CancellationToken.None);
        Assert.Null(noDomain.Url);
        Assert.StartsWith("pages/product/index?id=P_LONGJING&st=", noDomain.Path, StringComparison.Ordinal);

        await links.SetDomainsAsync(new ShareDomainsRequest(["s1.mall.example.cn", "s2.mall.example.cn"]), CancellationToken.None);
        var first = await links.CreateAsync("C1", new ShareLinkRequest(ShareTargetKind.Product, "P_LONGJING", "CAMP1"), CancellationToken.None);
        var marked = await links.MarkAsync(new ShareDomainMarkRequest("s1.mall.example.cn", ShareDomainStatus.Blocked, "拦截"), "admin", CancellationToken.None);
        var second = await links.CreateAsync("C1", new ShareLinkRequest(ShareTargetKind.Home, null, null), CancellationToken.None);

        Assert.Equal("https://s1.mall.example.cn/s/" + first.Token, first.Url);
        Assert.Equal("s2.mall.example.cn", marked.ActiveHost);
        Assert.Equal("s2.mall.example.cn", second.Domain);
        Assert.Equal((ShareTargetKind.Product, "P_LONGJING", "CAMP1"), (links.Resolve(first.Token).TargetKind, links.Resolve(first.Token).TargetId, links.Resolve(first.Token).CampaignId));
        Assert.Equal("C1", links.SharerOf(first.Token));

        // Altered, foreign or expired tokens credit nobody.
        var forged = first.Token[..^2] + (first.Token[^2] == 'A' ? "BB" : "AA");
        Assert.Null(links.SharerOf(forged));
        Assert.Equal(ErrorCode.ValidationFailed, Assert.Throws<DomainException>(() => links.Resolve(forged)).Code);
        Assert.Null(links.SharerOf("not-a-token"));
        time.Advance(TimeSpan.FromDays(8));
        Assert.Null(links.SharerOf(first.Token));
        Assert.Equal(ErrorCode.ShareLinkExpired, Assert.Throws<DomainException>(() => links.Resolve(first.Token)).Code);
    }

    [Fact]
    public async Task A_link_posted_in_a_group_chat_does_not_show_whom_it_credits()
    {
        await using var mall = await MallFixture.StartAsync();
        var links = mall.Get<ShareLinks>();
        var link = await links.CreateAsync("CSHARER7Q2W9E", new ShareLinkRequest(ShareTargetKind.Product, "P_LONGJING", null), CancellationToken.None);

        var readable = link.Token.Split('.').Select(part => Encoding.UTF8.GetString(Base64Url.DecodeFromChars(part)));
        Assert.All(readable, text => Assert.DoesNotContain("CSHARER7Q2W9E", text, StringComparison.Ordinal));
        Assert.Equal("CSHARER7Q2W9E", links.SharerOf(link.Token));
    }

    [Fact]
    public async Task A_session_token_is_not_a_share_link()
    {
        await using var mall = await MallFixture.StartAsync();
        var session = mall.Get<Mall.Application.Platform.AccessTokenService>().Issue("C1", "customer", TimeSpan.FromHours(1));

        Assert.Null(mall.Get<ShareLinks>().SharerOf(session.Token));
    }
}
