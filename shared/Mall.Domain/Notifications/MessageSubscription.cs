namespace Mall.Domain.Notifications;

/// <summary>
/// A customer's one-time subscriptions to one message template. WeChat allows one send per
/// acceptance (wx.requestSubscribeMessage) and offers no API to ask how many are left, so the mall
/// counts them itself: granted when the mini-program reports an acceptance, spent by each send.
/// </summary>
public sealed record MessageSubscription
{
    private const int KeysRemembered = 20;

    public required string CustomerId { get; init; }

    public required string TemplateId { get; init; }

    public int Granted { get; init; }

    public int Spent { get; init; }

    /// <summary>The latest sends, so a retried send is not counted (or sent) twice.</summary>
    public IReadOnlyList<string> SpentKeys { get; init; } = [];

    public DateTimeOffset? LastGrantedAt { get; init; }

    public int Available => Granted - Spent;

    public static MessageSubscription None(string customerId, string templateId) => new() { CustomerId = customerId, TemplateId = templateId };

    public MessageSubscription Grant(DateTimeOffset now) => this with { Granted = Granted + 1, LastGrantedAt = now };

    /// <summary>
    /// Spends one subscription for the send named <paramref name="key"/>. A key already spent is
    /// <see cref="SpendOutcome.AlreadySpent"/>: the send was decided before, so it is never repeated.
    /// </summary>
    public (MessageSubscription Subscription, SpendOutcome Outcome) Spend(string key)
    {
        if (SpentKeys.Contains(key))
        {
            return (this, SpendOutcome.AlreadySpent);
        }

        return Available <= 0
            ? (this, SpendOutcome.NoConsent)
            : (this with { Spent = Spent + 1, SpentKeys = [.. SpentKeys.TakeLast(KeysRemembered - 1), key] }, SpendOutcome.Spent);
    }

    /// <summary>The send for <paramref name="key"/> did not reach WeChat: the acceptance is the customer's again.</summary>
    public MessageSubscription GiveBack(string key) =>
        SpentKeys.Contains(key) ? this with { Spent = Spent - 1, SpentKeys = SpentKeys.Where(k => k != key).ToList() } : this;
}

public enum SpendOutcome
{
    /// <summary>One subscription was spent: send now.</summary>
    Spent,

    /// <summary>This send was already decided (and made, or lost in a crash): do not send again.</summary>
    AlreadySpent,

    /// <summary>No unused subscription: the customer has not consented to another message.</summary>
    NoConsent,
}

/// <summary>What became of one subscribe message.</summary>
public enum MessageOutcome
{
    /// <summary>WeChat took it; one subscription was spent.</summary>
    Sent,

    /// <summary>The customer holds no unused subscription to the template: nothing was sent.</summary>
    NoConsent,

    /// <summary>WeChat says the user refused it or holds no subscription (43101): the subscription is spent, as at WeChat.</summary>
    RefusedByUser,

    /// <summary>The message breaks WeChat's rules (checked before sending, or 47003, 40003, 40037, 41030…): not sent, subscription kept.</summary>
    Invalid,

    /// <summary>WeChat was busy, rate-limited or unreachable and did not send it: subscription kept, worth another try.</summary>
    NotSent,

    /// <summary>WeChat's answer was lost: the message may have reached the customer, so the subscription stays spent.</summary>
    Unknown,

    /// <summary>An earlier attempt decided this send (sent, or lost in a crash): it is never repeated.</summary>
    AlreadyDecided,
}

/// <param name="Code">WeChat's errcode when it answered one (47003 also when the mall's own check refused the message).</param>
public sealed record MessageResult(MessageOutcome Outcome, string? Code = null, string? Detail = null);
