using FluentValidation;
using Mall.Application.Platform;

namespace Mall.Application.Customers;

/// <param name="InviteCode">An invite code the new customer arrived with (a promoter's poster, a typed code).</param>
/// <param name="ShareToken">The token of the share link the new customer arrived through (the page's st= parameter); an invite code wins over it.</param>
public sealed record LoginRequest(string? Code, string? InviteCode, string? ShareToken = null);

public sealed record LoginResponse(string Token, DateTimeOffset ExpiresAt, string CustomerId, bool IsNew);

public sealed record MeResponse(
    string CustomerId,
    string? Nickname,
    DateOnly? Birthday,
    string? Phone,
    string InviteCode,
    string? ReferrerId,
    DateTimeOffset RegisteredAt);

/// <param name="PhoneCode">The code of the mini-program's getPhoneNumber button: the mall asks WeChat for the number behind it.</param>
public sealed record UpdateProfileRequest(string? Nickname, DateOnly? Birthday, string? PhoneCode = null);

/// <summary>Maps an invite code to the customer who shares it.</summary>
public sealed record InviteCodeEntry(string CustomerId);

/// <summary>Maps an openid (by its hash, <see cref="Domain.Customers.Customer.OpenIdKeyFor"/>) to its customer.</summary>
public sealed record OpenIdEntry(string CustomerId);

public sealed class LoginRequestValidator : AbstractValidator<LoginRequest>
{
    public LoginRequestValidator()
    {
        RuleFor(r => r.Code).NotEmpty().MaximumLength(128);
        // An empty code is how a mini-program without an invite link says "none".
        RuleFor(r => r.InviteCode).MustBeAnId().When(r => !string.IsNullOrEmpty(r.InviteCode));
        // Checked when used: a forged or expired token binds nobody but never fails the login.
        RuleFor(r => r.ShareToken).MaximumLength(1024);
    }
}

public sealed class UpdateProfileRequestValidator : AbstractValidator<UpdateProfileRequest>
{
    public UpdateProfileRequestValidator(TimeProvider time)
    {
        RuleFor(r => r.Nickname).MaximumLength(32);
        RuleFor(r => r.Birthday)
            .Must(b => b is null || (b.Value.Year >= 1900 && b.Value <= DateOnly.FromDateTime(time.GetUtcNow().UtcDateTime)))
            .WithMessage("Birthday must be a date between 1900 and today.");
        RuleFor(r => r.PhoneCode).NotEmpty().MaximumLength(128).When(r => r.PhoneCode is not null)
            .WithMessage("Give the code of the getPhoneNumber button (at most 128 characters), or leave phoneCode out.");
    }
}
