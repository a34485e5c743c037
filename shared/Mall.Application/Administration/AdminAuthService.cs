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

public sealed class AdminAuthService(AdminOptions admins, AuthOptions auth, AccessTokenService tokens)
{
    // Compared against when the user is unknown, so timing does not reveal which usernames exist.
    private static readonly string DummyHash = PasswordHashing.Hash(Guid.NewGuid().ToString());

    public AdminLoginResponse Login(AdminLoginRequest request)
    {
        var user = admins.Users.FirstOrDefault(u => u.Name == request.Username && !string.IsNullOrEmpty(u.PasswordHash));
        var valid = PasswordHashing.Verify(request.Password ?? string.Empty, user?.PasswordHash ?? DummyHash) && user is not null;
        if (!valid)
        {
            throw new DomainException(ErrorCode.InvalidCredentials, "Unknown user or wrong password.");
        }

        var token = tokens.Issue(user!.Name, Roles.Admin, TimeSpan.FromMinutes(auth.AdminTokenLifetimeMinutes));
        return new AdminLoginResponse(token.Token, token.ExpiresAt);
    }
}
