using Mall.Domain.Common;
using Mall.Domain.Segmentation;

namespace Mall.Domain.Customers;

/// <summary>A mini-program user, keyed by a stable id derived from their openid.</summary>
public sealed record Customer
{
    public required string Id { get; init; }

    public required string OpenId { get; init; }

    public string? UnionId { get; init; }

    /// <summary>The code this customer shares to invite others.</summary>
    public required string InviteCode { get; init; }

    /// <summary>Who invited this customer, nearest first, at most <see cref="ReferralRules.MaxDepth"/> levels.</summary>
    public IReadOnlyList<string> Referrers { get; init; } = [];

    public required DateTimeOffset RegisteredAt { get; init; }

    public required DateTimeOffset LastLoginAt { get; init; }

    /// <summary>WeChat session_key, encrypted; never returned by the API and never logged.</summary>
    public string? ProtectedSessionKey { get; init; }

    public string? Nickname { get; init; }

    public DateOnly? Birthday { get; init; }

    public string? ProtectedPhone { get; init; }

    public CustomerActivity Activity { get; init; } = new();

    public SegmentAssignment? Segment { get; init; }

    public string? ReferrerId => Referrers.Count > 0 ? Referrers[0] : null;

    /// <summary>The latest sign of life: registration, login or payment.</summary>
    public DateTimeOffset LastInteractionAt => new[] { RegisteredAt, LastLoginAt, Activity.LastPaidAt ?? DateTimeOffset.MinValue }.Max();

    /// <summary>Puts the customer in the segment the rules give today; unchanged (same instance, no event) if already there.</summary>
    public (Customer Customer, IntegrationEvent? Changed) Reclassify(SegmentRules rules, DateTimeOffset now)
    {
        var segment = rules.Classify(Activity, LastInteractionAt, now);
        if (Segment?.Segment == segment)
        {
            return (this, null);
        }

        var day = ChinaTime.DateOf(now).ToString("yyyy-MM-dd", System.Globalization.CultureInfo.InvariantCulture);
        var changed = new IntegrationEvent(
            $"customer:{Id}:segment:{segment}:{day}",
            "CustomerSegmentChanged",
            Id,
            now,
            new Dictionary<string, string>
            {
                ["customerId"] = Id,
                ["from"] = Segment?.Segment.ToString() ?? string.Empty,
                ["to"] = segment.ToString(),
                ["day"] = day,
            });
        return (this with { Segment = new SegmentAssignment(segment, now) }, changed);
    }

    public static string IdFor(string openId) => Ids.Derive("C", "openid", openId);

    public static (Customer Customer, IntegrationEvent Registered) Register(
        string openId,
        string? unionId,
        string inviteCode,
        Customer? inviter,
        string? protectedSessionKey,
        DateTimeOffset now)
    {
        var id = IdFor(openId);
        var customer = new Customer
        {
            Id = id,
            OpenId = openId,
            UnionId = unionId,
            InviteCode = inviteCode,
            Referrers = inviter is null ? [] : ReferralRules.ReferrersFor(id, inviter),
            RegisteredAt = now,
            LastLoginAt = now,
            ProtectedSessionKey = protectedSessionKey,
        };
        var registered = new IntegrationEvent(
            $"customer:{id}:registered",
            "CustomerRegistered",
            id,
            now,
            new Dictionary<string, string> { ["customerId"] = id, ["referrerId"] = customer.ReferrerId ?? string.Empty });
        return (customer, registered);
    }

    public Customer LoggedIn(string? unionId, string? protectedSessionKey, DateTimeOffset now) =>
        this with { UnionId = unionId ?? UnionId, ProtectedSessionKey = protectedSessionKey ?? ProtectedSessionKey, LastLoginAt = now };
}
