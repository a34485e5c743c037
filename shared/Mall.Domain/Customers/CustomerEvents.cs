using Mall.Domain.Common;
using Mall.Domain.Membership;
using Mall.Domain.Segmentation;

namespace Mall.Domain.Customers;

/// <summary>A WeChat user logged in for the first time and became a customer.</summary>
/// <param name="ReferrerId">Who invited them (the invite code at first login), if anyone.</param>
public sealed record CustomerRegistered(string CustomerId, string? ReferrerId) : IntegrationEvent
{
    public override string Id => $"customer:{CustomerId}:registered";

    public override string SubjectId => CustomerId;
}

/// <summary>
/// The customer erased their account (PIPL right to deletion): downstream systems erase what they hold on them.
/// Orders and ledgers keep naming the customer id, a pseudonym that no longer leads to anyone.
/// </summary>
public sealed record CustomerErased(string CustomerId) : IntegrationEvent
{
    public override string Id => $"customer:{CustomerId}:erased";

    public override string SubjectId => CustomerId;
}

/// <summary>The customer moved to another lifecycle segment (daily review, or at once on a first payment).</summary>
/// <param name="From">The segment before; absent for a customer never classified.</param>
/// <param name="Day">The CST day of the move ("2026-11-30").</param>
public sealed record CustomerSegmentChanged(string CustomerId, CustomerSegment? From, CustomerSegment To, string Day) : IntegrationEvent
{
    public override string Id => $"customer:{CustomerId}:segment:{To}:{Day}";

    public override string SubjectId => CustomerId;
}

/// <summary>The customer's membership tier went up (at a payment) or down (at the anniversary review).</summary>
/// <param name="Day">The CST day of the change.</param>
public sealed record MemberTierChanged(string CustomerId, MemberTier From, MemberTier To, string Day) : IntegrationEvent
{
    public override string Id => $"customer:{CustomerId}:tier:{To}:{Day}";

    public override string SubjectId => CustomerId;
}

/// <summary>Points were earned, reversed, redeemed or returned; one line of the points ledger.</summary>
/// <param name="Key">The line's identity within the customer's ledger ("O1|earned", "O1|redeemed#2"…).</param>
/// <param name="Points">Signed: positive credits, negative debits.</param>
public sealed record PointsChanged(string CustomerId, string Key, string OrderId, long Points) : IntegrationEvent
{
    public override string Id => $"customer:{CustomerId}:points:{Key}";

    public override string SubjectId => CustomerId;
}
