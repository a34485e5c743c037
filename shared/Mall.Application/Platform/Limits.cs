using Mall.Domain.Common;
using Mall.Domain.Limits;

namespace Mall.Application.Platform;

/// <summary>Limits on abuse: sign-in throttling and the order creation a customer may do.</summary>
public sealed class LimitsOptions
{
    public const string SectionName = "Limits";

    /// <summary>Customer logins per client address and minute (mini-program users behind one carrier NAT share an address).</summary>
    public int CustomerLoginsPerAddressPerMinute { get; set; } = 30;

    /// <summary>Failed operator sign-ins tolerated per account and per client address before a lockout.</summary>
    public int OperatorFailuresAllowed { get; set; } = 5;

    /// <summary>The first lockout; it doubles with each further failure up to <see cref="OperatorMaxLockoutSeconds"/>.</summary>
    public int OperatorLockoutSeconds { get; set; } = 60;

    public int OperatorMaxLockoutSeconds { get; set; } = 3600;

    /// <summary>Orders (of any kind) a customer may create per minute.</summary>
    public int OrdersPerCustomerPerMinute { get; set; } = 10;

    /// <summary>Open unpaid orders a customer may hold at once; each holds its stock until paid, cancelled or expired.</summary>
    public int UnpaidOrdersPerCustomer { get; set; } = 5;

    public RateLimit CustomerLogins => new(CustomerLoginsPerAddressPerMinute, TimeSpan.FromMinutes(1));

    public RateLimit OrderCreation => new(OrdersPerCustomerPerMinute, TimeSpan.FromMinutes(1));

    public LockoutPolicy OperatorLockout => new(OperatorFailuresAllowed, TimeSpan.FromSeconds(OperatorLockoutSeconds), TimeSpan.FromSeconds(OperatorMaxLockoutSeconds));
}

/// <summary>
/// Rate limits and sign-in lockouts kept in storage, one small document per (scope, subject), each
/// decision one guarded write: they hold across every instance of the app, however requests spread.
/// </summary>
public sealed class Limiter(IDocumentCollection<RateAllowance> rates, IDocumentCollection<SignInFailures> signIns, TimeProvider time)
{
    /// <summary>Counts one request of <paramref name="subject"/> against <paramref name="limit"/>.</summary>
    /// <exception cref="TooManyRequestsException">Over the limit: nothing is counted, and Retry-After says when to come back.</exception>
    public Task AdmitAsync(string scope, string subject, RateLimit limit, string what, CancellationToken cancellationToken) =>
        DecideAsync(rates, Key(scope, subject), RateAllowance.Unused, state => state.Admit(limit, time.GetUtcNow()), what, cancellationToken);

    /// <summary>Counts a sign-in attempt as failed until <see cref="ClearSignInFailuresAsync"/> says it succeeded.</summary>
    /// <exception cref="TooManyRequestsException">Locked out for now.</exception>
    public Task BeginSignInAsync(string scope, string subject, LockoutPolicy policy, CancellationToken cancellationToken) =>
        DecideAsync(signIns, Key(scope, subject), SignInFailures.None, state => state.Attempt(policy, time.GetUtcNow()), "Too many failed sign-ins", cancellationToken);

    public Task ClearSignInFailuresAsync(string scope, string subject, CancellationToken cancellationToken) =>
        signIns.TransitionAsync(
            Key(scope, subject),
            current => current is null || current.Value == SignInFailures.None
                ? Decision.Keep<SignInFailures, bool>(false)
                : Decision.Write(SignInFailures.None, true),
            cancellationToken);

    private static DocumentKey Key(string scope, string subject) => DocumentKey.Single(StorageKeys.Escape($"{scope}|{subject}"));

    private static async Task DecideAsync<TState>(
        IDocumentCollection<TState> states,
        DocumentKey key,
        TState unused,
        Func<TState, LimitDecision<TState>> decide,
        string what,
        CancellationToken cancellationToken)
        where TState : class
    {
        var decision = await states.TransitionAsync(
            key,
            current =>
            {
                var outcome = decide(current?.Value ?? unused);
                return outcome.IsAdmitted ? Decision.Write(outcome.Next!, outcome) : Decision.Keep<TState, LimitDecision<TState>>(outcome);
            },
            cancellationToken);
        if (!decision.IsAdmitted)
        {
            var seconds = Math.Max(1, (int)Math.Ceiling(decision.RetryAfter.TotalSeconds));
            throw new TooManyRequestsException($"{what}; try again in {seconds} s.", TimeSpan.FromSeconds(seconds));
        }
    }
}
