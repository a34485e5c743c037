namespace Mall.Domain.Limits;

/// <summary>
/// Consecutive failed sign-ins tolerated, then lockouts that double from <see cref="FirstLockout"/> up to
/// <see cref="MaxLockout"/> with each further failure. Backoff rather than a permanent lock, so an
/// attacker can slow an account down but never shut its operator out for good.
/// </summary>
public sealed record LockoutPolicy(int FailuresAllowed, TimeSpan FirstLockout, TimeSpan MaxLockout)
{
    /// <summary>A run of failures this old is forgotten: the next one counts as the first.</summary>
    public static readonly TimeSpan ForgetAfter = TimeSpan.FromDays(1);

    public TimeSpan LockoutAfter(int failures)
    {
        var doublings = Math.Min(failures - FailuresAllowed, 30);
        var lockout = TimeSpan.FromTicks(FirstLockout.Ticks * (1L << doublings));
        return lockout > MaxLockout || lockout < TimeSpan.Zero ? MaxLockout : lockout;
    }
}

/// <summary>
/// The failed sign-ins of one account or one client address. An attempt is counted as a failure before
/// its password is checked, so concurrent guesses cannot outrun the count; a success clears it.
/// </summary>
public sealed record SignInFailures(int Count, DateTimeOffset LastAt, DateTimeOffset LockedUntil)
{
    public static SignInFailures None { get; } = new(0, DateTimeOffset.MinValue, DateTimeOffset.MinValue);

    public LimitDecision<SignInFailures> Attempt(LockoutPolicy policy, DateTimeOffset now)
    {
        if (now < LockedUntil)
        {
            return LimitDecision.Refused<SignInFailures>(LockedUntil - now);
        }

        var count = now - LastAt > LockoutPolicy.ForgetAfter ? 1 : Count + 1;
        var lockedUntil = count >= policy.FailuresAllowed ? now + policy.LockoutAfter(count) : LockedUntil;
        return LimitDecision.Admitted(new SignInFailures(count, now, lockedUntil));
    }
}
