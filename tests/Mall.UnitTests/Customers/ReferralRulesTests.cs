using Mall.Domain.Customers;

namespace Mall.UnitTests.Customers;

public sealed class ReferralRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 0, 0, 0, TimeSpan.Zero);

    private static Customer Customer(string id, params string[] referrers) => new()
    {
        Id = id,
        OpenId = "o-" + id,
        InviteCode = ReferralRules.InviteCodeFor(id),
        Referrers = referrers,
        RegisteredAt = Now,
        LastLoginAt = Now,
    };

    [Fact]
    public void A_new_customer_inherits_at_most_three_levels()
    {
        var inviter = Customer("C3", "C2", "C1", "C0");

        Assert.Equal(["C3", "C2", "C1"], ReferralRules.ReferrersFor("C4", inviter));
    }

    [Fact]
    public void Self_referral_and_cycles_are_refused()
    {
        Assert.Throws<InvalidOperationException>(() => ReferralRules.ReferrersFor("C1", Customer("C1")));
        Assert.Throws<InvalidOperationException>(() => ReferralRules.ReferrersFor("C1", Customer("C2", "C1")));
    }

    [Fact]
    public void Registration_binds_the_inviter_and_announces_the_new_customer()
    {
        var (customer, registered) = Mall.Domain.Customers.Customer.Register(Mall.Domain.Customers.Customer.IdFor("openid-x"), "openid-x", null, "ABCDEFGHJK", Customer("C9", "C8"), "protected", Now);

        Assert.Equal(["C9", "C8"], customer.Referrers);
        Assert.Equal("C9", customer.ReferrerId);
        Assert.Equal("C9", registered.ReferrerId);
        Assert.Equal(Mall.Domain.Customers.Customer.IdFor("openid-x"), customer.Id);
    }

    [Fact]
    public void Invite_codes_are_stable_unambiguous_and_vary_per_attempt()
    {
        var code = ReferralRules.InviteCodeFor("C1");

        Assert.Equal(10, code.Length);
        Assert.Equal(code, ReferralRules.InviteCodeFor("C1"));
        Assert.NotEqual(code, ReferralRules.InviteCodeFor("C1", attempt: 1));
        Assert.DoesNotContain(code, c => "01OI".Contains(c));
        Assert.Equal(code, ReferralRules.NormalizeInviteCode(" " + code.ToLowerInvariant() + " "));
    }
}
