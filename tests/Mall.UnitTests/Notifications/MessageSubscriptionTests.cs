using Mall.Application.Platform;
using Mall.Domain.Notifications;
using Microsoft.Extensions.Time.Testing;

namespace Mall.UnitTests.Notifications;

public sealed class MessageSubscriptionTests
{
    private static readonly DateTimeOffset Now = new(2026, 11, 30, 2, 0, 0, TimeSpan.Zero);

    [Fact]
    public void Without_an_acceptance_nothing_may_be_sent()
    {
        var (after, outcome) = MessageSubscription.None("C1", "TPL").Spend("wakeup:2026-11-30");
        Assert.Equal(SpendOutcome.NoConsent, outcome);
        Assert.Equal(0, after.Spent);
    }

    [Fact]
    public void Each_acceptance_allows_exactly_one_send()
    {
        var subscription = MessageSubscription.None("C1", "TPL").Grant(Now).Grant(Now);
        var (once, first) = subscription.Spend("a");
        var (twice, second) = once.Spend("b");
        var (_, third) = twice.Spend("c");

        Assert.Equal((SpendOutcome.Spent, SpendOutcome.Spent, SpendOutcome.NoConsent), (first, second, third));
        Assert.Equal(0, twice.Available);
    }

    [Fact]
    public void The_same_send_key_is_never_spent_or_sent_twice()
    {
        var (spent, _) = MessageSubscription.None("C1", "TPL").Grant(Now).Grant(Now).Spend("wakeup:2026-11-30");
        var (again, outcome) = spent.Spend("wakeup:2026-11-30");
        Assert.Equal(SpendOutcome.AlreadySpent, outcome);
        Assert.Same(spent, again);
        Assert.Equal(1, again.Available);
    }

    [Fact]
    public void A_send_that_never_reached_wechat_gives_the_acceptance_back_once()
    {
        var (spent, _) = MessageSubscription.None("C1", "TPL").Grant(Now).Spend("a");

        var givenBack = spent.GiveBack("a");

        Assert.Equal(1, givenBack.Available);
        Assert.Same(givenBack, givenBack.GiveBack("a"));
        Assert.Equal(SpendOutcome.Spent, givenBack.Spend("a").Outcome);
    }

    [Fact]
    public async Task The_pacer_spaces_sends_at_the_configured_rate()
    {
        var time = new FakeTimeProvider(Now);
        var pacer = new SendPacer(time, perSecond: 2);

        var first = pacer.WaitTurnAsync(CancellationToken.None);
        var second = pacer.WaitTurnAsync(CancellationToken.None);
        var third = pacer.WaitTurnAsync(CancellationToken.None);

        Assert.True(first.IsCompleted);
        Assert.False(second.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await second;
        Assert.False(third.IsCompleted);
        time.Advance(TimeSpan.FromMilliseconds(500));
        await third;
    }
}
