using Mall.Domain.Limits;

namespace Mall.UnitTests.Platform;

public sealed class LimitRulesTests
{
    private static readonly DateTimeOffset Now = new(2024, 5, 20, 12, 0, 0, TimeSpan.Zero);

    [Fact]
    public void A_rate_admits_a_full_period_at_once_then_one_per_interval()
    {
        var limit = new RateLimit(3, TimeSpan.FromMinutes(1));
        var allowance = RateAllowance.Unused;
        for (var i = 0; i < 3; i++)
        {
            allowance = allowance.Admit(limit, Now).Next!;
        }

        var refused = allowance.Admit(limit, Now);
        Assert.False(refused.IsAdmitted);
        Assert.Equal(TimeSpan.FromSeconds(20), refused.RetryAfter);
        Assert.False(allowance.Admit(limit, Now.AddSeconds(19)).IsAdmitted);
        Assert.True(allowance.Admit(limit, Now.AddSeconds(20)).IsAdmitted);
        Assert.True(allowance.Admit(limit, Now.AddMinutes(5)).Next!.Admit(limit, Now.AddMinutes(5)).IsAdmitted);
    }

    [Fact]
    public void Failures_lock_after_the_allowance_doubling_up_to_the_cap_and_are_forgotten_after_a_day()
    {
        var policy = new LockoutPolicy(3, TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(200));
        var failures = SignInFailures.None;
        for (var i = 0; i < 3; i++)
        {
            failures = failures.Attempt(policy, Now).Next!;
        }

        Assert.Equal(TimeSpan.FromSeconds(60), failures.Attempt(policy, Now).RetryAfter);
        failures = failures.Attempt(policy, Now.AddSeconds(60)).Next!;
        Assert.Equal(TimeSpan.FromSeconds(120), failures.Attempt(policy, Now.AddSeconds(60)).RetryAfter);
        failures = failures.Attempt(policy, Now.AddSeconds(180)).Next!;
        Assert.Equal(TimeSpan.FromSeconds(200), failures.Attempt(policy, Now.AddSeconds(180)).RetryAfter);
        Assert.Equal(1, failures.Attempt(policy, Now.AddDays(2)).Next!.Count);
    }
}
