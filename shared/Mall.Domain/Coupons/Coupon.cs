using Mall.Domain.Common;

namespace Mall.Domain.Coupons;

public enum CouponKind
{
    /// <summary>A fixed amount off (optionally above a minimum spend).</summary>
    FixedAmount,

    /// <summary>满减: spend at least the threshold, get a fixed amount off.</summary>
    Threshold,

    /// <summary>A percentage off the goods, capped.</summary>
    Percentage,

    /// <summary>Shipping is free.</summary>
    FreeShipping,
}

/// <summary>
/// A coupon template: what it takes off, when it is valid (a fixed window, or a number of days from
/// claiming), how many one customer may hold and how many exist in total.
/// </summary>
public sealed record CouponTemplate
{
    public required string Id { get; init; }

    public required string Name { get; init; }

    public required CouponKind Kind { get; init; }

    /// <summary>FixedAmount / Threshold: fen off.</summary>
    public long AmountFen { get; init; }

    /// <summary>Minimum goods amount for the coupon to apply (the 满 of 满减).</summary>
    public long MinimumSpendFen { get; init; }

    /// <summary>Percentage: basis points off the goods (1500 = 15% off).</summary>
    public int PercentOffBps { get; init; }

    /// <summary>Percentage: the most it takes off.</summary>
    public long MaxDiscountFen { get; init; }

    public DateTimeOffset? ValidFrom { get; init; }

    public DateTimeOffset? ValidUntil { get; init; }

    /// <summary>When set, a coupon is valid for this many days from its claim instead of the fixed window.</summary>
    public int? ValidDaysAfterClaim { get; init; }

    public required int PerCustomerLimit { get; init; }

    public required int TotalQuota { get; init; }

    /// <summary>Customers may claim it themselves (otherwise it is only granted: gift packs, wake-up, birthday…).</summary>
    public bool Claimable { get; init; } = true;

    public (DateTimeOffset From, DateTimeOffset Until) ValidityFor(DateTimeOffset claimedAt) =>
        ValidDaysAfterClaim is { } days ? (claimedAt, claimedAt.AddDays(days)) : (ValidFrom ?? claimedAt, ValidUntil!.Value);

    /// <summary>What the coupon takes off an order with these goods and shipping; refuses if it does not apply.</summary>
    public CouponDiscount DiscountFor(long goodsFen, long shippingFen)
    {
        if (goodsFen < MinimumSpendFen)
        {
            throw new DomainException(ErrorCode.CouponNotApplicable, $"{Name} needs goods of at least {MinimumSpendFen} fen.");
        }

        return Kind switch
        {
            CouponKind.FixedAmount or CouponKind.Threshold => new CouponDiscount(Math.Min(AmountFen, goodsFen), 0),
            CouponKind.Percentage => new CouponDiscount(Math.Min(goodsFen * PercentOffBps / 10_000, MaxDiscountFen), 0),
            CouponKind.FreeShipping => new CouponDiscount(0, shippingFen),
            _ => throw new InvalidOperationException($"Unknown coupon kind {Kind}."),
        };
    }

    /// <summary>The most one coupon can take off an order: what a reward of it may cost the mall.</summary>
    public long MostOffFen(long shippingFeeFen) => Kind switch
    {
        CouponKind.FixedAmount or CouponKind.Threshold => AmountFen,
        CouponKind.Percentage => MaxDiscountFen,
        _ => shippingFeeFen,
    };
}

/// <summary>Fen taken off the goods, and shipping waived.</summary>
public sealed record CouponDiscount(long GoodsFen, long ShippingFen);

public enum CouponStatus
{
    Available,
    Used,

    /// <summary>Taken back by the mall (a reward whose reason a refund undid); never usable again.</summary>
    Revoked,
}

/// <summary>What revoking a coupon did.</summary>
public enum CouponRevocation
{
    /// <summary>No such coupon was issued.</summary>
    NotIssued,

    Revoked,

    /// <summary>An order holds it: it is revoked when that order gives it back (instead of becoming available again).</summary>
    RevokedWhenReturned,
}

/// <summary>
/// A coupon a customer holds. Used by exactly one order at a time; given back when that order is
/// cancelled, closes unpaid or is refunded in full, if it is still valid then.
/// </summary>
public sealed record Coupon
{
    public required string Id { get; init; }

    public required string TemplateId { get; init; }

    public required string CustomerId { get; init; }

    public required CouponStatus Status { get; init; }

    public required DateTimeOffset ValidFrom { get; init; }

    public required DateTimeOffset ValidUntil { get; init; }

    public required DateTimeOffset IssuedAt { get; init; }

    /// <summary>Why it was issued: "claim", or the grant that issued it (e.g. "segment:Potential").</summary>
    public required string Reason { get; init; }

    public string? UsedByOrderId { get; init; }

    /// <summary>Revoked while an order held it: the order giving it back revokes it.</summary>
    public bool RevokeWhenReturned { get; init; }

    public DateTimeOffset? RevokedAt { get; init; }

    public bool IsValidAt(DateTimeOffset now) => now >= ValidFrom && now < ValidUntil;

    public void EnsureUsable(string customerId, DateTimeOffset now)
    {
        if (CustomerId != customerId)
        {
            throw DomainException.NotFound($"Coupon {Id}");
        }

        if (Status != CouponStatus.Available || !IsValidAt(now))
        {
            throw new DomainException(ErrorCode.CouponUnavailable, $"Coupon {Id} is used or not valid now.", new Dictionary<string, string[]> { ["couponId"] = ["Used or not valid now."] });
        }
    }

    /// <summary>Marks the coupon used by <paramref name="orderId"/>; the same order again is a no-op.</summary>
    public Coupon Use(string customerId, string orderId, DateTimeOffset now)
    {
        if (Status == CouponStatus.Used && UsedByOrderId == orderId)
        {
            return this;
        }

        EnsureUsable(customerId, now);
        return this with { Status = CouponStatus.Used, UsedByOrderId = orderId };
    }

    /// <summary>The order that used it will not be paid for (or was refunded in full): available again while valid (revoked, if it was revoked meanwhile).</summary>
    public Coupon Return(string orderId, DateTimeOffset now)
    {
        if (Status != CouponStatus.Used || UsedByOrderId != orderId)
        {
            return this;
        }

        if (RevokeWhenReturned)
        {
            return this with { Status = CouponStatus.Revoked, UsedByOrderId = null, RevokedAt = now };
        }

        return now < ValidUntil ? this with { Status = CouponStatus.Available, UsedByOrderId = null } : this;
    }

    /// <summary>The mall takes the coupon back: revoked now if unused, else when its order gives it back. Repeating it changes nothing.</summary>
    public Coupon Revoke(DateTimeOffset now) => Status switch
    {
        CouponStatus.Available => this with { Status = CouponStatus.Revoked, RevokedAt = now },
        CouponStatus.Used when !RevokeWhenReturned => this with { RevokeWhenReturned = true },
        _ => this,
    };
}
