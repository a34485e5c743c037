using Mall.Application.Reactivation;
using Mall.Domain.Reactivation;

namespace Mall.UnitTests.Reactivation;

public sealed class WakeUpRulesTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);
    private static readonly DateOnly Today = new(2026, 11, 30);
    private readonly WakeUpRules rules = new ReactivationOptions().ToRules();

    [Fact]
    public void A_dormant_customer_never_contacted_is_contacted() =>
        Assert.Equal(WakeUpStep.Start, rules.Decide(null, dormant: true, Today, Now));

    [Fact]
    public void A_customer_marked_today_is_resumed_not_contacted_again_even_if_no_longer_dormant()
    {
        var mark = new WakeUpMark(Today, Now.AddMinutes(-5));
        Assert.Equal(WakeUpStep.Resume, rules.Decide(mark, dormant: true, Today, Now));
        Assert.Equal(WakeUpStep.Resume, rules.Decide(mark, dormant: false, Today, Now));
    }

    [Theory]
    [InlineData(29, WakeUpStep.TooSoon)]
    [InlineData(30, WakeUpStep.Start)]
    [InlineData(45, WakeUpStep.Start)]
    public void At_most_one_contact_per_thirty_days(int daysAgo, WakeUpStep expected)
    {
        var mark = new WakeUpMark(Today.AddDays(-daysAgo), Now.AddDays(-daysAgo));
        Assert.Equal(expected, rules.Decide(mark, dormant: true, Today, Now));
    }

    [Fact]
    public void A_customer_who_is_no_longer_dormant_is_left_alone() =>
        Assert.Equal(WakeUpStep.NotDormant, rules.Decide(null, dormant: false, Today, Now));

    [Theory]
    [InlineData(-1, false)]
    [InlineData(0, true)]
    [InlineData(29, true)]
    [InlineData(30, false)]
    public void A_payment_counts_as_a_return_within_thirty_days_after_the_contact(int daysAfter, bool counts)
    {
        var mark = new WakeUpMark(Today, Now);
        Assert.Equal(counts, rules.IsReturn(mark, Now.AddDays(daysAfter)));
    }

    [Fact]
    public void A_payment_in_the_same_second_as_the_contact_counts_as_wechat_reports_whole_seconds()
    {
        var mark = new WakeUpMark(Today, Now.AddMilliseconds(700));
        Assert.True(rules.IsReturn(mark, Now));
        Assert.False(rules.IsReturn(mark, Now.AddMilliseconds(-1)));
    }

    [Fact]
    public void Without_a_contact_nothing_is_a_return() => Assert.False(rules.IsReturn(null, Now));
}
