using Mall.Application.Platform;
using Mall.Application.Sharing;
using Mall.Application.WeChat;
using Mall.Domain.Common;
using Mall.Domain.Customers;
using Microsoft.Extensions.Logging;

namespace Mall.Application.Customers;

public sealed partial class CustomerService(
    IWeChatLogin weChat,
    IWeChatMiniProgram miniProgram,
    IDocumentCollection<Customer> customers,
    IDocumentCollection<InviteCodeEntry> inviteCodes,
    ShareLinks shareLinks,
    IDocumentCollection<OpenIdEntry> openIds,
    ErasedCustomers erased,
    IFieldProtector protector,
    AccessTokenService tokens,
    AuthOptions auth,
    LimitsOptions limits,
    Limiter limiter,
    TimeProvider time,
    CustomerPseudonyms pseudonyms,
    ILogger<CustomerService> logger)
{
    private const int InviteCodeAttempts = 5;
    private const int MappingAttempts = 5;
    private const int SignInRounds = 3;

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

        // A customer erased while this login ran gives way to a new one: the next round maps the openid afresh.
        for (var round = 1; ; round++)
        {
            if (await SignInAsync(request, session, protectedSessionKey, now, cancellationToken) is { } signedIn)
            {
                return signedIn;
            }

            if (round == SignInRounds)
            {
                throw new DomainException(ErrorCode.Busy, "This account is being deleted; please log in again shortly.");
            }
        }
    }

    /// <summary>
    /// Signs the openid's customer in, registering them on their first login; null if the customer turned out to
    /// be erased by the time of the write (the login then goes on as the first of a new customer).
    /// </summary>
    private async Task<LoginResponse?> SignInAsync(LoginRequest request, WeChatSession session, string protectedSessionKey, DateTimeOffset now, CancellationToken cancellationToken)
    {
        var customerId = await CustomerIdForAsync(session.OpenId, cancellationToken);
        var key = DocumentKey.Single(customerId);
        var isNew = false;
        if (await customers.FindAsync(key, cancellationToken) is null)
        {
            var inviter = await FindInviterAsync(request, customerId, cancellationToken);
            var inviteCode = await ClaimInviteCodeAsync(customerId, cancellationToken);
            var (customer, registered) = Customer.Register(customerId, session.OpenId, session.UnionId, inviteCode, inviter, protectedSessionKey, now);
            try
            {
                await customers.InsertAsync(key, customer, [registered], cancellationToken);
                isNew = true;
                LogRegistered(logger, pseudonyms.Of(customerId), customer.ReferrerId is { } referrerId ? pseudonyms.Of(referrerId) : null);
            }
            catch (ConcurrencyConflictException)
            {
                // A concurrent first login created the customer: this one is a returning login.
            }
        }

        if (!isNew)
        {
            var loggedIn = await customers.TransitionAsync(
                key,
                current => current!.Value.IsErased
                    ? Decision.Keep<Customer, bool>(false)
                    : Decision.Write(current.Value.LoggedIn(session.UnionId, protectedSessionKey, now), true),
                cancellationToken);
            if (!loggedIn)
            {
                return null;
            }
        }

        var token = tokens.Issue(customerId, Roles.Customer, TimeSpan.FromMinutes(auth.SessionLifetimeMinutes));
        return new LoginResponse(token.Token, token.ExpiresAt, customerId, isNew);
    }

    /// <summary>
    /// The customer of an openid, by its mapping; concurrent first logins agree through the mapping's conditional
    /// insert. Without a mapping the customer is the one under the id derived from the openid (so customers
    /// registered before the mapping existed keep theirs), unless that one was erased. A mapping is trusted only
    /// for a customer not erased: one left over from an erasure (or written by a login racing it) is replaced by
    /// a new customer's id, guarded on the version read, so concurrent logins replace it once.
    /// </summary>
    private async Task<string> CustomerIdForAsync(string openId, CancellationToken cancellationToken)
    {
        var key = DocumentKey.Single(Customer.OpenIdKeyFor(openId));
        for (var attempt = 0; attempt < MappingAttempts; attempt++)
        {
            var mapping = await openIds.FindAsync(key, cancellationToken);
            if (mapping is not null && !await erased.IsErasedAsync(mapping.Value.CustomerId, cancellationToken))
            {
                return mapping.Value.CustomerId;
            }

            var derived = Customer.IdFor(openId);
            var candidate = mapping is null && !await erased.IsErasedAsync(derived, cancellationToken) ? derived : Customer.NewId();
            try
            {
                if (mapping is null)
                {
                    await openIds.InsertAsync(key, new OpenIdEntry(candidate), [], cancellationToken);
                }
                else
                {
                    await openIds.ReplaceAsync(mapping, new OpenIdEntry(candidate), [], cancellationToken);
                }

                return candidate;
            }
            catch (ConcurrencyConflictException)
            {
                // A concurrent login mapped the openid first: read its mapping.
            }
        }

        throw new DomainException(ErrorCode.Busy, "Too many logins of this WeChat user at once; please log in again.");
    }

    /// <summary>
    /// The erasure's step for the mapping: removed if it still leads to <paramref name="customerId"/>, guarded on the
    /// version read, so a login that already mapped the openid to a new customer keeps it.
    /// </summary>
    public async Task ForgetOpenIdAsync(string openId, string customerId, CancellationToken cancellationToken)
    {
        var key = DocumentKey.Single(Customer.OpenIdKeyFor(openId));
        for (var attempt = 0; attempt < MappingAttempts; attempt++)
        {
            var mapping = await openIds.FindAsync(key, cancellationToken);
            if (mapping?.Value.CustomerId != customerId)
            {
                return;
            }

            try
            {
                await openIds.DeleteAsync(key, mapping.ETag, cancellationToken);
                return;
            }
            catch (ConcurrencyConflictException)
            {
                // A login replaced it meanwhile: read it again.
            }
        }
    }

    /// <summary>The erasure's step for the invite code: it no longer binds anyone to the erased customer.</summary>
    public async Task ForgetInviteCodeAsync(Customer customer, CancellationToken cancellationToken)
    {
        var key = DocumentKey.Single(customer.InviteCode);
        if (await inviteCodes.FindAsync(key, cancellationToken) is { } entry && entry.Value.CustomerId == customer.Id)
        {
            await inviteCodes.DeleteAsync(key, entry.ETag, cancellationToken);
        }
    }

    public async Task<MeResponse> GetMeAsync(string customerId, CancellationToken cancellationToken)
    {
        var customer = await GetAsync(customerId, cancellationToken);
        return ToMe(customer);
    }

    /// <summary>Nickname, birthday and, through a getPhoneNumber code, the phone number (kept encrypted, shown masked).</summary>
    public async Task<MeResponse> UpdateProfileAsync(string customerId, UpdateProfileRequest request, CancellationToken cancellationToken)
    {
        // WeChat takes the code before anything is written: a code it refuses changes nothing.
        var protectedPhone = request.PhoneCode is null ? null : protector.Protect((await PhoneNumberAsync(request.PhoneCode, cancellationToken)).PhoneNumber);
        var updated = await customers.TransitionAsync(
            DocumentKey.Single(customerId),
            current =>
            {
                var customer = current?.Value ?? throw DomainException.NotFound("Customer");
                var next = customer with
                {
                    Nickname = request.Nickname ?? customer.Nickname,
                    Birthday = request.Birthday ?? customer.Birthday,
                    ProtectedPhone = protectedPhone ?? customer.ProtectedPhone,
                };
                return next == customer ? Decision.Keep<Customer, Customer>(customer) : Decision.Write(next, next);
            },
            cancellationToken);
        return ToMe(updated);
    }

    /// <summary>The phone number unmasked, for the customer's own eyes only (the export of their data).</summary>
    public string? PhoneOf(Customer customer) => customer.ProtectedPhone is null ? null : protector.Unprotect(customer.ProtectedPhone);

    public async Task<Customer> GetAsync(string customerId, CancellationToken cancellationToken) =>
        (await customers.FindAsync(DocumentKey.Single(customerId), cancellationToken))?.Value
        ?? throw DomainException.NotFound("Customer");

    private MeResponse ToMe(Customer customer) => new(
        customer.Id,
        customer.Nickname,
        customer.Birthday,
        PhoneOf(customer) is { } phone ? PersonalData.MaskPhone(phone) : null,
        customer.InviteCode,
        customer.ReferrerId,
        customer.RegisteredAt);

    private async Task<WeChatPhoneNumber> PhoneNumberAsync(string phoneCode, CancellationToken cancellationToken)
    {
        try
        {
            return await miniProgram.GetPhoneNumberAsync(phoneCode, cancellationToken);
        }
        catch (WeChatException exception)
        {
            const string Again = "The phone code is invalid, expired or already used; ask for the number again (getPhoneNumber gives a new code).";
            throw exception.Failure switch
            {
                WeChatFailure.InvalidLoginCode => new DomainException(ErrorCode.InvalidPhoneCode, Again, new Dictionary<string, string[]> { ["phoneCode"] = [Again] }),
                WeChatFailure.Unavailable => new DomainException(ErrorCode.WeChatUnavailable, "WeChat is busy and did not give the phone number; ask for it again shortly.", null, exception),
                _ => new DomainException(ErrorCode.WeChatRejected, "WeChat refused to give the phone number: " + exception.Message, null, exception),
            };
        }
    }

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
                LogInviteIgnored(logger, pseudonyms.Of(customerId));
            }

            return null;
        }

        if (inviterId == customerId)
        {
            LogInviteIgnored(logger, pseudonyms.Of(customerId));
            return null;
        }

        var inviter = (await customers.FindAsync(DocumentKey.Single(inviterId), cancellationToken))?.Value;
        if (inviter is not null && inviter.Referrers.Contains(customerId))
        {
            LogInviteIgnored(logger, pseudonyms.Of(customerId));
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

    [LoggerMessage(Level = LogLevel.Information, Message = "Registered customer {Customer} (referrer {Referrer})")]
    private static partial void LogRegistered(ILogger logger, string customer, string? referrer);

    [LoggerMessage(Level = LogLevel.Information, Message = "Ignored an invite code on the first login of customer {Customer}: unknown, own or circular")]
    private static partial void LogInviteIgnored(ILogger logger, string customer);
}
