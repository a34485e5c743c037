using Mall.Application.Membership;
using Mall.Application.Segmentation;
using Mall.Domain.Customers;

namespace Mall.UnitTests.Customers;

/// <summary>What erasing an account takes from the customer record, and what it leaves for orders and ledgers.</summary>
public sealed class CustomerErasureTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 25, 2, 0, 0, TimeSpan.Zero);

    private static Customer PayingCustomer()
    {
        var customer = new Customer
        {
            Id = "C1",
            OpenId = "o-openid",
            UnionId = "u-unionid",
            InviteCode = "ABCDEFGHJK",
            Referrers = ["C9", "C8"],
            RegisteredAt = Now.AddYears(-1),
            LastLoginAt = Now,
            ProtectedSessionKey = "v1.k.session",
            ProtectedPhone = "v1.k.phone",
            Nickname = "小明",
            Birthday = new DateOnly(1990, 5, 1),
            PointsBalance = 1_200,
        };
        return customer.RecordPayment("O1", 80_000, Now.AddDays(-3), new SegmentationOptions().ToRules(), new MembershipOptions().ToRules(), Now).Customer;
    }

    [Fact]
    public void Erasure_takes_the_personal_data_and_keeps_what_orders_and_ledgers_name()
    {
        var before = PayingCustomer();

        var (erased, events) = before.Erase(Now);

        Assert.Equal((null, null, null, null, string.Empty, null, null), (erased.Nickname, erased.Birthday, erased.ProtectedPhone, erased.ProtectedSessionKey, erased.OpenId, erased.UnionId, erased.Segment));
        Assert.Equal((before.Id, before.Referrers, before.Activity, before.Member, before.PointsBalance, before.InviteCode), (erased.Id, erased.Referrers, erased.Activity, erased.Member, erased.PointsBalance, erased.InviteCode));
        Assert.Equal(Now, erased.ErasedAt);
        var announced = Assert.IsType<CustomerErased>(Assert.Single(events));
        Assert.Equal(("C1", "customer:C1:erased", Now), (announced.CustomerId, announced.Id, announced.OccurredAt));
    }

    [Fact]
    public void An_erased_customer_is_erased_once_and_profiled_no_more()
    {
        var (erased, _) = PayingCustomer().Erase(Now);

        var (again, events) = erased.Erase(Now.AddMinutes(1));
        var (reviewed, reviewEvents) = erased.Review(new SegmentationOptions().ToRules(), new MembershipOptions().ToRules(), Now.AddDays(200));

        Assert.Same(erased, again);
        Assert.Empty(events);
        Assert.Same(erased, reviewed);
        Assert.Empty(reviewEvents);
    }

    [Fact]
    public void The_openid_mapping_key_is_a_hash_and_a_new_customer_id_is_random()
    {
        var key = Customer.OpenIdKeyFor("oAbc123");

        Assert.DoesNotContain("oAbc123", key, StringComparison.Ordinal);
        Assert.Equal(key, Customer.OpenIdKeyFor("oAbc123"));
        Assert.NotEqual(Customer.IdFor("oAbc123"), key);
        Assert.NotEqual(Customer.NewId(), Customer.NewId());
    }
}
