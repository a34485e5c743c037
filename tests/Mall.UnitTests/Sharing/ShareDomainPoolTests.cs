using Mall.Domain.Sharing;

namespace Mall.UnitTests.Sharing;

public sealed class ShareDomainPoolTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void New_links_move_to_the_next_healthy_domain_when_the_active_one_is_marked()
    {
        var pool = ShareDomainPool.Empty.WithHosts(["s1.mall.example.cn", "s2.mall.example.cn", "s3.mall.example.cn"]);
        Assert.Equal("s1.mall.example.cn", pool.Active?.Host);

        var blocked = pool.Mark("s1.mall.example.cn", ShareDomainStatus.Blocked, "拦截", "admin", Now)!;
        Assert.Equal("s2.mall.example.cn", blocked.Active?.Host);

        var down = blocked.Mark("s2.mall.example.cn", ShareDomainStatus.Unreachable, "certificate expired", "admin", Now)!;
        Assert.Equal("s3.mall.example.cn", down.Active?.Host);

        var none = down.Mark("s3.mall.example.cn", ShareDomainStatus.Blocked, null, "admin", Now)!;
        Assert.Null(none.Active);

        var healed = none.Mark("s1.mall.example.cn", ShareDomainStatus.Healthy, "appeal granted", "admin", Now)!;
        Assert.Equal("s1.mall.example.cn", healed.Active?.Host);
    }

    [Fact]
    public void Relisting_hosts_keeps_their_status_and_unknown_hosts_cannot_be_marked()
    {
        var pool = ShareDomainPool.Empty.WithHosts(["s1.mall.example.cn", "s2.mall.example.cn"])
            .Mark("s1.mall.example.cn", ShareDomainStatus.Blocked, null, "admin", Now)!;

        var reordered = pool.WithHosts(["s3.mall.example.cn", "s1.mall.example.cn"]);

        Assert.Equal(["s3.mall.example.cn", "s1.mall.example.cn"], reordered.Domains.Select(d => d.Host));
        Assert.Equal(ShareDomainStatus.Blocked, reordered.Domains[1].Status);
        Assert.Equal("s3.mall.example.cn", reordered.Active?.Host);
        Assert.Null(reordered.Mark("s2.mall.example.cn", ShareDomainStatus.Blocked, null, "admin", Now));
    }

    [Theory]
    [InlineData("s1.mall.example.cn", true)]
    [InlineData("xn--fiqs8s.example.cn", true)]
    [InlineData("S1.Mall.example.cn", false)]
    [InlineData("https://s1.mall.example.cn", false)]
    [InlineData("s1.mall.example.cn:8443", false)]
    [InlineData("s1.mall.example.cn/s/", false)]
    [InlineData("localhost", false)]
    [InlineData("-bad.example.cn", false)]
    [InlineData("", false)]
    public void Only_plain_lower_case_host_names_are_share_domains(string host, bool valid) =>
        Assert.Equal(valid, ShareDomainPool.IsHostName(host));
}

public sealed class ShareCreditTests
{
    private static readonly DateTimeOffset Now = new(2026, 12, 1, 2, 0, 0, TimeSpan.Zero);

    private static ShareCredit Pending(string? programId = "SR1") => new("C2", "C1", programId, "O1", Now);

    [Fact]
    public void A_first_order_that_kept_money_counts_and_one_refunded_in_full_never_does()
    {
        Assert.Equal(ShareCreditState.Confirmed, Pending().Decide(1, Now).State);
        Assert.Equal(ShareCreditState.Void, Pending().Decide(0, Now).State);
        Assert.Equal(ShareCreditState.Void, Pending().RefundedInFull(Now).State);
        Assert.Equal(ShareCreditState.Void, Pending().RefundedInFull(Now).Decide(5_000, Now).State);
    }

    [Fact]
    public void A_first_order_paid_while_no_program_ran_never_counts_and_a_decision_is_final()
    {
        Assert.Equal(ShareCreditState.Void, Pending(programId: null).Decide(5_000, Now).State);
        var confirmed = Pending().Decide(5_000, Now);
        Assert.Same(confirmed, confirmed.RefundedInFull(Now.AddDays(30)));
        Assert.Same(confirmed, confirmed.Decide(0, Now.AddDays(30)));
    }
}
