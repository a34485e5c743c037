using FluentValidation;
using Mall.Application.Platform;
using Mall.Domain.Common;

namespace Mall.Application.Administration;

public sealed class AdminOptions
{
    public const string SectionName = "Admin";

    public IList<AdminUser> Users { get; } = [];
}

public sealed class AdminUser
{
    public string Name { get; set; } = string.Empty;

    /// <summary>See <see cref="PasswordHashing"/>; the password itself is never configured.</summary>
    public string PasswordHash { get; set; } = string.Empty;
}

public sealed record AdminLoginRequest(string? Username, string? Password);

public sealed record AdminLoginResponse(string Token, DateTimeOffset ExpiresAt);

public sealed class AdminLoginRequestValidator : AbstractValidator<AdminLoginRequest>
{
    public AdminLoginRequestValidator()
    {
        RuleFor(r => r.Username).NotEmpty().MaximumLength(64);
        RuleFor(r => r.Password).NotEmpty().MaximumLength(256);
    }
}

public enum SignInOutcome
{
    SignedIn,
    WrongCredentials,
    Throttled,
}

/// <summary>An operator sign-in attempt, kept for audit: who (as typed), from where, when, and how it ended. Never the password.</summary>
public sealed record OperatorSignIn(string Username, string ClientAddress, SignInOutcome Outcome, DateTimeOffset At);

/// <summary>
/// Operator sign-in. Operators approve refunds and payouts, so guessing is throttled per account and per
/// client address (storage-backed, so it holds across instances): a few failures, then lockouts that
/// double (<see cref="LimitsOptions"/>). Every attempt is recorded for audit.
/// </summary>
public sealed class AdminAuthService(
    AdminOptions admins,
    AuthOptions auth,
    LimitsOptions limits,
    AccessTokenService tokens,
    Limiter limiter,
    IDocumentCollection<OperatorSignIn> signIns,
    TimeProvider time)
{
    private const string AccountScope = "operator-account";
    private const string AddressScope = "operator-address";
    private const string AuditPartition = "sign-ins";

    // Compared against when the user is unknown, so timing does not reveal which usernames exist.
    private static readonly string DummyHash = PasswordHashing.Hash(Guid.NewGuid().ToString());

    public async Task<AdminLoginResponse> LoginAsync(AdminLoginRequest request, string clientAddress, CancellationToken cancellationToken)
    {
        var username = request.Username!;
        try
        {
            // The address first: a locked-out address does not get to count against the account.
            await limiter.BeginSignInAsync(AddressScope, clientAddress, limits.OperatorLockout, cancellationToken);
            await limiter.BeginSignInAsync(AccountScope, username, limits.OperatorLockout, cancellationToken);
        }
        catch (TooManyRequestsException)
        {
            await AuditAsync(username, clientAddress, SignInOutcome.Throttled, cancellationToken);
            throw;
        }

        var user = admins.Users.FirstOrDefault(u => u.Name == username && !string.IsNullOrEmpty(u.PasswordHash));
        var valid = PasswordHashing.Verify(request.Password ?? string.Empty, user?.PasswordHash ?? DummyHash) && user is not null;
        if (!valid)
        {
            await AuditAsync(username, clientAddress, SignInOutcome.WrongCredentials, cancellationToken);
            throw new DomainException(ErrorCode.InvalidCredentials, "Unknown user or wrong password.");
        }

        await limiter.ClearSignInFailuresAsync(AccountScope, username, cancellationToken);
        await limiter.ClearSignInFailuresAsync(AddressScope, clientAddress, cancellationToken);
        await AuditAsync(username, clientAddress, SignInOutcome.SignedIn, cancellationToken);
        var token = tokens.Issue(user!.Name, Roles.Admin, TimeSpan.FromMinutes(auth.AdminTokenLifetimeMinutes));
        return new AdminLoginResponse(token.Token, token.ExpiresAt);
    }

    /// <summary>Sign-in attempts, newest first.</summary>
    public async Task<ResultPage<OperatorSignIn>> ListSignInsAsync(string? continuationToken, int pageSize, CancellationToken cancellationToken)
    {
        var page = await signIns.QueryAsync(new DocumentQuery { PartitionKey = AuditPartition }, continuationToken, pageSize, cancellationToken);
        return new ResultPage<OperatorSignIn>(page.Items.Select(i => i.Value).ToList(), page.ContinuationToken);
    }

    private async Task AuditAsync(string username, string clientAddress, SignInOutcome outcome, CancellationToken cancellationToken)
    {
        var at = time.GetUtcNow();
        var newestFirst = $"{DateTimeOffset.MaxValue.UtcTicks - at.UtcTicks:D19}-{Ids.New(string.Empty)}";
        await signIns.InsertAsync(new DocumentKey(AuditPartition, newestFirst), new OperatorSignIn(username, clientAddress, outcome, at), [], cancellationToken);
    }
}
