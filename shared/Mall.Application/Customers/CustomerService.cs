using Mall.Application.Platform;
using Mall.Application.Sharing;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Customers;

public sealed partial class CustomerService(
    IWeChatLogin weChat,
    IDocumentCollection<Customer> customers,
    IDocumentCollection<InviteCodeEntry> inviteCodes,
    ShareLinks shareLinks,
    IFieldProtector protector,
    AccessTokenService tokens,
    AuthOptions auth,
    LimitsOptions limits,
    Limiter limiter,
    TimeProvider time,
    ILogger<CustomerService> logger)
{
    private const int InviteCodeAttempts = 5;

    /// <summary>Columns the daily timers filter on: the segment (wake-up) and the birthday's month and day (gifts).</summary>
    public static IReadOnlyDictionary<string, object?> IndexedColumns(Customer customer) => new Dictionary<string, object?>
    {
        ["Segment"] = customer.Segment?.Segment.ToString(),
        ["BirthdayMonthDay"] = customer.Birthday?.ToString("MM-dd", System.Globalization.CultureInfo.InvariantCulture),
    };

    /// <summary>
    /// wx.login code → customer + session token. A new customer is bound to the inviter of
    /// <see cref="LoginRequest.InviteCode"/> in the same write that creates them, so the binding
    /// happens once or not at all; later logins ignore invite codes (no re-binding).
    /// </summary>
    /// <param name="clientAddress">Logins are limited per address (before WeChat is asked) so one client cannot mint sessions in bulk.</param>
    public async Task<LoginResponse> LoginAsync(LoginRequest request, string clientAddress, CancellationToken cancellationToken)
    {
        await limiter.AdmitAsync("customer-login", clientAddress, limits.CustomerLogins, "Too many logins from this address", cancellationToken);
        WeChatSession session;
        try
        {
            session = await weChat.ExchangeCodeAsync(request.Code!, cancellationToken);
        }
        catch (WeChatException exception)
        {
            throw exception.Failure switch
            {
                WeChatFailure.InvalidLoginCode => new DomainException(ErrorCode.InvalidLoginCode, "The login code is invalid, expired or already used; call wx.login again."),
                WeChatFailure.LoginBlocked => new DomainException(ErrorCode.LoginBlocked, "WeChat's risk control does not allow this account to log in to the mini-program now."),
                WeChatFailure.Unavailable => new DomainException(ErrorCode.WeChatUnavailable, "WeChat is busy; please log in again shortly.", null, exception),
                _ => new DomainException(ErrorCode.WeChatRejected, "WeChat refused the login: " + exception.Message, null, exception),
            };
        }

        var now = time.GetUtcNow();
        var protectedSessionKey = protector.Protect(session.SessionKey);
        var customerId = Customer.IdFor(session.OpenId);
        var key = DocumentKey.Single(customerId);
        var isNew = false;
        if (await customers.FindAsync(key, cancellationToken) is null)
        {
            var inviter = await FindInviterAsync(request, customerId, cancellationToken);
            var inviteCode = await ClaimInviteCodeAsync(customerId, cancellationToken);
            var (customer, registered) = Customer.Register(session.OpenId, session.UnionId, inviteCode, inviter, protectedSessionKey, now);
            try
            {
                await customers.InsertAsync(key, customer, [registered], cancellationToken);
                isNew = true;
                LogRegistered(logger, customerId, customer.ReferrerId);
            }
            catch (ConcurrencyConflictException)
            {
                // A concurrent first login created the customer: this one is a returning login.
            }
        }

        if (!isNew)
        {
            await customers.TransitionAsync(
                key,
                current => Decision.Write(current!.Value.LoggedIn(session.UnionId, protectedSessionKey, now), true),
                cancellationToken);
        }

        var token = tokens.Issue(customerId, Roles.Customer, TimeSpan.FromMinutes(auth.SessionLifetimeMinutes));
        return new LoginResponse(token.Token, token.ExpiresAt, customerId, isNew);
    }

    public async Task<MeResponse> GetMeAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await GetAsync(customerId, cancellationToken);
        return ToMe(customer);
    }

    public async Task<MeResponse> UpdateProfileAsync(string customerId, UpdateProfileRequest request, CancellationToken cancellationToken)
    {
        var updated = await customers.TransitionAsync(
            DocumentKey.Single(customerId),
            current =>
            {
                var customer = current?.Value ?? throw DomainException.NotFound("Customer");
                var next = customer with { Nickname = request.Nickname ?? customer.Nickname, Birthday = request.Birthday ?? customer.Birthday };
                return next == customer ? Decision.Keep<Customer, Customer>(customer) : Decision.Write(next, next);
            },
            cancellationToken);
        return ToMe(updated);
    }

    public async Task<Customer> GetAsync(string customerId, CancellationToken cancellationToken) =>
        (await customers.FindAsync(DocumentKey.Single(customerId), cancellationToken))?.Value
        ?? throw DomainException.NotFound("Customer");

    private MeResponse ToMe(Customer customer) => new(
        customer.Id,
        customer.Nickname,
        customer.Birthday,
        customer.ProtectedPhone is null ? null : PersonalData.MaskPhone(protector.Unprotect(customer.ProtectedPhone)),
        customer.InviteCode,
        customer.ReferrerId,
        customer.RegisteredAt);

    /// <summary>Who brought a new customer: the owner of the invite code, else the sharer of the share link; never themselves or one of their own invitees.</summary>
    private async Task<Customer?> FindInviterAsync(LoginRequest request, string customerId, CancellationToken cancellationToken)
    {
        var inviterId = string.IsNullOrWhiteSpace(request.InviteCode)
            ? shareLinks.SharerOf(request.ShareToken)
            : (await inviteCodes.FindAsync(DocumentKey.Single(ReferralRules.NormalizeInviteCode(request.InviteCode)), cancellationToken))?.Value.CustomerId;
        if (inviterId is null)
        {
            if (!string.IsNullOrWhiteSpace(request.InviteCode) || !string.IsNullOrEmpty(request.ShareToken))
            {
                LogInviteIgnored(logger, customerId);
            }

            return null;
        }

        if (inviterId == customerId)
        {
            LogInviteIgnored(logger, customerId);
            return null;
        }

        var inviter = (await customers.FindAsync(DocumentKey.Single(inviterId), cancellationToken))?.Value;
        if (inviter is not null && inviter.Referrers.Contains(customerId))
        {
            LogInviteIgnored(logger, customerId);
            return null;
        }

        return inviter;
    }

    /// <summary>Reserves this customer's invite code with a conditional insert, picking another on the rare collision.</summary>
    private async Task<string> ClaimInviteCodeAsync(string customerId, CancellationToken cancellationToken)
    {
        for (var attempt = 0; attempt < InviteCodeAttempts; attempt++)
        {
            var code = ReferralRules.InviteCodeFor(customerId, attempt);
            var key = DocumentKey.Single(code);
            try
            {
                await inviteCodes.InsertAsync(key, new InviteCodeEntry(customerId), [], cancellationToken);
                return code;
            }
            catch (ConcurrencyConflictException)
            {
                if ((await inviteCodes.FindAsync(key, cancellationToken))?.Value.CustomerId == customerId)
                {
                    return code;
                }
            }
        }

        throw new InvalidOperationException($"Could not allocate an invite code for {customerId}.");
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered customer {CustomerId} (referrer {ReferrerId})")]
    private static partial void LogRegistered(ILogger logger, string customerId, string? referrerId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored an invite code on the first login of {CustomerId}: unknown, own or circular")]
    private static partial void LogInviteIgnored(ILogger logger, string customerId);
}
