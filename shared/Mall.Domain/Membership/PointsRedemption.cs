namespace Mall.Domain.Membership;

/// <summary>Points used at checkout and the cash they stand for.</summary>
public sealed record PointsRedemption(long Points, long ValueFen)
{
    public static readonly PointsRedemption None = new(0, 0);
}

/// <summary>Points to cash (SPEC §4.5), capped at a share of the order (defaults in MembershipOptions).</summary>
public sealed record PointsRules
{
    public required int PointsPerYuan { get; init; }

    /// <summary>At most this share of the goods (after discounts) may be paid with points.</summary>
    public required int MaxShareBps { get; init; }

    /// <summary>
    /// What <paramref name="requested"/> points buy on an order whose goods come to <paramref name="payableGoodsFen"/>:
    /// limited by the balance, the cap and what the order can still take off (<paramref name="maxValueFen"/>),
    /// whole fen only, and only the points that value needs are taken.
    /// </summary>
    public PointsRedemption Redeem(long requested, long balance, long payableGoodsFen, long maxValueFen = long.MaxValue)
    {
        var capFen = Math.Min(payableGoodsFen * MaxShareBps / 10_000, maxValueFen);
        var valueFen = Math.Min(Math.Min(requested, balance) * 100 / PointsPerYuan, capFen);
        if (valueFen <= 0)
        {
            return PointsRedemption.None;
        }

        return new PointsRedemption((valueFen * PointsPerYuan + 99) / 100, valueFen);
    }
}
