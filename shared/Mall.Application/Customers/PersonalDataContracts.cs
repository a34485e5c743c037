using Mall.Application.Cart;
using Mall.Application.Coupons;
using Mall.Application.Distribution;
using Mall.Application.Membership;
using Mall.Application.Notifications;
using Mall.Application.Orders;
using Mall.Domain.Customers;

namespace Mall.Application.Customers;

/// <summary>
/// GET /api/me/export: what the mall holds on the signed-in customer (PIPL art. 45, the right to access and copy),
/// personal data unmasked to its owner. Bounded: the newest orders and the first points lines, with
/// <see cref="Notes"/> saying where the rest is.
/// </summary>
public sealed record PersonalDataExport(
    DateTimeOffset ExportedAt,
    ExportedProfile Profile,
    MembershipView Membership,
    ExportedPoints Points,
    IReadOnlyList<CouponView> Coupons,
    IReadOnlyList<SubscriptionView> Subscriptions,
    CartView Cart,
    DistributionSummary Distribution,
    OrderPage Orders,
    IReadOnlyList<string> Notes);

/// <param name="Referrers">Who invited the customer, nearest first (at most three levels).</param>
/// <param name="Segment">The lifecycle segment the daily run put them in (it decides offers and messages).</param>
public sealed record ExportedProfile(
    string CustomerId,
    string? Nickname,
    DateOnly? Birthday,
    string? Phone,
    string InviteCode,
    IReadOnlyList<string> Referrers,
    DateTimeOffset RegisteredAt,
    DateTimeOffset LastLoginAt,
    string? Segment);

/// <param name="More">The ledger has more lines than the export carries.</param>
public sealed record ExportedPoints(long Balance, IReadOnlyList<PointsEntry> Lines, bool More);

public static class CustomerWork
{
    /// <summary>Finishes an erasure a request began, should the request stop halfway.</summary>
    public const string Erasure = "CustomerErasure";
}
